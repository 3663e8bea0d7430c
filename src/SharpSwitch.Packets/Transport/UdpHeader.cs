// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>
/// A read-only view of a UDP datagram. <see cref="TryCreate"/> checks that the length field covers the header and
/// fits in the bytes; after it succeeds no accessor throws.
/// </summary>
public readonly ref struct UdpHeader
{
    /// <summary>Offset of the source port.</summary>
    public const int SourcePortOffset = 0;

    /// <summary>Offset of the destination port.</summary>
    public const int DestinationPortOffset = 2;

    /// <summary>Offset of the length (header plus payload).</summary>
    public const int LengthOffset = 4;

    /// <summary>Offset of the checksum.</summary>
    public const int ChecksumOffset = 6;

    /// <summary>Length of the header.</summary>
    public const int Length = 8;

    private readonly ReadOnlySpan<byte> _datagram;

    private UdpHeader(ReadOnlySpan<byte> datagram)
    {
        _datagram = datagram;
    }

    /// <summary>Wraps the UDP datagram at the start of <paramref name="bytes"/>, cut to its length field.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> bytes, out UdpHeader header)
    {
        header = default;
        if (bytes.Length < Length)
        {
            return false;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[LengthOffset..]);
        if (length < Length || length > bytes.Length)
        {
            return false;
        }
        header = new UdpHeader(bytes[..length]);
        return true;
    }

    /// <summary>The whole datagram.</summary>
    public ReadOnlySpan<byte> Datagram => _datagram;

    /// <summary>The source port.</summary>
    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_datagram);

    /// <summary>The destination port.</summary>
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_datagram[DestinationPortOffset..]);

    /// <summary>The length field.</summary>
    public ushort TotalLength => BinaryPrimitives.ReadUInt16BigEndian(_datagram[LengthOffset..]);

    /// <summary>The checksum as stored (0 means "none" over IPv4).</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_datagram[ChecksumOffset..]);

    /// <summary>The 8 header bytes.</summary>
    public ReadOnlySpan<byte> Header => _datagram[..Length];

    /// <summary>The payload.</summary>
    public ReadOnlySpan<byte> Payload => _datagram[Length..];

    /// <summary>True when the checksum is absent (0) or verifies against the IPv4 pseudo-header.</summary>
    public bool IsChecksumValidIpv4(uint source, uint destination)
    {
        if (Checksum == 0)
        {
            return true;
        }
        uint sum = InternetChecksum.AddIpv4PseudoHeader(0, source, destination, IpProtocol.Udp, _datagram.Length);
        return InternetChecksum.Finish(InternetChecksum.Add(sum, _datagram)) == 0;
    }

    /// <summary>True when the checksum verifies against the IPv6 pseudo-header (it is mandatory over IPv6).</summary>
    public bool IsChecksumValidIpv6(UInt128 source, UInt128 destination)
    {
        uint sum = InternetChecksum.AddIpv6PseudoHeader(0, source, destination, IpProtocol.Udp, _datagram.Length);
        return Checksum != 0 && InternetChecksum.Finish(InternetChecksum.Add(sum, _datagram)) == 0;
    }
}
