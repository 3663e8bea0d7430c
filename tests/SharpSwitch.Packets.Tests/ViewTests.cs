// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets.Tests;

/// <summary>The "deconstruct" half of each golden: every view reads back every field, and rejects short or inconsistent input.</summary>
public sealed class ViewTests
{
    [Fact]
    public void Ethernet_view_reads_untagged_frame()
    {
        Assert.True(EthernetFrame.TryCreate(Goldens.TcpSyn, out EthernetFrame frame));
        Assert.Equal(Goldens.HostB, frame.Destination);
        Assert.Equal(Goldens.HostA, frame.Source);
        Assert.Equal(0, frame.VlanTagCount);
        Assert.Equal(0, frame.OuterTci);
        Assert.Equal(0, frame.OuterTpid);
        Assert.Equal(EtherType.Ipv4, frame.EtherType);
        Assert.Equal(14, frame.HeaderLengthWithTags);
        Assert.Equal(Goldens.TcpSyn.Length - 14, frame.Payload.Length);
    }

    [Fact]
    public void Ethernet_view_reads_one_tag()
    {
        Assert.True(EthernetFrame.TryCreate(Goldens.UdpVlan10, out EthernetFrame frame));
        Assert.Equal(1, frame.VlanTagCount);
        Assert.Equal(EtherType.Vlan, frame.OuterTpid);
        Assert.Equal(10, frame.OuterTci);
        Assert.Equal(10, frame.OuterVlanId);
        Assert.Equal(0, frame.InnerTci);
        Assert.Equal(EtherType.Ipv4, frame.EtherType);
        Assert.Equal(18, frame.Header.Length);
    }

    [Fact]
    public void Ethernet_view_reads_two_tags_and_stops_at_the_third()
    {
        byte[] qinq = Hex.Bytes("020000000002 020000000001 88a8 0064 8100 a014 8100 0003 0800 00");
        Assert.True(EthernetFrame.TryCreate(qinq, out EthernetFrame frame));
        Assert.Equal(2, frame.VlanTagCount);
        Assert.Equal(EtherType.ServiceVlan, frame.OuterTpid);
        Assert.Equal(100, frame.OuterTci);
        Assert.Equal(EtherType.Vlan, frame.InnerTpid);
        Assert.Equal(0xa014, frame.InnerTci);
        Assert.Equal(5, VlanTci.Priority(frame.InnerTci));
        Assert.Equal(20, VlanTci.VlanId(frame.InnerTci));
        // Like OVS, a third tag is not parsed: its TPID is the EtherType.
        Assert.Equal(EtherType.Vlan, frame.EtherType);
        Assert.Equal(22, frame.HeaderLengthWithTags);
    }

    [Theory]
    [InlineData("")]
    [InlineData("020000000002 020000000001 08")]
    [InlineData("020000000002 020000000001 8100 000a")]
    [InlineData("020000000002 020000000001 8100 000a 08")]
    [InlineData("020000000002 020000000001 88a8 0064 8100 a014 08")]
    public void Ethernet_view_rejects_truncated_headers_and_tags(string hex)
    {
        Assert.False(EthernetFrame.TryCreate(Hex.Bytes(hex), out _));
    }

    [Fact]
    public void Arp_view_reads_request_and_reply()
    {
        Assert.True(ArpPacket.TryCreate(Goldens.ArpRequest.AsSpan(14), out ArpPacket request));
        Assert.Equal(ArpOperation.Request, request.Operation);
        Assert.Equal(Goldens.HostA, request.SenderHardwareAddress);
        Assert.Equal(Goldens.IpA, request.SenderProtocolAddress);
        Assert.Equal(MacAddress.Zero, request.TargetHardwareAddress);
        Assert.Equal(Goldens.IpB, request.TargetProtocolAddress);

        Assert.True(ArpPacket.TryCreate(Goldens.ArpReply.AsSpan(14), out ArpPacket reply));
        Assert.Equal(ArpOperation.Reply, reply.Operation);
        Assert.Equal(Goldens.HostB, reply.SenderHardwareAddress);
        Assert.Equal(Goldens.HostA, reply.TargetHardwareAddress);
        Assert.Equal(Goldens.IpA, reply.TargetProtocolAddress);
    }

    [Fact]
    public void Arp_view_reads_the_learning_rarp_and_ignores_padding()
    {
        byte[] padded = new byte[60];
        Goldens.LearningPacket.CopyTo(padded, 0);
        Assert.True(ArpPacket.TryCreate(padded.AsSpan(14), out ArpPacket rarp));
        Assert.Equal(ArpOperation.ReverseRequest, rarp.Operation);
        Assert.Equal(MacAddress.Parse("c2:05:e8:10:ab:2b"), rarp.SenderHardwareAddress);
        Assert.Equal(rarp.SenderHardwareAddress, rarp.TargetHardwareAddress);
        Assert.Equal(0u, rarp.SenderProtocolAddress);
        Assert.Equal(0u, rarp.TargetProtocolAddress);
        Assert.Equal(28, rarp.Bytes.Length);
    }

