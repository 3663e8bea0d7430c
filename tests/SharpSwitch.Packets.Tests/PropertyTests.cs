// SharpSwitch: an Open vSwitch-compatible virtual switch.
using CsCheck;

namespace SharpSwitch.Packets.Tests;

/// <summary>CsCheck properties: builders and parsers agree on random fields, and no parser throws on any input.</summary>
public sealed class PropertyTests
{
    private static readonly Gen<MacAddress> s_mac = Gen.ULong.Select(v => new MacAddress(v));
    private static readonly Gen<ushort?> s_vlanTci = Gen.Select(Gen.Bool, Gen.UShort, (tagged, tci) => tagged ? tci : (ushort?)null);
    private static readonly Gen<EthernetAddressing> s_ethernet = Gen.Select(s_mac, s_mac, s_vlanTci, (d, s, t) => new EthernetAddressing(d, s, t));
    private static readonly Gen<byte[]> s_payload = Gen.Byte.Array[0, 64];

    private static void AssertEthernet(in FlowKey key, in EthernetAddressing ethernet, ushort etherType)
    {
        Assert.Equal(ethernet.Destination, key.EthDst);
        Assert.Equal(ethernet.Source, key.EthSrc);
        Assert.Equal(ethernet.VlanTci.HasValue ? 1 : 0, key.VlanTagCount);
        Assert.Equal(ethernet.VlanTci ?? 0, key.OuterTci);
        Assert.Equal(etherType, key.EthType);
        Assert.Equal(ethernet.HeaderLength, key.L3Offset);
    }

    [Fact]
    public void Udp_frames_round_trip_through_extract_and_views()
    {
        Gen.Select(s_ethernet, Gen.UInt, Gen.UInt, Gen.UShort, Gen.UShort, s_payload).Sample((eth, src, dst, sport, dport, payload) =>
        {
            byte[] frame = new byte[200];
            int length = FrameBuilder.WriteUdpFrame(frame, eth, src, dst, sport, dport, payload);
            Assert.Equal(FrameParseStatus.Ok, FlowKey.Classify(frame.AsSpan(0, length), out FlowKey key));
            AssertEthernet(key, eth, EtherType.Ipv4);
            Assert.Equal((src, dst, IpProtocol.Udp, sport, dport), (key.Ipv4Src, key.Ipv4Dst, key.IpProto, key.L4Src, key.L4Dst));
            Assert.True(Ipv4Header.TryCreate(frame.AsSpan(key.L3Offset, length - key.L3Offset), out Ipv4Header ip));
            Assert.True(ip.IsChecksumValid);
            Assert.True(UdpHeader.TryCreate(ip.Payload, out UdpHeader udp));
            Assert.True(udp.IsChecksumValidIpv4(src, dst));
            Assert.NotEqual(0, udp.Checksum);
            Assert.Equal(payload, udp.Payload.ToArray());
        }, iter: 2000);
    }

    [Fact]
    public void Tcp_frames_round_trip_through_extract_and_views()
    {
        Gen.Select(s_ethernet, Gen.UInt, Gen.UInt, Gen.UShort, Gen.UShort, Gen.UInt, Gen.Byte, s_payload).Sample((eth, src, dst, sport, dport, seq, flags, payload) =>
        {
            byte[] frame = new byte[200];
            int length = FrameBuilder.WriteTcpFrame(frame, eth, src, dst, sport, dport, seq, ~seq, (TcpFlags)flags, (ushort)seq, payload);
            Assert.Equal(FrameParseStatus.Ok, FlowKey.Classify(frame.AsSpan(0, length), out FlowKey key));
            AssertEthernet(key, eth, EtherType.Ipv4);
            Assert.Equal((sport, dport), (key.L4Src, key.L4Dst));
            Assert.True(Ipv4Header.TryCreate(frame.AsSpan(key.L3Offset, length - key.L3Offset), out Ipv4Header ip));
            Assert.True(TcpHeader.TryCreate(ip.Payload, out TcpHeader tcp));
            Assert.Equal((seq, ~seq, (TcpFlags)flags, (ushort)seq), (tcp.SequenceNumber, tcp.AcknowledgmentNumber, tcp.Flags, tcp.WindowSize));
            Assert.True(tcp.IsChecksumValidIpv4(src, dst));
            Assert.Equal(payload, tcp.Payload.ToArray());
        }, iter: 2000);
    }

    [Fact]
    public void Icmp_echo_frames_round_trip()
    {
        Gen.Select(s_ethernet, Gen.UInt, Gen.UInt, Gen.Bool, Gen.UShort, Gen.UShort, s_payload).Sample((eth, src, dst, reply, id, seq, payload) =>
        {
            byte[] frame = new byte[200];
            int length = FrameBuilder.WriteIcmpEchoFrame(frame, eth, src, dst, reply, id, seq, payload);
            Assert.Equal(FrameParseStatus.Ok, FlowKey.Classify(frame.AsSpan(0, length), out FlowKey key));
            AssertEthernet(key, eth, EtherType.Ipv4);
            Assert.Equal(reply ? IcmpType.EchoReply : IcmpType.EchoRequest, key.L4Src);
            Assert.True(Ipv4Header.TryCreate(frame.AsSpan(key.L3Offset, length - key.L3Offset), out Ipv4Header ip));
            Assert.True(IcmpHeader.TryCreate(ip.Payload, out IcmpHeader icmp));
            Assert.True(icmp.IsChecksumValid);
            Assert.Equal((id, seq), (icmp.Identifier, icmp.SequenceNumber));
            Assert.Equal(payload, icmp.Payload.ToArray());
        }, iter: 2000);
    }

