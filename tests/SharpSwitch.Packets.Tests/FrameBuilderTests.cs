// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets.Tests;

/// <summary>Every builder must emit exactly the golden bytes (the "construct" half of each golden).</summary>
public sealed class FrameBuilderTests
{
    private static readonly byte[] s_echoPayload = "abcdefgh"u8.ToArray();

    private static void AssertBuilds(byte[] expected, Func<byte[], int> build)
    {
        // Fill with a marker so that a builder relying on a zeroed buffer is caught.
        byte[] buffer = new byte[expected.Length + 16];
        Array.Fill(buffer, (byte)0xA5);
        int length = build(buffer);
        Assert.Equal(expected.Length, length);
        Assert.Equal(Hex.Of(expected), Hex.Of(buffer.AsSpan(0, length)));
        Assert.All(buffer[length..], b => Assert.Equal(0xA5, b));
    }

    [Fact]
    public void Icmp_echo_request_matches_golden()
    {
        AssertBuilds(Goldens.IcmpEchoRequest, b => FrameBuilder.WriteIcmpEchoFrame(
            b, new EthernetAddressing(Goldens.HostB, Goldens.HostA), Goldens.IpA, Goldens.IpB, isReply: false, 0x1234, 1, s_echoPayload));
    }

    [Fact]
    public void Icmp_echo_reply_matches_golden()
    {
        AssertBuilds(Goldens.IcmpEchoReply, b => FrameBuilder.WriteIcmpEchoFrame(
            b, new EthernetAddressing(Goldens.HostA, Goldens.HostB), Goldens.IpB, Goldens.IpA, isReply: true, 0x1234, 1, s_echoPayload));
    }

    [Fact]
    public void Tagged_udp_matches_golden()
    {
        AssertBuilds(Goldens.UdpVlan10, b => FrameBuilder.WriteUdpFrame(
            b, new EthernetAddressing(Goldens.HostB, Goldens.HostA, VlanTci: 10), Goldens.IpA, Goldens.IpB, 1234, 80, "abcd"u8));
    }

    [Fact]
    public void Tcp_syn_matches_golden()
    {
        AssertBuilds(Goldens.TcpSyn, b => FrameBuilder.WriteTcpFrame(
            b, new EthernetAddressing(Goldens.HostB, Goldens.HostA), Goldens.IpA, Goldens.IpB, 40000, 443, 1000, 0, TcpFlags.Syn, 65535, []));
    }

    [Fact]
    public void Udp_over_ipv6_matches_golden()
    {
        AssertBuilds(Goldens.Udp6, b => FrameBuilder.WriteUdp6Frame(
            b, new EthernetAddressing(MacAddress.Parse("33:33:00:01:00:02"), Goldens.HostA),
            new UInt128(0xfe80_0000_0000_0000, 1), new UInt128(0xfe80_0000_0000_0000, 2), 546, 547, "hi"u8));
    }

    [Fact]
    public void Arp_request_matches_golden()
    {
        AssertBuilds(Goldens.ArpRequest, b => FrameBuilder.WriteArpRequest(b, Goldens.HostA, Goldens.IpA, Goldens.IpB));
    }

    [Fact]
    public void Arp_reply_matches_golden()
    {
        AssertBuilds(Goldens.ArpReply, b => FrameBuilder.WriteArpReply(b, Goldens.HostB, Goldens.IpB, Goldens.HostA, Goldens.IpA));
    }

    [Fact]
    public void Learning_packet_is_the_42_byte_rarp_of_the_spec()
    {
        AssertBuilds(Goldens.LearningPacket, b => FrameBuilder.WriteLearningPacket(b, MacAddress.Parse("c2:05:e8:10:ab:2b")));
        Assert.Equal(42, Goldens.LearningPacket.Length);
    }

    [Fact]
    public void Learning_packet_on_a_vlan_carries_an_8021q_tag()
    {
        AssertBuilds(Goldens.LearningPacketVlan5, b => FrameBuilder.WriteLearningPacket(b, MacAddress.Parse("c2:05:e8:10:ab:2b"), vlanTci: 5));
    }

