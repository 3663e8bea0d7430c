// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>IPv4 and IPv6 headers and the ICMP, UDP and TCP frames built on them, with correct checksums.</summary>
public static partial class FrameBuilder
{
    /// <summary>The TTL and hop limit the builders use unless told otherwise (Linux's default).</summary>
    public const byte DefaultTimeToLive = 64;

    /// <summary>
    /// Writes a 20-byte IPv4 header for a payload of <paramref name="payloadLength"/> bytes, header checksum
    /// included, and returns 20.
    /// </summary>
    public static int WriteIpv4Header(
        Span<byte> destination,
        byte protocol,
        uint source,
        uint destinationAddress,
        int payloadLength,
        byte timeToLive = DefaultTimeToLive,
        ushort identification = 0,
        bool dontFragment = false,
        byte typeOfService = 0)
    {
        int totalLength = Ipv4Header.MinimumLength + payloadLength;
        if (payloadLength < 0 || totalLength > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadLength), payloadLength, "an IPv4 packet holds 0 to 65515 payload bytes");
        }
        EnsureRoom(destination, Ipv4Header.MinimumLength, "IPv4 header");
        Span<byte> header = destination[..Ipv4Header.MinimumLength];
        header[Ipv4Header.VersionAndLengthOffset] = 0x45;
        header[Ipv4Header.TypeOfServiceOffset] = typeOfService;
        BinaryPrimitives.WriteUInt16BigEndian(header[Ipv4Header.TotalLengthOffset..], (ushort)totalLength);
        BinaryPrimitives.WriteUInt16BigEndian(header[Ipv4Header.IdentificationOffset..], identification);
        BinaryPrimitives.WriteUInt16BigEndian(header[Ipv4Header.FlagsAndFragmentOffset..], dontFragment ? Ipv4Header.DontFragmentFlag : (ushort)0);
        header[Ipv4Header.TimeToLiveOffset] = timeToLive;
        header[Ipv4Header.ProtocolOffset] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(header[Ipv4Header.ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(header[Ipv4Header.SourceOffset..], source);
        BinaryPrimitives.WriteUInt32BigEndian(header[Ipv4Header.DestinationOffset..], destinationAddress);
        BinaryPrimitives.WriteUInt16BigEndian(header[Ipv4Header.ChecksumOffset..], InternetChecksum.Compute(header));
        return Ipv4Header.MinimumLength;
    }

    /// <summary>Writes a 40-byte IPv6 header for a payload of <paramref name="payloadLength"/> bytes and returns 40.</summary>
    public static int WriteIpv6Header(
        Span<byte> destination,
        byte nextHeader,
        UInt128 source,
        UInt128 destinationAddress,
        int payloadLength,
        byte hopLimit = DefaultTimeToLive,
        byte trafficClass = 0,
        uint flowLabel = 0)
    {
        if (payloadLength is < 0 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadLength), payloadLength, "an IPv6 payload holds 0 to 65535 bytes");
        }
        EnsureRoom(destination, Ipv6Header.Length, "IPv6 header");
        BinaryPrimitives.WriteUInt32BigEndian(destination, (6u << 28) | ((uint)trafficClass << 20) | (flowLabel & 0xFFFFF));
        BinaryPrimitives.WriteUInt16BigEndian(destination[Ipv6Header.PayloadLengthOffset..], (ushort)payloadLength);
        destination[Ipv6Header.NextHeaderOffset] = nextHeader;
        destination[Ipv6Header.HopLimitOffset] = hopLimit;
        BinaryPrimitives.WriteUInt128BigEndian(destination[Ipv6Header.SourceOffset..], source);
        BinaryPrimitives.WriteUInt128BigEndian(destination[Ipv6Header.DestinationOffset..], destinationAddress);
        return Ipv6Header.Length;
    }

    /// <summary>Writes an ICMPv4 echo request or reply message with its checksum and returns its length (8 + payload).</summary>
    public static int WriteIcmpEcho(Span<byte> destination, bool isReply, ushort identifier, ushort sequenceNumber, ReadOnlySpan<byte> payload)
    {
        int length = IcmpHeader.MinimumLength + payload.Length;
        EnsureRoom(destination, length, "ICMP echo message");
        Span<byte> message = destination[..length];
        message[IcmpHeader.TypeOffset] = isReply ? IcmpType.EchoReply : IcmpType.EchoRequest;
        message[IcmpHeader.CodeOffset] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(message[IcmpHeader.ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(message[IcmpHeader.IdentifierOffset..], identifier);
        BinaryPrimitives.WriteUInt16BigEndian(message[IcmpHeader.SequenceNumberOffset..], sequenceNumber);
        payload.CopyTo(message[IcmpHeader.MinimumLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(message[IcmpHeader.ChecksumOffset..], InternetChecksum.Compute(message));
        return length;
    }

    /// <summary>Writes an Ethernet + IPv4 + ICMP echo frame and returns its length.</summary>
    public static int WriteIcmpEchoFrame(
        Span<byte> destination,
        in EthernetAddressing ethernet,
        uint sourceIp,
        uint destinationIp,
        bool isReply,
        ushort identifier,
        ushort sequenceNumber,
        ReadOnlySpan<byte> payload)
    {
        int l3 = ethernet.HeaderLength;
        int icmpLength = IcmpHeader.MinimumLength + payload.Length;
        EnsureRoom(destination, l3 + Ipv4Header.MinimumLength + icmpLength, "ICMP echo frame");
        WriteEthernetHeader(destination, ethernet, EtherType.Ipv4);
        WriteIpv4Header(destination[l3..], IpProtocol.Icmp, sourceIp, destinationIp, icmpLength);
        return l3 + Ipv4Header.MinimumLength + WriteIcmpEcho(destination[(l3 + Ipv4Header.MinimumLength)..], isReply, identifier, sequenceNumber, payload);
    }

    /// <summary>Writes an Ethernet + IPv4 + UDP frame (UDP checksum computed; 0 is sent as 0xffff) and returns its length.</summary>
    public static int WriteUdpFrame(
        Span<byte> destination,
        in EthernetAddressing ethernet,
        uint sourceIp,
        uint destinationIp,
        ushort sourcePort,
        ushort destinationPort,
        ReadOnlySpan<byte> payload)
    {
        int l3 = ethernet.HeaderLength;
        int l4 = l3 + Ipv4Header.MinimumLength;
        int udpLength = UdpHeader.Length + payload.Length;
        EnsureRoom(destination, l4 + udpLength, "UDP frame");
        WriteEthernetHeader(destination, ethernet, EtherType.Ipv4);
        WriteIpv4Header(destination[l3..], IpProtocol.Udp, sourceIp, destinationIp, udpLength);
        Span<byte> datagram = destination.Slice(l4, udpLength);
        WriteUdpHeaderAndPayload(datagram, sourcePort, destinationPort, payload);
        uint sum = InternetChecksum.AddIpv4PseudoHeader(0, sourceIp, destinationIp, IpProtocol.Udp, udpLength);
        StoreUdpChecksum(datagram, InternetChecksum.Finish(InternetChecksum.Add(sum, datagram)));
        return l4 + udpLength;
    }

    /// <summary>Writes an Ethernet + IPv6 + UDP frame (UDP checksum mandatory over IPv6) and returns its length.</summary>
    public static int WriteUdp6Frame(
        Span<byte> destination,
        in EthernetAddressing ethernet,
        UInt128 sourceIp,
        UInt128 destinationIp,
        ushort sourcePort,
        ushort destinationPort,
        ReadOnlySpan<byte> payload)
    {
        int l3 = ethernet.HeaderLength;
        int l4 = l3 + Ipv6Header.Length;
        int udpLength = UdpHeader.Length + payload.Length;
        EnsureRoom(destination, l4 + udpLength, "UDP/IPv6 frame");
        WriteEthernetHeader(destination, ethernet, EtherType.Ipv6);
        WriteIpv6Header(destination[l3..], IpProtocol.Udp, sourceIp, destinationIp, udpLength);
        Span<byte> datagram = destination.Slice(l4, udpLength);
        WriteUdpHeaderAndPayload(datagram, sourcePort, destinationPort, payload);
        uint sum = InternetChecksum.AddIpv6PseudoHeader(0, sourceIp, destinationIp, IpProtocol.Udp, udpLength);
        StoreUdpChecksum(datagram, InternetChecksum.Finish(InternetChecksum.Add(sum, datagram)));
        return l4 + udpLength;
    }

    /// <summary>
    /// Writes an Ethernet + IPv4 + TCP segment frame with a 20-byte TCP header (no options), checksum computed,
    /// and returns its length.
    /// </summary>
    public static int WriteTcpFrame(
        Span<byte> destination,
        in EthernetAddressing ethernet,
        uint sourceIp,
        uint destinationIp,
        ushort sourcePort,
        ushort destinationPort,
        uint sequenceNumber,
        uint acknowledgmentNumber,
        TcpFlags flags,
        ushort windowSize,
        ReadOnlySpan<byte> payload)
    {
        int l3 = ethernet.HeaderLength;
        int l4 = l3 + Ipv4Header.MinimumLength;
        int segmentLength = TcpHeader.MinimumLength + payload.Length;
        EnsureRoom(destination, l4 + segmentLength, "TCP frame");
        WriteEthernetHeader(destination, ethernet, EtherType.Ipv4);
        WriteIpv4Header(destination[l3..], IpProtocol.Tcp, sourceIp, destinationIp, segmentLength);
        Span<byte> segment = destination.Slice(l4, segmentLength);
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment[TcpHeader.DestinationPortOffset..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment[TcpHeader.SequenceNumberOffset..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(segment[TcpHeader.AcknowledgmentNumberOffset..], acknowledgmentNumber);
        segment[TcpHeader.DataOffsetOffset] = (TcpHeader.MinimumLength / 4) << 4;
        segment[TcpHeader.FlagsOffset] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(segment[TcpHeader.WindowOffset..], windowSize);
        BinaryPrimitives.WriteUInt16BigEndian(segment[TcpHeader.ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(segment[TcpHeader.UrgentPointerOffset..], 0);
        payload.CopyTo(segment[TcpHeader.MinimumLength..]);
        uint sum = InternetChecksum.AddIpv4PseudoHeader(0, sourceIp, destinationIp, IpProtocol.Tcp, segmentLength);
        BinaryPrimitives.WriteUInt16BigEndian(segment[TcpHeader.ChecksumOffset..], InternetChecksum.Finish(InternetChecksum.Add(sum, segment)));
        return l4 + segmentLength;
    }

    private static void WriteUdpHeaderAndPayload(Span<byte> datagram, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        if (datagram.Length > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, "a UDP datagram holds at most 65527 payload bytes");
        }
        BinaryPrimitives.WriteUInt16BigEndian(datagram, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[UdpHeader.DestinationPortOffset..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[UdpHeader.LengthOffset..], (ushort)datagram.Length);
        BinaryPrimitives.WriteUInt16BigEndian(datagram[UdpHeader.ChecksumOffset..], 0);
        payload.CopyTo(datagram[UdpHeader.Length..]);
    }

    private static void StoreUdpChecksum(Span<byte> datagram, ushort checksum)
    {
        // A computed checksum of zero is sent as all ones, because zero means "no checksum" in UDP.
        BinaryPrimitives.WriteUInt16BigEndian(datagram[UdpHeader.ChecksumOffset..], checksum == 0 ? (ushort)0xFFFF : checksum);
    }
}
