// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets.Tests;

/// <summary>
/// Frames that real OVS 3.1 sent on netdev-dummy members (recorded with the interface option tx_pcap, 2026-11-26):
/// bond learning packets after <c>bond/set-active-member</c> on an active-backup bond whose bridge had learned
/// 02:00:00:00:00:01 on VLAN 0 and 02:00:00:00:00:07 on VLAN 5, and the first two LACPDUs of a member (while the
/// partner was still defaulted, then after negotiation). The same bytes are seeds of the "frames" and "lacpdu" corpora.
/// </summary>
public sealed class OvsCapturedFrameTests
{
    private static readonly byte[] s_rarpVlan0 = Hex.Bytes("ffffffffffff020000000001803500010800060400030200000000010000000002000000000100000000");
    private static readonly byte[] s_rarpVlan5 = Hex.Bytes("ffffffffffff02000000000781000005803500010800060400030200000000070000000002000000000700000000");
    private static readonly byte[] s_lacpDefaulted = Hex.Bytes(
        "0180c2000002aa55aa550010880901010114fffeaa55aa5500000001ffff0002bf000000021400000000000000000000000000000200000003100000"
        + new string('0', 2 * (124 - 60)));
    private static readonly byte[] s_lacpNegotiated = Hex.Bytes(
        "0180c2000002aa55aa550010880901010114fffeaa55aa5500000001ffff00023f0000000214fffeaa66aa6600000001ffff0002bd0000000310"
        + new string('0', 2 * (124 - 58)));

    [Fact]
    public void Learning_packets_equal_what_ovs_sends()
    {
        byte[] buffer = new byte[64];
        int length = FrameBuilder.WriteLearningPacket(buffer, MacAddress.Parse("02:00:00:00:00:01"));
        Assert.Equal(Hex.Of(s_rarpVlan0), Hex.Of(buffer.AsSpan(0, length)));
        length = FrameBuilder.WriteLearningPacket(buffer, MacAddress.Parse("02:00:00:00:00:07"), vlanTci: 5);
        Assert.Equal(Hex.Of(s_rarpVlan5), Hex.Of(buffer.AsSpan(0, length)));
    }

    [Fact]
    public void Lacp_frames_from_ovs_parse_and_are_rewritten_byte_for_byte()
    {
        Assert.Equal(124, s_lacpDefaulted.Length);
        Assert.Equal(124, s_lacpNegotiated.Length);
        foreach (byte[] frame in new[] { s_lacpDefaulted, s_lacpNegotiated })
        {
            Assert.True(EthernetFrame.TryCreate(frame, out EthernetFrame ethernet));
            Assert.Equal(EtherType.SlowProtocols, ethernet.EtherType);
            Assert.True(LacpPdu.TryParse(ethernet.Payload, out LacpPdu pdu));
            byte[] rebuilt = new byte[124];
            FrameBuilder.WriteLacpFrame(rebuilt, ethernet.Source, pdu);
            Assert.Equal(Hex.Of(frame), Hex.Of(rebuilt));
        }
    }

    [Fact]
    public void Lacp_frames_from_ovs_carry_the_expected_actor_and_partner()
    {
        Assert.True(LacpPdu.TryParse(s_lacpDefaulted.AsSpan(14), out LacpPdu defaulted));
        var actor = new LacpParticipantInfo(0xfffe, MacAddress.Parse("aa:55:aa:55:00:00"), 1, 0xffff, 2,
            LacpState.Activity | LacpState.Timeout | LacpState.Aggregation | LacpState.Synchronization | LacpState.Collecting
            | LacpState.Distributing | LacpState.Expired);
        Assert.Equal(actor, defaulted.Actor);
        Assert.Equal(new LacpParticipantInfo(0, MacAddress.Zero, 0, 0, 0, LacpState.Timeout), defaulted.Partner);

        Assert.True(LacpPdu.TryParse(s_lacpNegotiated.AsSpan(14), out LacpPdu negotiated));
        Assert.Equal(actor with { State = (LacpState)0x3f }, negotiated.Actor);
        Assert.Equal(new LacpParticipantInfo(0xfffe, MacAddress.Parse("aa:66:aa:66:00:00"), 1, 0xffff, 2,
            LacpState.Activity | LacpState.Aggregation | LacpState.Synchronization | LacpState.Collecting | LacpState.Distributing | LacpState.Expired),
            negotiated.Partner);
        Assert.Equal(0, negotiated.CollectorMaxDelay);
    }
}
