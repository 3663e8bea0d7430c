// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets;

/// <summary>The EtherType values the switch recognises, as they appear on the wire (big-endian).</summary>
public static class EtherType
{
    /// <summary>Internet Protocol version 4.</summary>
    public const ushort Ipv4 = 0x0800;

    /// <summary>Address Resolution Protocol.</summary>
    public const ushort Arp = 0x0806;

    /// <summary>Reverse ARP; OVS uses it for the bond "learning packets".</summary>
    public const ushort Rarp = 0x8035;

    /// <summary>IEEE 802.1Q customer VLAN tag protocol identifier.</summary>
    public const ushort Vlan = 0x8100;

    /// <summary>IEEE 802.1ad service VLAN tag protocol identifier (the outer tag of QinQ).</summary>
    public const ushort ServiceVlan = 0x88A8;

    /// <summary>Internet Protocol version 6.</summary>
    public const ushort Ipv6 = 0x86DD;

    /// <summary>IEEE 802.3 Slow Protocols (LACP, Marker).</summary>
    public const ushort SlowProtocols = 0x8809;

    /// <summary>
    /// Values below this are 802.3 length fields rather than EtherTypes. OVS looks inside such frames for an
    /// LLC/SNAP header and otherwise reports <see cref="None"/>.
    /// </summary>
    public const ushort Minimum = 0x0600;

    /// <summary>What OVS reports as the type of an 802.3 frame without a SNAP header (its FLOW_DL_TYPE_NONE).</summary>
    public const ushort None = 0x05FF;

    /// <summary>True for the two tag protocol identifiers that start a VLAN tag (0x8100 and 0x88a8).</summary>
    public static bool IsVlanTag(ushort etherType) => etherType is Vlan or ServiceVlan;
}
