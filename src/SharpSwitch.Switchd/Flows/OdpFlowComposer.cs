// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using SharpSwitch.Packets;

namespace SharpSwitch.Switchd.Flows;

/// <summary>
/// Builds the frame a datapath flow key describes, byte for byte as OVS 3.1's <c>netdev-dummy/receive</c> does
/// (checked against frames real ovs-vswitchd sent): fields the key leaves out are zero (IP identification, TCP
/// sequence numbers and window), a VLAN tag carries the TCI without its CFI bit, and without <c>--len</c> a TCP,
/// UDP or ICMP echo payload of 64 bytes counting up from 0 follows (none for SYN, FIN or RST). With <c>--len</c> the
/// frame gets no payload and is padded with zeros to the length, lengths and checksums fixed up afterwards.
/// </summary>
internal static class OdpFlowComposer
{
    /// <summary>The payload length OVS gives a composed packet when no length is asked for.</summary>
    public const int DefaultPayloadLength = 64;

    /// <summary>The smallest <c>--len</c> OVS accepts (an Ethernet frame without its FCS).</summary>
    public const int MinimumLength = 60;

    /// <summary>The largest frame this composer builds; longer <c>--len</c> values are refused by the caller.</summary>
    public const int MaximumLength = 65535;

    private const ushort LengthTypeNone = 0x05ff;
    private const ushort VlanCfi = 0x1000;
    private const ushort MoreFragments = 0x2000;
    private const ushort LaterFragmentOffset = 100;
    private const byte ProtocolIcmp = 1;
    private const byte ProtocolIgmp = 2;
    private const byte ProtocolTcp = 6;
    private const byte ProtocolUdp = 17;
    private const ushort TcpSynFinRst = 0x007;

    /// <summary>
    /// Composes the frame for <paramref name="flow"/>. Returns null when the key describes no Ethernet frame (no
    /// <c>eth()</c>), which OVS accepts but never delivers on an Ethernet port. With a <paramref name="length"/> the
    /// frame is padded to it; <paramref name="error"/> is set when the headers alone are longer.
    /// </summary>
    public static byte[]? Compose(OdpFlow flow, int? length, out string? error)
    {
        ArgumentNullException.ThrowIfNull(flow);
        error = null;
        if (!flow.HasEthernet)
        {
            return null;
        }
        int payloadLength = length is null ? DefaultPayloadLength : 0;
        // Headers are at most 18 + 28 (ARP) or 18 + 20 + 20 + payload, well inside this scratch size.
        Span<byte> scratch = stackalloc byte[256];
        int size = ComposeHeaders(flow, scratch, payloadLength, out Layout layout);
        if (length is not int wanted)
        {
            return scratch[..size].ToArray();
        }
        if (wanted < size)
        {
            error = $"a {size}-byte frame does not fit in --len {wanted}";
            return null;
        }
        byte[] frame = new byte[wanted];
        scratch[..size].CopyTo(frame);
        Expand(flow, frame, size, layout);
        return frame;
    }

    /// <summary>Where the layers of a composed frame start, for fixing lengths and checksums after padding.</summary>
    private readonly record struct Layout(int L3Offset, int L4Offset, ushort PayloadType, bool HasTransport);

