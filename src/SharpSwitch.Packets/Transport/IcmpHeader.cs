// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>ICMP and ICMPv6 message types the switch builds or recognises.</summary>
public static class IcmpType
{
    /// <summary>ICMPv4 echo reply.</summary>
    public const byte EchoReply = 0;

    /// <summary>ICMPv4 destination unreachable.</summary>
    public const byte DestinationUnreachable = 3;

    /// <summary>ICMPv4 echo request.</summary>
    public const byte EchoRequest = 8;

    /// <summary>ICMPv6 echo request.</summary>
    public const byte V6EchoRequest = 128;

    /// <summary>ICMPv6 echo reply.</summary>
    public const byte V6EchoReply = 129;

    /// <summary>ICMPv6 neighbour solicitation.</summary>
    public const byte V6NeighborSolicitation = 135;

    /// <summary>ICMPv6 neighbour advertisement.</summary>
    public const byte V6NeighborAdvertisement = 136;
}

/// <summary>
/// A read-only view of an ICMP or ICMPv6 message: type, code, checksum and the 4-byte rest-of-header (identifier and
/// sequence number for echo messages). <see cref="TryCreate"/> needs 8 bytes; after it succeeds no accessor throws.
/// </summary>
public readonly ref struct IcmpHeader
{
    /// <summary>Offset of the type.</summary>
    public const int TypeOffset = 0;

    /// <summary>Offset of the code.</summary>
    public const int CodeOffset = 1;

    /// <summary>Offset of the checksum.</summary>
    public const int ChecksumOffset = 2;

    /// <summary>Offset of the echo identifier.</summary>
    public const int IdentifierOffset = 4;

    /// <summary>Offset of the echo sequence number.</summary>
    public const int SequenceNumberOffset = 6;

    /// <summary>Length of the header (type, code, checksum and rest-of-header).</summary>
    public const int MinimumLength = 8;

    private readonly ReadOnlySpan<byte> _message;

    private IcmpHeader(ReadOnlySpan<byte> message)
    {
        _message = message;
    }

    /// <summary>Wraps the ICMP message that fills <paramref name="bytes"/> (the caller cuts it to the IP payload).</summary>
    public static bool TryCreate(ReadOnlySpan<byte> bytes, out IcmpHeader header)
    {
        header = default;
        if (bytes.Length < MinimumLength)
        {
            return false;
        }
        header = new IcmpHeader(bytes);
        return true;
    }

    /// <summary>The whole message.</summary>
    public ReadOnlySpan<byte> Message => _message;

    /// <summary>The message type.</summary>
    public byte Type => _message[TypeOffset];

    /// <summary>The message code.</summary>
    public byte Code => _message[CodeOffset];

    /// <summary>The checksum as stored.</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_message[ChecksumOffset..]);

    /// <summary>The echo identifier (meaningful for echo messages).</summary>
    public ushort Identifier => BinaryPrimitives.ReadUInt16BigEndian(_message[IdentifierOffset..]);

    /// <summary>The echo sequence number (meaningful for echo messages).</summary>
    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_message[SequenceNumberOffset..]);

    /// <summary>The 8 header bytes.</summary>
    public ReadOnlySpan<byte> Header => _message[..MinimumLength];

    /// <summary>The data after the header.</summary>
    public ReadOnlySpan<byte> Payload => _message[MinimumLength..];

    /// <summary>True when an ICMPv4 checksum (over the message alone) verifies.</summary>
    public bool IsChecksumValid => InternetChecksum.Verify(_message);

    /// <summary>True when an ICMPv6 checksum (which covers the IPv6 pseudo-header) verifies.</summary>
    public bool IsChecksumValidIpv6(UInt128 source, UInt128 destination)
    {
        uint sum = InternetChecksum.AddIpv6PseudoHeader(0, source, destination, IpProtocol.IcmpV6, _message.Length);
        return InternetChecksum.Finish(InternetChecksum.Add(sum, _message)) == 0;
    }
}
