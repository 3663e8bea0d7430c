// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Fuzz.Targets;

/// <summary>
/// Fuzz targets for the packet layer. "frames" runs the flow extractor and every view over a frame, checks that the
/// extractor and the views agree field by field, and that views re-emitted through the builders give back the very
/// header bytes they parsed. "lacpdu" parses a Slow Protocols payload and checks that writing the result back
/// reproduces the input whenever the input is canonical.
/// </summary>
internal static class FrameFuzzTargets
{
    [FuzzTarget("frames")]
    public static void FuzzFrames(ReadOnlySpan<byte> input)
    {
        FrameParseStatus status = FlowKey.Classify(input, out FlowKey key);
        bool framed = EthernetFrame.TryCreate(input, out EthernetFrame frame);
        Check(framed == status.HasEthernetFields(), $"EthernetFrame.TryCreate={framed} but the extractor said {status}");
        Check(FlowKey.TryExtract(input, out FlowKey again) == framed && again.Equals(key), "TryExtract and Classify disagree");
        _ = BondHash.TcpHash(key, 0) ^ BondHash.FiveTupleHash(key, 1) ^ BondHash.SlbHash(key.EthSrc, key.OuterVlanId, 2);
        if (!framed)
        {
            return;
        }

        CheckEthernet(frame, key);
        ReadOnlySpan<byte> l3 = input[key.L3Offset..];
        switch (key.EthType)
        {
            case EtherType.Ipv4:
                CheckIpv4(l3, key, status);
                break;
            case EtherType.Ipv6:
                CheckIpv6(l3, key, status);
                break;
            case EtherType.Arp:
            case EtherType.Rarp:
                CheckArp(l3, key, status);
                break;
            case EtherType.SlowProtocols:
                if (LacpPduView.TryCreate(l3, out LacpPduView lacp))
                {
                    CheckLacp(lacp);
                }
                break;
            default:
                Check(status == FrameParseStatus.Ok, $"EtherType {key.EthType:x4} has no L3 parser but the status is {status}");
                break;
        }
    }

    [FuzzTarget("lacpdu")]
    public static void FuzzLacpdu(ReadOnlySpan<byte> input)
    {
        SlowProtocolsPduKind kind = LacpPduView.Classify(input);
        bool parsed = LacpPdu.TryParse(input, out LacpPdu pdu);
        Check(parsed == (kind == SlowProtocolsPduKind.Lacp), $"TryParse={parsed} but Classify said {kind}");
        if (parsed && LacpPduView.TryCreate(input, out LacpPduView view))
        {
            Check(view.ToPdu() == pdu, "the view and TryParse disagree");
            CheckLacp(view);
        }
    }

    private static void CheckEthernet(EthernetFrame frame, in FlowKey key)
    {
        Check(frame.Destination == key.EthDst && frame.Source == key.EthSrc, "MAC addresses differ between view and key");
        Check(frame.VlanTagCount == key.VlanTagCount && frame.OuterTci == key.OuterTci && frame.InnerTci == key.InnerTci
            && frame.OuterTpid == key.OuterTpid && frame.InnerTpid == key.InnerTpid, "VLAN tags differ between view and key");
        Check(key.L3Offset >= frame.HeaderLengthWithTags, "the L3 offset lies inside the Ethernet header");

        Span<VlanTag> tags = stackalloc VlanTag[2];
        tags[0] = new VlanTag(frame.OuterTpid, frame.OuterTci);
        tags[1] = new VlanTag(frame.InnerTpid, frame.InnerTci);
        Span<byte> rebuilt = stackalloc byte[EthernetFrame.HeaderLength + (2 * EthernetFrame.VlanTagLength)];
        int length = FrameBuilder.WriteEthernetHeader(rebuilt, frame.Destination, frame.Source, frame.EtherType, tags[..frame.VlanTagCount]);
        CheckSame(frame.Header, rebuilt[..length], "Ethernet header");
    }

    private static void CheckIpv4(ReadOnlySpan<byte> l3, in FlowKey key, FrameParseStatus status)
    {
        bool viewed = Ipv4Header.TryCreate(l3, out Ipv4Header ip);
        Check(viewed == (status is FrameParseStatus.Ok or FrameParseStatus.TruncatedL4), $"Ipv4Header.TryCreate={viewed} with status {status}");
        if (!viewed)
        {
            return;
        }
        Check(ip.Source == key.Ipv4Src && ip.Destination == key.Ipv4Dst && ip.Protocol == key.IpProto, "IPv4 fields differ between view and key");
        Check((ip.FragmentOffset != 0) == ((key.IpFragment & IpFragment.Later) != 0), "fragment state differs between view and key");

        // A plain header (no options, no fragmentation bits besides DF, valid checksum) must be rebuilt byte for byte.
        ushort flags = (ushort)((ip.Header[Ipv4Header.FlagsAndFragmentOffset] << 8) | ip.Header[Ipv4Header.FlagsAndFragmentOffset + 1]);
        if (ip.HeaderLength == Ipv4Header.MinimumLength && (flags & ~Ipv4Header.DontFragmentFlag) == 0 && ip.IsChecksumValid)
        {
            Span<byte> rebuilt = stackalloc byte[Ipv4Header.MinimumLength];
            FrameBuilder.WriteIpv4Header(rebuilt, ip.Protocol, ip.Source, ip.Destination, ip.Payload.Length, ip.TimeToLive, ip.Identification, ip.DontFragment, ip.TypeOfService);
            CheckSame(ip.Header, rebuilt, "IPv4 header");
        }
        if (ip.FragmentOffset == 0)
        {
            CheckTransport(ip.Payload, key, status);
        }
    }