    [Fact]
    public void Arp_view_rejects_short_and_non_ethernet_ipv4_packets()
    {
        Assert.False(ArpPacket.TryCreate(Goldens.ArpRequest.AsSpan(14, 27), out _));
        byte[] tokenRing = Goldens.ArpRequest[14..];
        tokenRing[1] = 6;
        Assert.False(ArpPacket.TryCreate(tokenRing, out _));
        byte[] wrongLength = Goldens.ArpRequest[14..];
        wrongLength[4] = 8;
        Assert.False(ArpPacket.TryCreate(wrongLength, out _));
    }

    [Fact]
    public void Ipv4_view_reads_every_field_and_verifies_the_checksum()
    {
        Assert.True(Ipv4Header.TryCreate(Goldens.IcmpEchoRequest.AsSpan(14), out Ipv4Header ip));
        Assert.Equal(20, ip.HeaderLength);
        Assert.Equal(36, ip.TotalLength);
        Assert.Equal(0, ip.Identification);
        Assert.False(ip.DontFragment);
        Assert.False(ip.MoreFragments);
        Assert.Equal(0, ip.FragmentOffset);
        Assert.Equal(64, ip.TimeToLive);
        Assert.Equal(IpProtocol.Icmp, ip.Protocol);
        Assert.Equal(0x66d7, ip.Checksum);
        Assert.Equal(Goldens.IpA, ip.Source);
        Assert.Equal(Goldens.IpB, ip.Destination);
        Assert.Equal(0, ip.TypeOfService);
        Assert.True(ip.Options.IsEmpty);
        Assert.Equal(16, ip.Payload.Length);
        Assert.True(ip.IsChecksumValid);

        byte[] corrupted = Goldens.IcmpEchoRequest[14..];
        corrupted[Ipv4Header.TimeToLiveOffset]--;
        Assert.True(Ipv4Header.TryCreate(corrupted, out Ipv4Header bad));
        Assert.False(bad.IsChecksumValid);
    }

    [Fact]
    public void Ipv4_view_cuts_ethernet_padding_at_the_total_length()
    {
        byte[] padded = new byte[60];
        Goldens.IcmpEchoRequest.CopyTo(padded, 0);
        Assert.True(Ipv4Header.TryCreate(padded.AsSpan(14), out Ipv4Header ip));
        Assert.Equal(36, ip.Packet.Length);
    }

    [Fact]
    public void Ipv4_view_reads_options_and_fragment_fields()
    {
        // IHL 6 (one option word), DF clear, MF set, offset 0x0010.
        byte[] packet = Hex.Bytes("4600 0020 abcd 2010 0811 0000 0a000001 0a000002 01010100 0000000000000000");
        Assert.True(Ipv4Header.TryCreate(packet, out Ipv4Header ip));
        Assert.Equal(24, ip.HeaderLength);
        Assert.Equal(Hex.Bytes("01010100"), ip.Options.ToArray());
        Assert.True(ip.MoreFragments);
        Assert.Equal(0x10, ip.FragmentOffset);
        Assert.Equal(0xabcd, ip.Identification);
        Assert.Equal(8, ip.Payload.Length);
    }

    [Theory]
    [InlineData("4500 0014 0000 0000 4011 0000 0a000001 0a0000")] // 19 bytes
    [InlineData("6500 0014 0000 0000 4011 0000 0a000001 0a000002")] // version 6
    [InlineData("4400 0014 0000 0000 4011 0000 0a000001 0a000002")] // IHL 4
    [InlineData("4500 0013 0000 0000 4011 0000 0a000001 0a000002")] // total length below the header
    [InlineData("4500 0015 0000 0000 4011 0000 0a000001 0a000002")] // total length beyond the bytes
    [InlineData("4f00 0014 0000 0000 4011 0000 0a000001 0a000002")] // IHL 15 beyond the bytes
    public void Ipv4_view_rejects_inconsistent_headers(string hex)
    {
        Assert.False(Ipv4Header.TryCreate(Hex.Bytes(hex), out _));
    }

    [Fact]
    public void Ipv6_view_reads_every_field()
    {
        Assert.True(Ipv6Header.TryCreate(Goldens.Udp6.AsSpan(14), out Ipv6Header ip));
        Assert.Equal(0, ip.TrafficClass);
        Assert.Equal(0u, ip.FlowLabel);
        Assert.Equal(10, ip.PayloadLength);
        Assert.Equal(IpProtocol.Udp, ip.NextHeader);
        Assert.Equal(64, ip.HopLimit);
        Assert.Equal(new UInt128(0xfe80_0000_0000_0000, 1), ip.Source);
        Assert.Equal(new UInt128(0xfe80_0000_0000_0000, 2), ip.Destination);
        Assert.Equal(40, ip.Header.Length);
        Assert.Equal(10, ip.Payload.Length);

        byte[] classy = Hex.Bytes("6abcdef1 0000 3b 01" + new string('0', 64));
        Assert.True(Ipv6Header.TryCreate(classy, out Ipv6Header withClass));
        Assert.Equal(0xab, withClass.TrafficClass);
        Assert.Equal(0xcdef1u, withClass.FlowLabel);
    }