    [Fact]
    public void Udp6_frames_round_trip()
    {
        Gen<UInt128> address = Gen.Select(Gen.ULong, Gen.ULong, (hi, lo) => new UInt128(hi, lo));
        Gen.Select(s_ethernet, address, address, Gen.UShort, Gen.UShort, s_payload).Sample((eth, src, dst, sport, dport, payload) =>
        {
            byte[] frame = new byte[200];
            int length = FrameBuilder.WriteUdp6Frame(frame, eth, src, dst, sport, dport, payload);
            Assert.Equal(FrameParseStatus.Ok, FlowKey.Classify(frame.AsSpan(0, length), out FlowKey key));
            AssertEthernet(key, eth, EtherType.Ipv6);
            Assert.Equal((src, dst, sport, dport), (key.Ipv6Src, key.Ipv6Dst, key.L4Src, key.L4Dst));
            Assert.True(Ipv6Header.TryCreate(frame.AsSpan(key.L3Offset, length - key.L3Offset), out Ipv6Header ip));
            Assert.True(UdpHeader.TryCreate(ip.Payload, out UdpHeader udp));
            Assert.True(udp.IsChecksumValidIpv6(src, dst));
        }, iter: 2000);
    }

    [Fact]
    public void Arp_and_rarp_frames_round_trip()
    {
        Gen.Select(Gen.Bool, s_mac, s_mac, Gen.UInt, Gen.UInt, Gen.UShort[1, 4], s_vlanTci).Sample((reverse, sha, tha, spa, tpa, op, tci) =>
        {
            byte[] frame = new byte[64];
            ushort type = reverse ? EtherType.Rarp : EtherType.Arp;
            int length = FrameBuilder.WriteArp(frame, type, MacAddress.Broadcast, (ArpOperation)op, sha, spa, tha, tpa, tci);
            Assert.Equal(FrameParseStatus.Ok, FlowKey.Classify(frame.AsSpan(0, length), out FlowKey key));
            Assert.Equal((type, sha, tha, spa, tpa, (byte)op), (key.EthType, key.ArpSha, key.ArpTha, key.Ipv4Src, key.Ipv4Dst, key.IpProto));
            Assert.True(ArpPacket.TryCreate(frame.AsSpan(key.L3Offset, length - key.L3Offset), out ArpPacket arp));
            Assert.Equal(((ArpOperation)op, sha, spa, tha, tpa),
                (arp.Operation, arp.SenderHardwareAddress, arp.SenderProtocolAddress, arp.TargetHardwareAddress, arp.TargetProtocolAddress));
        }, iter: 2000);
    }

    [Fact]
    public void Lacp_pdus_round_trip_exactly()
    {
        Gen<LacpParticipantInfo> info = Gen.Select(Gen.UShort, s_mac, Gen.UShort, Gen.UShort, Gen.UShort, Gen.Byte,
            (priority, system, key, portPriority, port, state) => new LacpParticipantInfo(priority, system, key, portPriority, port, (LacpState)state));
        Gen.Select(info, info, Gen.UShort, Gen.Byte, s_mac).Sample((actor, partner, delay, version, member) =>
        {
            var pdu = new LacpPdu(actor, partner, delay, version);
            byte[] frame = new byte[FrameBuilder.LacpFrameLength];
            Assert.Equal(124, FrameBuilder.WriteLacpFrame(frame, member, pdu));
            Assert.True(FlowKey.TryExtract(frame, out FlowKey key));
            Assert.Equal(EtherType.SlowProtocols, key.EthType);
            Assert.True(LacpPduView.TryCreate(frame.AsSpan(key.L3Offset), out LacpPduView view));
            Assert.True(view.IsCanonical);
            Assert.Equal(pdu, view.ToPdu());
            byte[] again = new byte[LacpPdu.Length];
            view.ToPdu().Write(again);
            Assert.Equal(frame[14..], again);
        }, iter: 2000);
    }

    [Fact]
    public void Parsers_never_throw_on_random_bytes()
    {
        Gen.Byte.Array[0, 160].Sample(bytes => ParseEverything(bytes), iter: 20000);
    }