    private static int ComposeHeaders(OdpFlow flow, Span<byte> frame, int payloadLength, out Layout layout)
    {
        ushort payloadType = flow.PayloadEtherType ?? LengthTypeNone;
        ushort tpid = flow.EtherType ?? EtherType.Vlan;
        flow.EthernetDestination.Write(frame);
        flow.EthernetSource.Write(frame[6..]);
        int offset = 12;
        if (flow.VlanTci is ushort tci && (tci & VlanCfi) != 0)
        {
            // OVS pushes the tag without the CFI bit, which in its flow only marks "a tag is present".
            BinaryPrimitives.WriteUInt16BigEndian(frame[offset..], tpid);
            BinaryPrimitives.WriteUInt16BigEndian(frame[(offset + 2)..], (ushort)(tci & ~VlanCfi));
            offset += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame[offset..], payloadType);
        offset += 2;
        int l3 = offset;
        layout = new Layout(l3, l3, payloadType, false);
        if (payloadType == LengthTypeNone)
        {
            // An Ethernet key without a type is an 802.3 frame whose length field holds the frame length.
            BinaryPrimitives.WriteUInt16BigEndian(frame[(l3 - 2)..], (ushort)l3);
            return l3;
        }
        if (payloadType == EtherType.Ipv4)
        {
            int l4 = l3 + Ipv4Header.MinimumLength;
            int l4Length = ComposeTransport(flow, frame[l4..], payloadLength);
            WriteIpv4(flow, frame[l3..], l4Length);
            FinishTransport(flow, frame.Slice(l3, l4 - l3 + l4Length), l4 - l3);
            layout = new Layout(l3, l4, payloadType, HasTransportHeader(flow));
            return l4 + l4Length;
        }
        if (payloadType is EtherType.Arp or EtherType.Rarp)
        {
            Span<byte> arp = frame.Slice(l3, ArpPacket.EthernetIpv4Length);
            arp.Clear();
            BinaryPrimitives.WriteUInt16BigEndian(arp, ArpPacket.HardwareTypeEthernet);
            BinaryPrimitives.WriteUInt16BigEndian(arp[ArpPacket.ProtocolTypeOffset..], EtherType.Ipv4);
            arp[ArpPacket.HardwareLengthOffset] = MacAddress.Size;
            arp[ArpPacket.ProtocolLengthOffset] = 4;
            // OVS keeps the ARP opcode in an 8-bit flow field, so only its low byte reaches the frame.
            byte operation = (byte)flow.ArpOperation;
            BinaryPrimitives.WriteUInt16BigEndian(arp[ArpPacket.OperationOffset..], operation);
            if (operation is 1 or 2)
            {
                flow.ArpSenderMac.Write(arp[ArpPacket.SenderHardwareAddressOffset..]);
                BinaryPrimitives.WriteUInt32BigEndian(arp[ArpPacket.SenderProtocolAddressOffset..], flow.ArpSenderIp);
                flow.ArpTargetMac.Write(arp[ArpPacket.TargetHardwareAddressOffset..]);
                BinaryPrimitives.WriteUInt32BigEndian(arp[ArpPacket.TargetProtocolAddressOffset..], flow.ArpTargetIp);
            }
            return l3 + ArpPacket.EthernetIpv4Length;
        }
        return l3;
    }

    private static bool HasTransportHeader(OdpFlow flow) => flow.Fragment != OdpFragment.Later;

    private static int ComposeTransport(OdpFlow flow, Span<byte> l4, int payloadLength)
    {
        if (!HasTransportHeader(flow))
        {
            return 0;
        }
        switch (flow.IpProtocol)
        {
            case ProtocolTcp:
            {
                l4[..TcpHeader.MinimumLength].Clear();
                BinaryPrimitives.WriteUInt16BigEndian(l4, flow.TransportSource);
                BinaryPrimitives.WriteUInt16BigEndian(l4[2..], flow.TransportDestination);
                BinaryPrimitives.WriteUInt16BigEndian(l4[12..], (ushort)((5 << 12) | (flow.TcpFlags & 0xFFF)));
                int payload = (flow.TcpFlags & TcpSynFinRst) != 0 ? 0 : payloadLength;
                WriteCountingPayload(l4.Slice(TcpHeader.MinimumLength, payload));
                return TcpHeader.MinimumLength + payload;
            }
            case ProtocolUdp:
            {
                l4[..UdpHeader.Length].Clear();
                BinaryPrimitives.WriteUInt16BigEndian(l4, flow.TransportSource);
                BinaryPrimitives.WriteUInt16BigEndian(l4[2..], flow.TransportDestination);
                BinaryPrimitives.WriteUInt16BigEndian(l4[4..], (ushort)(UdpHeader.Length + payloadLength));
                WriteCountingPayload(l4.Slice(UdpHeader.Length, payloadLength));
                return UdpHeader.Length + payloadLength;
            }
            case ProtocolIcmp:
            {
                l4[..IcmpHeader.MinimumLength].Clear();
                l4[0] = (byte)flow.TransportSource;
                l4[1] = (byte)flow.TransportDestination;
                // Only an echo request or reply carries a payload; other ICMP messages are bare headers.
                int payload = flow.TransportSource is 0 or 8 && flow.TransportDestination == 0 ? payloadLength : 0;
                WriteCountingPayload(l4.Slice(IcmpHeader.MinimumLength, payload));
                return IcmpHeader.MinimumLength + payload;
            }
            case ProtocolIgmp:
                l4[..8].Clear();
                l4[0] = (byte)flow.TransportSource;
                l4[1] = (byte)flow.TransportDestination;
                return 8;
            default:
                return 0;
        }
    }