    [Fact]
    public void Ipv6_view_rejects_short_wrong_version_and_overlong_payload()
    {
        Assert.False(Ipv6Header.TryCreate(Goldens.Udp6.AsSpan(14, 39), out _));
        byte[] v4 = Goldens.Udp6[14..];
        v4[0] = 0x40;
        Assert.False(Ipv6Header.TryCreate(v4, out _));
        Assert.False(Ipv6Header.TryCreate(Goldens.Udp6.AsSpan(14, 49), out _));
    }

    [Fact]
    public void Icmp_view_reads_echo_fields_and_checksum()
    {
        Assert.True(Ipv4Header.TryCreate(Goldens.IcmpEchoReply.AsSpan(14), out Ipv4Header ip));
        Assert.True(IcmpHeader.TryCreate(ip.Payload, out IcmpHeader icmp));
        Assert.Equal(IcmpType.EchoReply, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0x5c35, icmp.Checksum);
        Assert.Equal(0x1234, icmp.Identifier);
        Assert.Equal(1, icmp.SequenceNumber);
        Assert.Equal("abcdefgh"u8.ToArray(), icmp.Payload.ToArray());
        Assert.True(icmp.IsChecksumValid);
        Assert.False(IcmpHeader.TryCreate(ip.Payload[..7], out _));
    }

    [Fact]
    public void Udp_view_reads_fields_and_verifies_checksums_over_both_ip_versions()
    {
        Assert.True(Ipv4Header.TryCreate(Goldens.UdpVlan10.AsSpan(18), out Ipv4Header ip));
        Assert.True(UdpHeader.TryCreate(ip.Payload, out UdpHeader udp));
        Assert.Equal(1234, udp.SourcePort);
        Assert.Equal(80, udp.DestinationPort);
        Assert.Equal(12, udp.TotalLength);
        Assert.Equal(0x21eb, udp.Checksum);
        Assert.Equal("abcd"u8.ToArray(), udp.Payload.ToArray());
        Assert.True(udp.IsChecksumValidIpv4(ip.Source, ip.Destination));
        Assert.False(udp.IsChecksumValidIpv4(ip.Source, ip.Destination + 1));

        Assert.True(Ipv6Header.TryCreate(Goldens.Udp6.AsSpan(14), out Ipv6Header ip6));
        Assert.True(UdpHeader.TryCreate(ip6.Payload, out UdpHeader udp6));
        Assert.True(udp6.IsChecksumValidIpv6(ip6.Source, ip6.Destination));
        Assert.False(udp6.IsChecksumValidIpv6(ip6.Destination, ip6.Destination));
    }

    [Theory]
    [InlineData("04d2 0050 000c 0000 616263")] // length 12, 11 bytes present
    [InlineData("04d2 0050 0007 0000 61626364")] // length below the header
    [InlineData("04d2 0050 00")]
    public void Udp_view_rejects_bad_lengths(string hex)
    {
        Assert.False(UdpHeader.TryCreate(Hex.Bytes(hex), out _));
    }

    [Fact]
    public void Tcp_view_reads_every_field_and_checksum()
    {
        Assert.True(Ipv4Header.TryCreate(Goldens.TcpSyn.AsSpan(14), out Ipv4Header ip));
        Assert.True(TcpHeader.TryCreate(ip.Payload, out TcpHeader tcp));
        Assert.Equal(40000, tcp.SourcePort);
        Assert.Equal(443, tcp.DestinationPort);
        Assert.Equal(1000u, tcp.SequenceNumber);
        Assert.Equal(0u, tcp.AcknowledgmentNumber);
        Assert.Equal(20, tcp.HeaderLength);
        Assert.Equal(TcpFlags.Syn, tcp.Flags);
        Assert.Equal(65535, tcp.WindowSize);
        Assert.Equal(0xf9fc, tcp.Checksum);
        Assert.Equal(0, tcp.UrgentPointer);
        Assert.True(tcp.Options.IsEmpty);
        Assert.True(tcp.Payload.IsEmpty);
        Assert.True(tcp.IsChecksumValidIpv4(ip.Source, ip.Destination));
    }

    [Fact]
    public void Tcp_view_rejects_bad_data_offsets()
    {
        byte[] segment = Goldens.TcpSyn[34..];
        segment[TcpHeader.DataOffsetOffset] = 0x40;
        Assert.False(TcpHeader.TryCreate(segment, out _));
        segment[TcpHeader.DataOffsetOffset] = 0x60;
        Assert.False(TcpHeader.TryCreate(segment, out _));
        Assert.False(TcpHeader.TryCreate(Goldens.TcpSyn.AsSpan(34, 19), out _));
    }
}
