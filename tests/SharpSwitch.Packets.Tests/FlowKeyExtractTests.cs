// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets.Tests;

public sealed class FlowKeyExtractTests
{
    private static FlowKey Extract(byte[] frame, FrameParseStatus expected = FrameParseStatus.Ok)
    {
        Assert.Equal(expected, FlowKey.Classify(frame, out FlowKey key));
        Assert.Equal(expected, key.ParseStatus);
        return key;
    }

    [Fact]
    public void Udp_on_vlan_10_fills_ethernet_vlan_ip_and_ports()
    {
        Assert.True(FlowKey.TryExtract(Goldens.UdpVlan10, out FlowKey key));
        Assert.Equal(Goldens.HostB, key.EthDst);
        Assert.Equal(Goldens.HostA, key.EthSrc);
        Assert.Equal(1, key.VlanTagCount);
        Assert.Equal(EtherType.Vlan, key.OuterTpid);
        Assert.Equal(10, key.OuterTci);
        Assert.Equal(10, key.OuterVlanId);
        Assert.Equal(EtherType.Ipv4, key.EthType);
        Assert.Equal(18, key.L3Offset);
        Assert.Equal(Goldens.IpA, key.Ipv4Src);
        Assert.Equal(Goldens.IpB, key.Ipv4Dst);
        Assert.Equal(IpProtocol.Udp, key.IpProto);
        Assert.Equal(38, key.L4Offset);
        Assert.Equal(1234, key.L4Src);
        Assert.Equal(80, key.L4Dst);
        Assert.Equal(IpFragment.None, key.IpFragment);
        Assert.False(key.L3Malformed);
    }

    [Fact]
    public void Tcp_fills_ports()
    {
        FlowKey key = Extract(Goldens.TcpSyn);
        Assert.Equal(0, key.VlanTagCount);
        Assert.Equal(0, key.OuterVlanId);
        Assert.Equal(IpProtocol.Tcp, key.IpProto);
        Assert.Equal(40000, key.L4Src);
        Assert.Equal(443, key.L4Dst);
        Assert.Equal(34, key.L4Offset);
    }

    [Fact]
    public void Icmp_puts_type_and_code_in_the_port_fields()
    {
        FlowKey key = Extract(Goldens.IcmpEchoRequest);
        Assert.Equal(IpProtocol.Icmp, key.IpProto);
        Assert.Equal(IcmpType.EchoRequest, key.L4Src);
        Assert.Equal(0, key.L4Dst);
    }

    [Fact]
    public void Ipv6_fills_128_bit_addresses()
    {
        FlowKey key = Extract(Goldens.Udp6);
        Assert.Equal(EtherType.Ipv6, key.EthType);
        Assert.Equal(new UInt128(0xfe80_0000_0000_0000, 1), key.Ipv6Src);
        Assert.Equal(new UInt128(0xfe80_0000_0000_0000, 2), key.Ipv6Dst);
        Assert.Equal(0u, key.Ipv4Src);
        Assert.Equal(IpProtocol.Udp, key.IpProto);
        Assert.Equal(546, key.L4Src);
        Assert.Equal(547, key.L4Dst);
        Assert.Equal(54, key.L4Offset);
    }

    [Fact]
    public void Arp_fills_ips_opcode_and_hardware_addresses()
    {
        FlowKey key = Extract(Goldens.ArpReply);
        Assert.Equal(EtherType.Arp, key.EthType);
        Assert.Equal(Goldens.IpB, key.Ipv4Src);
        Assert.Equal(Goldens.IpA, key.Ipv4Dst);
        Assert.Equal((byte)ArpOperation.Reply, key.IpProto);
        Assert.Equal(Goldens.HostB, key.ArpSha);
        Assert.Equal(Goldens.HostA, key.ArpTha);
        Assert.Equal(0, key.L4Src);
        Assert.Equal(0, key.L4Offset);
    }

