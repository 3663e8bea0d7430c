// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>
/// A read-only view of an Ethernet II frame with zero, one or two VLAN tags (802.1Q 0x8100 or 802.1ad 0x88a8).
/// Build it with <see cref="TryCreate"/>; once that succeeds no accessor throws.
/// </summary>
public readonly ref struct EthernetFrame
{
    /// <summary>Offset of the destination address.</summary>
    public const int DestinationOffset = 0;

    /// <summary>Offset of the source address.</summary>
    public const int SourceOffset = 6;

    /// <summary>Offset of the first EtherType or TPID.</summary>
    public const int EtherTypeOffset = 12;

    /// <summary>Length of an untagged Ethernet header.</summary>
    public const int HeaderLength = 14;

    /// <summary>Length of one VLAN tag (TPID and TCI).</summary>
    public const int VlanTagLength = 4;

    /// <summary>The minimum frame length on the wire without the FCS; shorter frames are padded by senders.</summary>
    public const int MinimumFrameLength = 60;

    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _tagCount;

    private EthernetFrame(ReadOnlySpan<byte> bytes, int tagCount)
    {
        _bytes = bytes;
        _tagCount = tagCount;
    }

    /// <summary>
    /// Checks that <paramref name="bytes"/> holds a complete Ethernet header and every VLAN tag it announces
    /// (at most <see cref="FlowKey.MaxVlanTags"/>), and wraps it.
    /// </summary>
    public static bool TryCreate(ReadOnlySpan<byte> bytes, out EthernetFrame frame)
    {
        frame = default;
        if (bytes.Length < HeaderLength)
        {
            return false;
        }
        int tags = 0;
        int typeOffset = EtherTypeOffset;
        while (tags < FlowKey.MaxVlanTags && global::SharpSwitch.Packets.EtherType.IsVlanTag(BinaryPrimitives.ReadUInt16BigEndian(bytes[typeOffset..])))
        {
            if (bytes.Length < typeOffset + VlanTagLength + 2)
            {
                return false;
            }
            tags++;
            typeOffset += VlanTagLength;
        }
        frame = new EthernetFrame(bytes, tags);
        return true;
    }

    /// <summary>The whole frame.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The destination address.</summary>
    public MacAddress Destination => MacAddress.Read(_bytes);

    /// <summary>The source address.</summary>
    public MacAddress Source => MacAddress.Read(_bytes[SourceOffset..]);

    /// <summary>How many VLAN tags precede the EtherType (0, 1 or 2).</summary>
    public int VlanTagCount => _tagCount;

    /// <summary>The outer tag's TPID, or 0 when untagged.</summary>
    public ushort OuterTpid => _tagCount >= 1 ? ReadU16(EtherTypeOffset) : (ushort)0;

    /// <summary>The outer tag's TCI (priority, DEI and VLAN ID), or 0 when untagged.</summary>
    public ushort OuterTci => _tagCount >= 1 ? ReadU16(EtherTypeOffset + 2) : (ushort)0;

    /// <summary>The inner tag's TPID, or 0 with fewer than two tags.</summary>
    public ushort InnerTpid => _tagCount >= 2 ? ReadU16(EtherTypeOffset + VlanTagLength) : (ushort)0;

    /// <summary>The inner tag's TCI, or 0 with fewer than two tags.</summary>
    public ushort InnerTci => _tagCount >= 2 ? ReadU16(EtherTypeOffset + VlanTagLength + 2) : (ushort)0;

    /// <summary>The outer VLAN ID (0 when untagged).</summary>
    public int OuterVlanId => VlanTci.VlanId(OuterTci);

    /// <summary>The EtherType after the tags. An 802.3 length (below 0x0600) is returned as it is.</summary>
    public ushort EtherType => ReadU16(EtherTypeOffset + (_tagCount * VlanTagLength));

    /// <summary>The header length including tags: 14, 18 or 22.</summary>
    public int HeaderLengthWithTags => HeaderLength + (_tagCount * VlanTagLength);

    /// <summary>The header bytes, tags included.</summary>
    public ReadOnlySpan<byte> Header => _bytes[..HeaderLengthWithTags];

    /// <summary>Everything after the header, including any Ethernet padding.</summary>
    public ReadOnlySpan<byte> Payload => _bytes[HeaderLengthWithTags..];

    private ushort ReadU16(int offset) => BinaryPrimitives.ReadUInt16BigEndian(_bytes[offset..]);
}