    [Fact]
    public void Parsers_never_throw_on_mutated_or_truncated_valid_frames()
    {
        byte[][] seeds =
        [
            Goldens.IcmpEchoRequest, Goldens.UdpVlan10, Goldens.TcpSyn, Goldens.Udp6, Goldens.ArpRequest,
            Goldens.LearningPacketVlan5, Goldens.CapturedLacpFrame,
        ];
        Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Int[0, 130], Gen.Int[0, 129], Gen.Byte).Sample((seed, cut, position, value) =>
        {
            byte[] frame = seeds[seed][..Math.Min(cut, seeds[seed].Length)];
            if (position < frame.Length)
            {
                frame[position] = value;
            }
            ParseEverything(frame);
        }, iter: 20000);
    }

    [Fact]
    public void Every_prefix_of_a_valid_frame_classifies_consistently()
    {
        foreach (byte[] frame in new[] { Goldens.UdpVlan10, Goldens.TcpSyn, Goldens.Udp6, Goldens.ArpReply, Goldens.IcmpEchoReply })
        {
            Assert.True(EthernetFrame.TryCreate(frame, out EthernetFrame full));
            for (int length = 0; length < frame.Length; length++)
            {
                FrameParseStatus status = FlowKey.Classify(frame.AsSpan(0, length), out FlowKey key);
                if (length < EthernetFrame.HeaderLength)
                {
                    Assert.Equal(FrameParseStatus.TooShort, status);
                }
                else if (length < full.HeaderLengthWithTags)
                {
                    Assert.Equal(FrameParseStatus.BadVlan, status);
                }
                else
                {
                    // The IP total length (or the ARP size) no longer fits, so the network layer is truncated.
                    Assert.Equal(FrameParseStatus.TruncatedL3, status);
                    Assert.True(key.L3Malformed);
                }
            }
            Assert.Equal(FrameParseStatus.Ok, FlowKey.Classify(frame, out _));
        }
    }

    /// <summary>Runs every parser and every accessor, and checks that the key agrees with the views.</summary>
    internal static void ParseEverything(ReadOnlySpan<byte> bytes)
    {
        bool extracted = FlowKey.TryExtract(bytes, out FlowKey key);
        bool framed = EthernetFrame.TryCreate(bytes, out EthernetFrame frame);
        Assert.Equal(framed, extracted);
        if (framed)
        {
            Assert.Equal(frame.Destination, key.EthDst);
            Assert.Equal(frame.Source, key.EthSrc);
            Assert.Equal(frame.VlanTagCount, key.VlanTagCount);
            Assert.Equal(frame.OuterTci, key.OuterTci);
            Assert.Equal(frame.InnerTci, key.InnerTci);
            _ = frame.Payload.Length + frame.OuterTpid + frame.InnerTpid + frame.EtherType;
        }
        _ = BondHash.TcpHash(key, 1) ^ BondHash.FiveTupleHash(key, 2) ^ BondHash.SlbHash(key.EthSrc, key.OuterVlanId, 3);
        for (int offset = 0; offset <= Math.Min(bytes.Length, 40); offset++)
        {
            ReadOnlySpan<byte> rest = bytes[offset..];
            if (ArpPacket.TryCreate(rest, out ArpPacket arp))
            {
                _ = arp.Operation.ToString() + arp.SenderHardwareAddress + arp.SenderProtocolAddress + arp.TargetHardwareAddress + arp.TargetProtocolAddress;
            }
            if (Ipv4Header.TryCreate(rest, out Ipv4Header ip))
            {
                _ = ip.IsChecksumValid.ToString() + ip.Options.Length + ip.Payload.Length + ip.FragmentOffset + ip.MoreFragments + ip.DontFragment
                    + ip.Source + ip.Destination + ip.Protocol + ip.TimeToLive + ip.Identification + ip.TypeOfService + ip.Checksum;
            }
            if (Ipv6Header.TryCreate(rest, out Ipv6Header ip6))
            {
                _ = ip6.Source.ToString() + ip6.Destination + ip6.FlowLabel + ip6.TrafficClass + ip6.HopLimit + ip6.NextHeader + ip6.Payload.Length;
            }
            if (UdpHeader.TryCreate(rest, out UdpHeader udp))
            {
                _ = udp.IsChecksumValidIpv4(1, 2).ToString() + udp.IsChecksumValidIpv6(1, 2) + udp.Payload.Length + udp.SourcePort + udp.DestinationPort;
            }
            if (TcpHeader.TryCreate(rest, out TcpHeader tcp))
            {
                _ = tcp.IsChecksumValidIpv4(1, 2).ToString() + tcp.Options.Length + tcp.Payload.Length + tcp.Flags + tcp.UrgentPointer + tcp.WindowSize
                    + tcp.SequenceNumber + tcp.AcknowledgmentNumber;
            }
            if (IcmpHeader.TryCreate(rest, out IcmpHeader icmp))
            {
                _ = icmp.IsChecksumValid.ToString() + icmp.IsChecksumValidIpv6(1, 2) + icmp.Identifier + icmp.SequenceNumber + icmp.Payload.Length;
            }
            if (LacpPduView.TryCreate(rest, out LacpPduView lacp))
            {
                Assert.Equal(SlowProtocolsPduKind.Lacp, LacpPduView.Classify(rest));
                _ = lacp.IsCanonical.ToString() + lacp.ToPdu();
            }
        }
    }
}