    [Fact]
    public void Rarp_learning_packet_on_a_vlan_is_recognised()
    {
        FlowKey key = Extract(Goldens.LearningPacketVlan5);
        Assert.Equal(EtherType.Rarp, key.EthType);
        Assert.Equal(5, key.OuterVlanId);
        Assert.Equal((byte)ArpOperation.ReverseRequest, key.IpProto);
        Assert.Equal(MacAddress.Broadcast, key.EthDst);
        Assert.Equal(key.EthSrc, key.ArpSha);
        Assert.Equal(key.EthSrc, key.ArpTha);
        Assert.Equal(18, key.L3Offset);
    }

    [Fact]
    public void Arp_opcode_above_255_leaves_the_protocol_zero()
    {
        byte[] frame = (byte[])Goldens.ArpRequest.Clone();
        frame[20] = 0x01;
        FlowKey key = Extract(frame);
        Assert.Equal(0, key.IpProto);
        Assert.Equal(Goldens.IpA, key.Ipv4Src);
    }

    [Fact]
    public void Arp_for_other_hardware_types_is_opaque_but_not_malformed()
    {
        byte[] frame = (byte[])Goldens.ArpRequest.Clone();
        frame[15] = 6;
        FlowKey key = Extract(frame);
        Assert.Equal(EtherType.Arp, key.EthType);
        Assert.Equal(0u, key.Ipv4Src);
    }

    [Fact]
    public void Lacp_frame_has_slow_protocols_type_and_no_l3_fields()
    {
        FlowKey key = Extract(Goldens.CapturedLacpFrame);
        Assert.Equal(EtherType.SlowProtocols, key.EthType);
        Assert.Equal(14, key.L3Offset);
        Assert.True(key.EthDst.IsReservedLinkLocal);
    }

    [Fact]
    public void Two_tags_are_parsed_and_a_third_becomes_the_ethertype()
    {
        byte[] frame = Hex.Bytes("020000000002 020000000001 88a8 0064 8100 a014 8100 0003 0800 0000");
        FlowKey key = Extract(frame);
        Assert.Equal(2, key.VlanTagCount);
        Assert.Equal(EtherType.ServiceVlan, key.OuterTpid);
        Assert.Equal(100, key.OuterTci);
        Assert.Equal(EtherType.Vlan, key.InnerTpid);
        Assert.Equal(0xa014, key.InnerTci);
        Assert.Equal(100, key.OuterVlanId);
        Assert.Equal(EtherType.Vlan, key.EthType);
        Assert.Equal(22, key.L3Offset);
    }

    [Fact]
    public void Qinq_tagged_ipv4_reaches_l4()
    {
        byte[] inner = Goldens.TcpSyn;
        byte[] frame = [.. inner[..12], .. Hex.Bytes("88a8 0064 8100 0014"), .. inner[12..]];
        FlowKey key = Extract(frame);
        Assert.Equal(2, key.VlanTagCount);
        Assert.Equal(22, key.L3Offset);
        Assert.Equal(443, key.L4Dst);
    }

    [Theory]
    [InlineData("", FrameParseStatus.TooShort)]
    [InlineData("020000000002 020000000001 08", FrameParseStatus.TooShort)]
    [InlineData("020000000002 020000000001 8100 000a", FrameParseStatus.BadVlan)]
    [InlineData("020000000002 020000000001 8100 000a 08", FrameParseStatus.BadVlan)]
    [InlineData("020000000002 020000000001 88a8 0064 8100 0014 08", FrameParseStatus.BadVlan)]
    public void Frames_without_complete_ethernet_and_vlan_headers_are_rejected(string hex, FrameParseStatus status)
    {
        Assert.False(FlowKey.TryExtract(Hex.Bytes(hex), out FlowKey key));
        Assert.Equal(status, key.ParseStatus);
        Assert.Equal(MacAddress.Zero, key.EthSrc);
        Assert.Equal(0, key.EthType);
    }

