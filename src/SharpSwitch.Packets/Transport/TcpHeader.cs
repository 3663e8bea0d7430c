// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>The TCP control bits of header byte 13.</summary>
[Flags]
public enum TcpFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>No more data from the sender.</summary>
    Fin = 0x01,

    /// <summary>Synchronise sequence numbers.</summary>
    Syn = 0x02,

    /// <summary>Reset the connection.</summary>
    Rst = 0x04,

    /// <summary>Push.</summary>
    Psh = 0x08,

    /// <summary>The acknowledgment number is valid.</summary>
    Ack = 0x10,

    /// <summary>The urgent pointer is valid.</summary>
    Urg = 0x20,

    /// <summary>ECN echo.</summary>
    Ece = 0x40,

    /// <summary>Congestion window reduced.</summary>
    Cwr = 0x80,
}

/// <summary>
/// A read-only view of a TCP segment. <see cref="TryCreate"/> checks that the data offset covers at least the
/// 20-byte header and fits in the bytes; after it succeeds no accessor throws.
/// </summary>
public readonly ref struct TcpHeader
{
    /// <summary>Offset of the source port.</summary>
    public const int SourcePortOffset = 0;

    /// <summary>Offset of the destination port.</summary>
    public const int DestinationPortOffset = 2;

    /// <summary>Offset of the sequence number.</summary>
    public const int SequenceNumberOffset = 4;

    /// <summary>Offset of the acknowledgment number.</summary>
    public const int AcknowledgmentNumberOffset = 8;

    /// <summary>Offset of the data offset (high nibble, in 32-bit words).</summary>
    public const int DataOffsetOffset = 12;

    /// <summary>Offset of the control bits.</summary>
    public const int FlagsOffset = 13;

    /// <summary>Offset of the window size.</summary>
    public const int WindowOffset = 14;

    /// <summary>Offset of the checksum.</summary>
    public const int ChecksumOffset = 16;

    /// <summary>Offset of the urgent pointer.</summary>
    public const int UrgentPointerOffset = 18;

    /// <summary>Length of a header without options.</summary>
    public const int MinimumLength = 20;

    private readonly ReadOnlySpan<byte> _segment;

    private TcpHeader(ReadOnlySpan<byte> segment)
    {
        _segment = segment;
    }

    /// <summary>Wraps the TCP segment that fills <paramref name="bytes"/> (the caller cuts it to the IP payload).</summary>
    public static bool TryCreate(ReadOnlySpan<byte> bytes, out TcpHeader header)
    {
        header = default;
        if (bytes.Length < MinimumLength)
        {
            return false;
        }
        int headerLength = (bytes[DataOffsetOffset] >> 4) * 4;
        if (headerLength < MinimumLength || headerLength > bytes.Length)
        {
            return false;
        }
        header = new TcpHeader(bytes);
        return true;
    }

    /// <summary>The whole segment.</summary>
    public ReadOnlySpan<byte> Segment => _segment;

    /// <summary>The source port.</summary>
    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_segment);

    /// <summary>The destination port.</summary>
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_segment[DestinationPortOffset..]);

    /// <summary>The sequence number.</summary>
    public uint SequenceNumber => BinaryPrimitives.ReadUInt32BigEndian(_segment[SequenceNumberOffset..]);

    /// <summary>The acknowledgment number.</summary>
    public uint AcknowledgmentNumber => BinaryPrimitives.ReadUInt32BigEndian(_segment[AcknowledgmentNumberOffset..]);

    /// <summary>The header length in bytes, options included.</summary>
    public int HeaderLength => (_segment[DataOffsetOffset] >> 4) * 4;

    /// <summary>The control bits.</summary>
    public TcpFlags Flags => (TcpFlags)_segment[FlagsOffset];

    /// <summary>The window size.</summary>
    public ushort WindowSize => BinaryPrimitives.ReadUInt16BigEndian(_segment[WindowOffset..]);

    /// <summary>The checksum as stored.</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_segment[ChecksumOffset..]);

    /// <summary>The urgent pointer.</summary>
    public ushort UrgentPointer => BinaryPrimitives.ReadUInt16BigEndian(_segment[UrgentPointerOffset..]);

    /// <summary>The header bytes, options included.</summary>
    public ReadOnlySpan<byte> Header => _segment[..HeaderLength];

    /// <summary>The options.</summary>
    public ReadOnlySpan<byte> Options => _segment[MinimumLength..HeaderLength];

    /// <summary>The payload.</summary>
    public ReadOnlySpan<byte> Payload => _segment[HeaderLength..];

    /// <summary>True when the checksum verifies against the IPv4 pseudo-header.</summary>
    public bool IsChecksumValidIpv4(uint source, uint destination)
    {
        uint sum = InternetChecksum.AddIpv4PseudoHeader(0, source, destination, IpProtocol.Tcp, _segment.Length);
        return InternetChecksum.Finish(InternetChecksum.Add(sum, _segment)) == 0;
    }
}
