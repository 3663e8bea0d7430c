// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets;

/// <summary>The layer-2 part of a frame to build: addresses and an optional 802.1Q tag.</summary>
/// <param name="Destination">Destination MAC address.</param>
/// <param name="Source">Source MAC address.</param>
/// <param name="VlanTci">When set, an 802.1Q tag (TPID 0x8100) with this TCI follows the addresses.</param>
public readonly record struct EthernetAddressing(MacAddress Destination, MacAddress Source, ushort? VlanTci = null)
{
    /// <summary>The header length these settings produce: 14, or 18 with a tag.</summary>
    public int HeaderLength => EthernetFrame.HeaderLength + (VlanTci.HasValue ? EthernetFrame.VlanTagLength : 0);
}