    [Fact]
    public void Truncated_ip_header_keeps_ethernet_fields_and_zeroes_l3()
    {
        FlowKey key = Extract(Goldens.TcpSyn[..30], FrameParseStatus.TruncatedL3);
        Assert.True(key.L3Malformed);
        Assert.Equal(Goldens.HostA, key.EthSrc);
        Assert.Equal(EtherType.Ipv4, key.EthType);
        Assert.Equal(0u, key.Ipv4Src);
        Assert.Equal(0, key.IpProto);
        Assert.True(FlowKey.TryExtract(Goldens.TcpSyn[..30], out _));
    }

    [Fact]
    public void Ip_total_length_beyond_the_frame_is_truncated_l3()
    {
        Extract(Goldens.TcpSyn[..(Goldens.TcpSyn.Length - 1)], FrameParseStatus.TruncatedL3);
    }

    [Theory]
    [InlineData(14, 0x65)] // version 6 in an IPv4 EtherType
    [InlineData(14, 0x44)] // header length 16
    public void Inconsistent_ipv4_headers_are_bad_l3(int offset, byte value)
    {
        byte[] frame = (byte[])Goldens.TcpSyn.Clone();
        frame[offset] = value;
        FlowKey key = Extract(frame, FrameParseStatus.BadL3);
        Assert.True(key.L3Malformed);
        Assert.Equal(0u, key.Ipv4Dst);
    }

    [Fact]
    public void Total_length_shorter_than_the_header_is_bad_l3()
    {
        byte[] frame = (byte[])Goldens.TcpSyn.Clone();
        frame[17] = 19;
        Extract(frame, FrameParseStatus.BadL3);
    }

    [Fact]
    public void Truncated_transport_header_keeps_l3_and_zeroes_ports()
    {
        // Shorten the IP total length so that only 10 bytes of TCP remain inside the datagram.
        byte[] frame = Goldens.TcpSyn[..44];
        frame[17] = 30;
        FlowKey key = Extract(frame, FrameParseStatus.TruncatedL4);
        Assert.True(key.L3Malformed);
        Assert.Equal(Goldens.IpB, key.Ipv4Dst);
        Assert.Equal(IpProtocol.Tcp, key.IpProto);
        Assert.Equal(0, key.L4Src);
        Assert.Equal(0, key.L4Offset);
    }

    [Fact]
    public void Ethernet_padding_is_not_taken_as_transport_bytes()
    {
        // A UDP datagram whose IP total length stops inside the UDP header, padded to 60 bytes with zeros.
        byte[] frame = new byte[60];
        Goldens.TcpSyn.AsSpan(0, 34).CopyTo(frame);
        frame[17] = 24; // total length 24: 4 bytes of transport
        frame[23] = IpProtocol.Udp;
        Extract(frame, FrameParseStatus.TruncatedL4);
    }

    [Fact]
    public void Later_fragments_have_no_ports_and_first_fragments_keep_them()
    {
        byte[] later = (byte[])Goldens.TcpSyn.Clone();
        later[20] = 0x00;
        later[21] = 0x10;
        FlowKey laterKey = Extract(later);
        Assert.Equal(IpFragment.Any | IpFragment.Later, laterKey.IpFragment);
        Assert.Equal(IpProtocol.Tcp, laterKey.IpProto);
        Assert.Equal(0, laterKey.L4Src);

        byte[] first = (byte[])Goldens.TcpSyn.Clone();
        first[20] = 0x20;
        FlowKey firstKey = Extract(first);
        Assert.Equal(IpFragment.Any, firstKey.IpFragment);
        Assert.Equal(40000, firstKey.L4Src);
    }

    [Fact]
    public void Ipv6_extension_headers_are_walked_to_the_transport_protocol()
    {
        // Hop-by-hop (8 bytes) then destination options (16 bytes) then UDP.
        byte[] ext = Hex.Bytes("3c00 0000 0000 0000" + "1101 0000 0000 0000 0000 0000 0000 0000");
        byte[] udp = Goldens.Udp6[54..];
        byte[] frame = [.. Goldens.Udp6[..54], .. ext, .. udp];
        frame[18] = 0;
        frame[19] = (byte)(ext.Length + udp.Length);
        frame[20] = IpProtocol.HopByHopOptions;
        FlowKey key = Extract(frame);
        Assert.Equal(IpProtocol.Udp, key.IpProto);
        Assert.Equal(546, key.L4Src);
        Assert.Equal(54 + 24, key.L4Offset);
    }