    private static void WriteCountingPayload(Span<byte> payload)
    {
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)i;
        }
    }

    private static void WriteIpv4(OdpFlow flow, Span<byte> ip, int l4Length)
    {
        ip[..Ipv4Header.MinimumLength].Clear();
        ip[0] = 0x45;
        ip[1] = flow.IpTos;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(Ipv4Header.MinimumLength + l4Length));
        ushort fragment = flow.Fragment switch
        {
            OdpFragment.First => MoreFragments,
            OdpFragment.Later => MoreFragments | LaterFragmentOffset,
            _ => 0,
        };
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], fragment);
        ip[8] = flow.IpTtl;
        ip[9] = flow.IpProtocol;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], flow.Ipv4Source);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], flow.Ipv4Destination);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip[..Ipv4Header.MinimumLength]));
    }

    /// <summary>Computes the transport checksum over <paramref name="packet"/>[<paramref name="l4Offset"/>..] (the IP packet).</summary>
    private static void FinishTransport(OdpFlow flow, Span<byte> packet, int l4Offset)
    {
        if (!HasTransportHeader(flow))
        {
            return;
        }
        Span<byte> l4 = packet[l4Offset..];
        switch (flow.IpProtocol)
        {
            case ProtocolTcp when l4.Length >= TcpHeader.MinimumLength:
            {
                BinaryPrimitives.WriteUInt16BigEndian(l4[16..], 0);
                uint sum = InternetChecksum.AddIpv4PseudoHeader(0, flow.Ipv4Source, flow.Ipv4Destination, ProtocolTcp, l4.Length);
                BinaryPrimitives.WriteUInt16BigEndian(l4[16..], InternetChecksum.Finish(InternetChecksum.Add(sum, l4)));
                break;
            }
            case ProtocolUdp when l4.Length >= UdpHeader.Length:
            {
                BinaryPrimitives.WriteUInt16BigEndian(l4[6..], 0);
                uint sum = InternetChecksum.AddIpv4PseudoHeader(0, flow.Ipv4Source, flow.Ipv4Destination, ProtocolUdp, l4.Length);
                ushort checksum = InternetChecksum.Finish(InternetChecksum.Add(sum, l4));
                BinaryPrimitives.WriteUInt16BigEndian(l4[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
                break;
            }
            case ProtocolIcmp or ProtocolIgmp when l4.Length >= 4:
                BinaryPrimitives.WriteUInt16BigEndian(l4[2..], 0);
                BinaryPrimitives.WriteUInt16BigEndian(l4[2..], InternetChecksum.Compute(l4));
                break;
            default:
                break;
        }
    }

    /// <summary>Pads a composed frame with zeros (already in <paramref name="frame"/>) and fixes lengths and checksums.</summary>
    private static void Expand(OdpFlow flow, byte[] frame, int composedSize, Layout layout)
    {
        int extra = frame.Length - composedSize;
        if (layout.PayloadType == LengthTypeNone)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(layout.L3Offset - 2), (ushort)frame.Length);
            return;
        }
        if (layout.PayloadType != EtherType.Ipv4)
        {
            return;
        }
        Span<byte> ip = frame.AsSpan(layout.L3Offset);
        int l4Length = frame.Length - layout.L4Offset;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(layout.L4Offset - layout.L3Offset + l4Length));
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip[..Ipv4Header.MinimumLength]));
        if (layout.HasTransport && flow.IpProtocol == ProtocolUdp)
        {
            // OVS 3.1 adds the padding to a UDP length that already counts it, so the field overstates the datagram
            // by the padding; frames must match real OVS byte for byte, so this does the same.
            BinaryPrimitives.WriteUInt16BigEndian(ip[(layout.L4Offset - layout.L3Offset + 4)..], (ushort)(l4Length + extra));
        }
        FinishTransport(flow, ip, layout.L4Offset - layout.L3Offset);
    }
}
