// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>
/// Writes complete frames and headers into a caller's buffer and returns the number of bytes written. Nothing is
/// allocated. Frames are not padded to the 60-byte Ethernet minimum (OVS sends its 42-byte RARPs unpadded on veth);
/// use <see cref="PadToMinimum"/> where a real NIC would pad. A destination that is too small is a programming
/// error and raises <see cref="ArgumentException"/> naming the sizes.
/// </summary>
public static partial class FrameBuilder
{
    /// <summary>Writes an untagged Ethernet header and returns 14.</summary>
    public static int WriteEthernetHeader(Span<byte> destination, MacAddress destinationMac, MacAddress sourceMac, ushort etherType)
    {
        return WriteEthernetHeader(destination, destinationMac, sourceMac, etherType, []);
    }

    /// <summary>Writes an Ethernet header with one 802.1Q tag (TPID 0x8100) and returns 18.</summary>
    public static int WriteEthernetHeader(Span<byte> destination, MacAddress destinationMac, MacAddress sourceMac, ushort etherType, ushort vlanTci)
    {
        return WriteEthernetHeader(destination, destinationMac, sourceMac, etherType, [new VlanTag(EtherType.Vlan, vlanTci)]);
    }

    /// <summary>Writes an Ethernet header with the given tags, outermost first, and returns its length.</summary>
    public static int WriteEthernetHeader(Span<byte> destination, MacAddress destinationMac, MacAddress sourceMac, ushort etherType, ReadOnlySpan<VlanTag> tags)
    {
        int length = EthernetFrame.HeaderLength + (tags.Length * EthernetFrame.VlanTagLength);
        EnsureRoom(destination, length, "Ethernet header");
        destinationMac.Write(destination);
        sourceMac.Write(destination[EthernetFrame.SourceOffset..]);
        int offset = EthernetFrame.EtherTypeOffset;
        foreach (VlanTag tag in tags)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], tag.Tpid);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], tag.Tci);
            offset += EthernetFrame.VlanTagLength;
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], etherType);
        return length;
    }

    /// <summary>Writes the Ethernet header described by <paramref name="addressing"/> and returns its length.</summary>
    public static int WriteEthernetHeader(Span<byte> destination, in EthernetAddressing addressing, ushort etherType)
    {
        return addressing.VlanTci is ushort tci
            ? WriteEthernetHeader(destination, addressing.Destination, addressing.Source, etherType, tci)
            : WriteEthernetHeader(destination, addressing.Destination, addressing.Source, etherType);
    }

    /// <summary>
    /// Zero-fills a frame of <paramref name="length"/> bytes up to the 60-byte Ethernet minimum and returns the
    /// padded length (unchanged when already long enough).
    /// </summary>
    public static int PadToMinimum(Span<byte> frame, int length)
    {
        if (length >= EthernetFrame.MinimumFrameLength)
        {
            return length;
        }
        EnsureRoom(frame, EthernetFrame.MinimumFrameLength, "padded frame");
        frame[length..EthernetFrame.MinimumFrameLength].Clear();
        return EthernetFrame.MinimumFrameLength;
    }

    private static void EnsureRoom(Span<byte> destination, int needed, string what)
    {
        if (destination.Length < needed)
        {
            throw new ArgumentException($"the {what} needs {needed} bytes but the destination has {destination.Length}", nameof(destination));
        }
    }
}