    [Fact]
    public void Ipv6_fragments_report_fragment_state()
    {
        byte[] udp = Goldens.Udp6[54..];
        byte[] firstFragment = [.. Goldens.Udp6[..54], .. Hex.Bytes("1100 0001 0000 0001"), .. udp];
        firstFragment[19] = (byte)(8 + udp.Length);
        firstFragment[20] = IpProtocol.Ipv6Fragment;
        FlowKey first = Extract(firstFragment);
        Assert.Equal(IpFragment.Any, first.IpFragment);
        Assert.Equal(547, first.L4Dst);

        byte[] laterFragment = (byte[])firstFragment.Clone();
        laterFragment[56] = 0x01; // offset 0x100 >> 3
        FlowKey later = Extract(laterFragment);
        Assert.Equal(IpFragment.Any | IpFragment.Later, later.IpFragment);
        Assert.Equal(IpProtocol.Udp, later.IpProto);
        Assert.Equal(0, later.L4Dst);
    }

    [Fact]
    public void Truncated_ipv6_extension_header_is_truncated_l3()
    {
        byte[] frame = [.. Goldens.Udp6[..54], .. Hex.Bytes("1101 0000")];
        frame[18] = 0;
        frame[19] = 4;
        frame[20] = IpProtocol.Ipv6DestinationOptions;
        FlowKey key = Extract(frame, FrameParseStatus.TruncatedL3);
        Assert.Equal(UInt128.Zero, key.Ipv6Src);
    }

    [Fact]
    public void Ipv6_with_wrong_version_is_bad_l3_and_short_is_truncated()
    {
        byte[] frame = (byte[])Goldens.Udp6.Clone();
        frame[14] = 0x45;
        Extract(frame, FrameParseStatus.BadL3);
        Extract(Goldens.Udp6[..50], FrameParseStatus.TruncatedL3);
    }

    [Fact]
    public void Truncated_arp_is_truncated_l3()
    {
        Extract(Goldens.ArpRequest[..41], FrameParseStatus.TruncatedL3);
        Extract(Goldens.ArpRequest[..20], FrameParseStatus.TruncatedL3);
    }

    [Fact]
    public void Llc_snap_frames_carry_their_inner_ethertype_and_plain_8023_frames_report_none()
    {
        byte[] snapArp = [.. Goldens.ArpRequest[..12], .. Hex.Bytes("0024 aaaa03 000000 0806"), .. Goldens.ArpRequest[14..]];
        FlowKey key = Extract(snapArp);
        Assert.Equal(EtherType.Arp, key.EthType);
        Assert.Equal(22, key.L3Offset);
        Assert.Equal(Goldens.IpB, key.Ipv4Dst);

        byte[] stp = Hex.Bytes("0180c2000000 020000000001 0026 424203 0000 0000000000000000000000");
        FlowKey stpKey = Extract(stp);
        Assert.Equal(EtherType.None, stpKey.EthType);
        Assert.Equal(14, stpKey.L3Offset);
    }

    [Fact]
    public void Classification_names_are_stable_counter_names()
    {
        Assert.Equal("ok", FrameParseStatus.Ok.ToCounterName());
        Assert.Equal("too-short", FrameParseStatus.TooShort.ToCounterName());
        Assert.Equal("bad-vlan", FrameParseStatus.BadVlan.ToCounterName());
        Assert.Equal("truncated-l3", FrameParseStatus.TruncatedL3.ToCounterName());
        Assert.Equal("bad-l3", FrameParseStatus.BadL3.ToCounterName());
        Assert.Equal("truncated-l4", FrameParseStatus.TruncatedL4.ToCounterName());
        Assert.False(FrameParseStatus.Ok.IsL3Malformed());
        Assert.False(FrameParseStatus.BadVlan.HasEthernetFields());
    }
}
