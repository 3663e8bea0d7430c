// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>
/// A read-only view of the fixed IPv6 header and its payload. <see cref="TryCreate"/> checks the version and that
/// the payload length fits; after it succeeds no accessor throws. Extension headers are part of the payload.
/// </summary>
public readonly ref struct Ipv6Header
{
    /// <summary>Offset of the version, traffic class and flow label word.</summary>
    public const int VersionOffset = 0;

    /// <summary>Offset of the payload length.</summary>
    public const int PayloadLengthOffset = 4;

    /// <summary>Offset of the next header.</summary>
    public const int NextHeaderOffset = 6;

    /// <summary>Offset of the hop limit.</summary>
    public const int HopLimitOffset = 7;

    /// <summary>Offset of the source address.</summary>
    public const int SourceOffset = 8;

    /// <summary>Offset of the destination address.</summary>
    public const int DestinationOffset = 24;

    /// <summary>Length of the fixed header.</summary>
    public const int Length = 40;

    private readonly ReadOnlySpan<byte> _packet;

    private Ipv6Header(ReadOnlySpan<byte> packet)
    {
        _packet = packet;
    }

    /// <summary>Wraps the IPv6 packet at the start of <paramref name="bytes"/>; padding after the payload length is left out.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> bytes, out Ipv6Header header)
    {
        header = default;
        if (bytes.Length < Length || bytes[0] >> 4 != 6)
        {
            return false;
        }
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(bytes[PayloadLengthOffset..]);
        if (Length + payloadLength > bytes.Length)
        {
            return false;
        }
        header = new Ipv6Header(bytes[..(Length + payloadLength)]);
        return true;
    }

    /// <summary>The whole packet, fixed header and payload.</summary>
    public ReadOnlySpan<byte> Packet => _packet;

    /// <summary>The traffic class.</summary>
    public byte TrafficClass => (byte)(BinaryPrimitives.ReadUInt32BigEndian(_packet) >> 20);

    /// <summary>The 20-bit flow label.</summary>
    public uint FlowLabel => BinaryPrimitives.ReadUInt32BigEndian(_packet) & 0xFFFFF;

    /// <summary>The payload length field.</summary>
    public ushort PayloadLength => BinaryPrimitives.ReadUInt16BigEndian(_packet[PayloadLengthOffset..]);

    /// <summary>The next header (an extension header or the upper-layer protocol).</summary>
    public byte NextHeader => _packet[NextHeaderOffset];

    /// <summary>The hop limit.</summary>
    public byte HopLimit => _packet[HopLimitOffset];

    /// <summary>The source address, first byte in the most significant position.</summary>
    public UInt128 Source => BinaryPrimitives.ReadUInt128BigEndian(_packet[SourceOffset..]);

    /// <summary>The destination address.</summary>
    public UInt128 Destination => BinaryPrimitives.ReadUInt128BigEndian(_packet[DestinationOffset..]);

    /// <summary>The 40 header bytes.</summary>
    public ReadOnlySpan<byte> Header => _packet[..Length];

    /// <summary>The payload, extension headers included.</summary>
    public ReadOnlySpan<byte> Payload => _packet[Length..];
}
