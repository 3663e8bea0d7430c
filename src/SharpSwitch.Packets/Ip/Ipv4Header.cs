// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>
/// A read-only view of an IPv4 packet. <see cref="TryCreate"/> checks the version, the header length and the total
/// length against the bytes at hand; after it succeeds no accessor throws.
/// </summary>
public readonly ref struct Ipv4Header
{
    /// <summary>Offset of the version (high nibble) and header length in 32-bit words (low nibble).</summary>
    public const int VersionAndLengthOffset = 0;

    /// <summary>Offset of the DSCP/ECN byte (formerly type of service).</summary>
    public const int TypeOfServiceOffset = 1;

    /// <summary>Offset of the total length.</summary>
    public const int TotalLengthOffset = 2;

    /// <summary>Offset of the identification.</summary>
    public const int IdentificationOffset = 4;

    /// <summary>Offset of the flags and fragment offset word.</summary>
    public const int FlagsAndFragmentOffset = 6;

    /// <summary>Offset of the time to live.</summary>
    public const int TimeToLiveOffset = 8;

    /// <summary>Offset of the protocol.</summary>
    public const int ProtocolOffset = 9;

    /// <summary>Offset of the header checksum.</summary>
    public const int ChecksumOffset = 10;

    /// <summary>Offset of the source address.</summary>
    public const int SourceOffset = 12;

    /// <summary>Offset of the destination address.</summary>
    public const int DestinationOffset = 16;

    /// <summary>Length of a header without options.</summary>
    public const int MinimumLength = 20;

    /// <summary>The "don't fragment" flag in the flags and fragment offset word.</summary>
    public const ushort DontFragmentFlag = 0x4000;

    /// <summary>The "more fragments" flag in the flags and fragment offset word.</summary>
    public const ushort MoreFragmentsFlag = 0x2000;

    /// <summary>The fragment offset (in 8-byte units) in the flags and fragment offset word.</summary>
    public const ushort FragmentOffsetMask = 0x1FFF;

    private readonly ReadOnlySpan<byte> _packet;

    private Ipv4Header(ReadOnlySpan<byte> packet)
    {
        _packet = packet;
    }

    /// <summary>
    /// Wraps the IPv4 packet at the start of <paramref name="bytes"/>: version 4, a header length of at least 20
    /// bytes, and a total length that covers the header and fits in the bytes. Ethernet padding after the total
    /// length is left out of the view.
    /// </summary>
    public static bool TryCreate(ReadOnlySpan<byte> bytes, out Ipv4Header header)
    {
        header = default;
        if (bytes.Length < MinimumLength || bytes[0] >> 4 != 4)
        {
            return false;
        }
        int headerLength = (bytes[0] & 0x0F) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(bytes[TotalLengthOffset..]);
        if (headerLength < MinimumLength || totalLength < headerLength || totalLength > bytes.Length)
        {
            return false;
        }
        header = new Ipv4Header(bytes[..totalLength]);
        return true;
    }

    /// <summary>The whole packet, header and payload, as far as the total length says.</summary>
    public ReadOnlySpan<byte> Packet => _packet;

    /// <summary>The header length in bytes, options included.</summary>
    public int HeaderLength => (_packet[0] & 0x0F) * 4;

    /// <summary>The DSCP/ECN byte.</summary>
    public byte TypeOfService => _packet[TypeOfServiceOffset];

    /// <summary>The total length field.</summary>
    public ushort TotalLength => ReadU16(TotalLengthOffset);

    /// <summary>The identification field.</summary>
    public ushort Identification => ReadU16(IdentificationOffset);

    /// <summary>The "don't fragment" flag.</summary>
    public bool DontFragment => (ReadU16(FlagsAndFragmentOffset) & DontFragmentFlag) != 0;

    /// <summary>The "more fragments" flag.</summary>
    public bool MoreFragments => (ReadU16(FlagsAndFragmentOffset) & MoreFragmentsFlag) != 0;

    /// <summary>The fragment offset in 8-byte units.</summary>
    public int FragmentOffset => ReadU16(FlagsAndFragmentOffset) & FragmentOffsetMask;

    /// <summary>The time to live.</summary>
    public byte TimeToLive => _packet[TimeToLiveOffset];

    /// <summary>The protocol of the payload (see <see cref="IpProtocol"/>).</summary>
    public byte Protocol => _packet[ProtocolOffset];

    /// <summary>The header checksum as stored.</summary>
    public ushort Checksum => ReadU16(ChecksumOffset);

    /// <summary>The source address in host order.</summary>
    public uint Source => BinaryPrimitives.ReadUInt32BigEndian(_packet[SourceOffset..]);

    /// <summary>The destination address in host order.</summary>
    public uint Destination => BinaryPrimitives.ReadUInt32BigEndian(_packet[DestinationOffset..]);

    /// <summary>The header bytes, options included.</summary>
    public ReadOnlySpan<byte> Header => _packet[..HeaderLength];

    /// <summary>The options (empty for a 20-byte header).</summary>
    public ReadOnlySpan<byte> Options => _packet[MinimumLength..HeaderLength];

    /// <summary>The payload, up to the total length.</summary>
    public ReadOnlySpan<byte> Payload => _packet[HeaderLength..];

    /// <summary>True when the header checksum verifies.</summary>
    public bool IsChecksumValid => InternetChecksum.Verify(Header);

    private ushort ReadU16(int offset) => BinaryPrimitives.ReadUInt16BigEndian(_packet[offset..]);
}