    private static void CheckIpv6(ReadOnlySpan<byte> l3, in FlowKey key, FrameParseStatus status)
    {
        bool viewed = Ipv6Header.TryCreate(l3, out Ipv6Header ip);
        if (status is FrameParseStatus.Ok or FrameParseStatus.TruncatedL4)
        {
            Check(viewed, "the extractor parsed IPv6 that the view rejects");
        }
        if (!viewed)
        {
            return;
        }
        Span<byte> rebuilt = stackalloc byte[Ipv6Header.Length];
        FrameBuilder.WriteIpv6Header(rebuilt, ip.NextHeader, ip.Source, ip.Destination, ip.PayloadLength, ip.HopLimit, ip.TrafficClass, ip.FlowLabel);
        CheckSame(ip.Header, rebuilt, "IPv6 header");
        if (status is FrameParseStatus.Ok or FrameParseStatus.TruncatedL4)
        {
            Check(ip.Source == key.Ipv6Src && ip.Destination == key.Ipv6Dst, "IPv6 addresses differ between view and key");
            if (ip.NextHeader == key.IpProto && key.IpFragment == IpFragment.None)
            {
                // No extension headers: the transport header starts right after the fixed header.
                CheckTransport(ip.Payload, key, status);
            }
        }
    }

    private static void CheckTransport(ReadOnlySpan<byte> l4, in FlowKey key, FrameParseStatus status)
    {
        bool viewed;
        switch (key.IpProto)
        {
            case IpProtocol.Tcp:
                viewed = TcpHeader.TryCreate(l4, out TcpHeader tcp);
                Check(!viewed || (tcp.SourcePort == key.L4Src && tcp.DestinationPort == key.L4Dst), "TCP ports differ between view and key");
                _ = viewed && tcp.IsChecksumValidIpv4(key.Ipv4Src, key.Ipv4Dst) && tcp.Payload.Length + tcp.Options.Length >= 0;
                break;
            case IpProtocol.Udp:
                // UDP's own length field may be shorter than the IP payload; the extractor only needs 8 bytes.
                viewed = l4.Length >= UdpHeader.Length;
                if (UdpHeader.TryCreate(l4, out UdpHeader udp))
                {
                    Check(udp.SourcePort == key.L4Src && udp.DestinationPort == key.L4Dst, "UDP ports differ between view and key");
                    _ = udp.IsChecksumValidIpv4(key.Ipv4Src, key.Ipv4Dst) || udp.IsChecksumValidIpv6(key.Ipv6Src, key.Ipv6Dst);
                }
                break;
            case IpProtocol.Icmp:
            case IpProtocol.IcmpV6:
                viewed = IcmpHeader.TryCreate(l4, out IcmpHeader icmp);
                Check(!viewed || (icmp.Type == key.L4Src && icmp.Code == key.L4Dst), "ICMP type/code differ between view and key");
                _ = viewed && icmp.IsChecksumValid && icmp.IsChecksumValidIpv6(key.Ipv6Src, key.Ipv6Dst);
                break;
            default:
                return;
        }
        Check(viewed == (status == FrameParseStatus.Ok), $"transport view says {viewed} but the status is {status}");
    }

    private static void CheckArp(ReadOnlySpan<byte> l3, in FlowKey key, FrameParseStatus status)
    {
        if (!ArpPacket.TryCreate(l3, out ArpPacket arp))
        {
            Check(key.Ipv4Src == 0 && key.ArpSha.IsZero, "the key has ARP fields the view cannot see");
            return;
        }
        Check(status == FrameParseStatus.Ok, $"complete ARP with status {status}");
        Check(arp.SenderHardwareAddress == key.ArpSha && arp.TargetHardwareAddress == key.ArpTha
            && arp.SenderProtocolAddress == key.Ipv4Src && arp.TargetProtocolAddress == key.Ipv4Dst, "ARP fields differ between view and key");
        Span<byte> rebuilt = stackalloc byte[EthernetFrame.HeaderLength + ArpPacket.EthernetIpv4Length];
        int length = FrameBuilder.WriteArp(rebuilt, key.EthType, key.EthDst, arp.Operation, arp.SenderHardwareAddress,
            arp.SenderProtocolAddress, arp.TargetHardwareAddress, arp.TargetProtocolAddress);
        CheckSame(arp.Bytes, rebuilt[EthernetFrame.HeaderLength..length], "ARP packet");
    }

    private static void CheckLacp(LacpPduView view)
    {
        LacpPdu pdu = view.ToPdu();
        Span<byte> written = stackalloc byte[LacpPdu.Length];
        pdu.Write(written);
        if (view.IsCanonical)
        {
            CheckSame(view.Bytes, written, "LACPDU");
        }
        Check(LacpPduView.TryCreate(written, out LacpPduView rewritten) && rewritten.IsCanonical && rewritten.ToPdu() == pdu,
            "a written LACPDU does not parse back to the same values");
    }

    private static void CheckSame(ReadOnlySpan<byte> parsed, ReadOnlySpan<byte> rebuilt, string what)
    {
        Check(parsed.SequenceEqual(rebuilt), $"{what} re-emitted differently:\n  parsed  {Convert.ToHexStringLower(parsed)}\n  rebuilt {Convert.ToHexStringLower(rebuilt)}");
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