    [Fact]
    public void Lacp_frame_reproduces_the_ovs_capture()
    {
        var pdu = new LacpPdu(Goldens.CapturedActor, Goldens.CapturedPartner);
        AssertBuilds(Goldens.CapturedLacpFrame, b => FrameBuilder.WriteLacpFrame(b, Goldens.CapturedLacpSource, pdu));
        Assert.Equal(124, FrameBuilder.LacpFrameLength);
    }

    [Fact]
    public void Gratuitous_arp_has_equal_sender_and_target_ip()
    {
        byte[] buffer = new byte[64];
        int length = FrameBuilder.WriteGratuitousArp(buffer, Goldens.HostA, Goldens.IpA);
        Assert.Equal(Hex.Of(Hex.Bytes(
            "ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000001")),
            Hex.Of(buffer.AsSpan(0, length)));
    }

    [Fact]
    public void Ethernet_header_with_two_tags_puts_the_outer_tag_first()
    {
        byte[] buffer = new byte[22];
        int length = FrameBuilder.WriteEthernetHeader(buffer, Goldens.HostB, Goldens.HostA, EtherType.Ipv4,
            [new VlanTag(EtherType.ServiceVlan, 100), new VlanTag(EtherType.Vlan, VlanTci.Create(20, priority: 5))]);
        Assert.Equal(22, length);
        Assert.Equal("020000000002" + "020000000001" + "88a80064" + "8100a014" + "0800", Hex.Of(buffer));
    }

    [Fact]
    public void Pad_to_minimum_zero_fills_to_60_bytes()
    {
        byte[] buffer = new byte[64];
        Array.Fill(buffer, (byte)0xFF);
        int length = FrameBuilder.WriteArpRequest(buffer, Goldens.HostA, Goldens.IpA, Goldens.IpB);
        Assert.Equal(60, FrameBuilder.PadToMinimum(buffer, length));
        Assert.All(buffer[42..60], b => Assert.Equal(0, b));
        Assert.Equal(100, FrameBuilder.PadToMinimum(new byte[100], 100));
    }

    [Fact]
    public void Too_small_destination_is_a_clear_argument_error()
    {
        var error = Assert.Throws<ArgumentException>(() => FrameBuilder.WriteLearningPacket(new byte[41], Goldens.HostA));
        Assert.Contains("42 bytes", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new LacpPdu(Goldens.CapturedActor, Goldens.CapturedPartner).Write(new byte[109]));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameBuilder.WriteIpv4Header(new byte[20], IpProtocol.Udp, 1, 2, 65516));
        Assert.Throws<ArgumentOutOfRangeException>(() => VlanTci.Create(4096));
    }

    [Fact]
    public void Udp_checksum_that_computes_to_zero_is_sent_as_all_ones()
    {
        // Choose a payload word that makes the one's complement sum 0xffff, so the computed checksum is 0.
        byte[] frame = new byte[64];
        int length = FrameBuilder.WriteUdpFrame(frame, new EthernetAddressing(Goldens.HostB, Goldens.HostA), Goldens.IpA, Goldens.IpB, 1234, 80, [0, 0]);
        // Adding the first checksum (the complement of the sum) as a payload word makes the sum 0xffff.
        ushort adjust = (ushort)((frame[40] << 8) | frame[41]);
        int len2 = FrameBuilder.WriteUdpFrame(frame, new EthernetAddressing(Goldens.HostB, Goldens.HostA), Goldens.IpA, Goldens.IpB, 1234, 80,
            [(byte)(adjust >> 8), (byte)adjust]);
        Assert.Equal(length, len2);
        Assert.Equal(0xFF, frame[40]);
        Assert.Equal(0xFF, frame[41]);
        Assert.True(UdpHeader.TryCreate(frame.AsSpan(34, 10), out UdpHeader udp));
        Assert.True(udp.IsChecksumValidIpv4(Goldens.IpA, Goldens.IpB));
    }
}
