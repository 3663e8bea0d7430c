// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets.Tests;

public sealed class LacpPduTests
{
    private static ReadOnlySpan<byte> CapturedPdu => Goldens.CapturedLacpFrame.AsSpan(14);

    [Fact]
    public void Captured_ovs_pdu_parses_to_the_values_the_spec_decodes()
    {
        Assert.True(LacpPdu.TryParse(CapturedPdu, out LacpPdu pdu));
        Assert.Equal(Goldens.CapturedActor, pdu.Actor);
        Assert.Equal(Goldens.CapturedPartner, pdu.Partner);
        Assert.Equal(0, pdu.CollectorMaxDelay);
        Assert.Equal(1, pdu.Version);
        Assert.Equal((LacpState)0x3d, pdu.Actor.State);
        Assert.Equal((LacpState)0x3f, pdu.Partner.State);
    }

    [Fact]
    public void View_exposes_raw_fields_and_the_capture_is_canonical()
    {
        Assert.True(LacpPduView.TryCreate(CapturedPdu, out LacpPduView view));
        Assert.Equal(110, view.Bytes.Length);
        Assert.Equal(1, view.Version);
        Assert.Equal(65534, view.Actor.SystemPriority);
        Assert.Equal(MacAddress.Parse("86:9d:12:82:b2:4a"), view.Actor.SystemId);
        Assert.Equal(2, view.Actor.PortNumber);
        Assert.Equal(1, view.Partner.PortNumber);
        Assert.Equal(0, view.CollectorMaxDelay);
        Assert.True(view.IsCanonical);
    }

    [Fact]
    public void Write_reproduces_the_captured_pdu_byte_for_byte()
    {
        Assert.True(LacpPdu.TryParse(CapturedPdu, out LacpPdu pdu));
        byte[] written = new byte[LacpPdu.Length];
        Array.Fill(written, (byte)0xEE);
        Assert.Equal(110, pdu.Write(written));
        Assert.Equal(Hex.Of(CapturedPdu), Hex.Of(written));
    }

    [Fact]
    public void Every_field_lands_at_its_spec_offset()
    {
        var pdu = new LacpPdu(
            new LacpParticipantInfo(0x0102, MacAddress.Parse("03:04:05:06:07:08"), 0x090a, 0x0b0c, 0x0d0e, (LacpState)0x0f),
            new LacpParticipantInfo(0x1112, MacAddress.Parse("13:14:15:16:17:18"), 0x191a, 0x1b1c, 0x1d1e, (LacpState)0x1f),
            CollectorMaxDelay: 0x2122);
        byte[] bytes = new byte[110];
        pdu.Write(bytes);
        Assert.Equal("01 01 01 14 0102 030405060708 090a 0b0c 0d0e 0f 000000".Replace(" ", "", StringComparison.Ordinal), Hex.Of(bytes.AsSpan(0, 22)));
        Assert.Equal("02 14 1112 131415161718 191a 1b1c 1d1e 1f 000000".Replace(" ", "", StringComparison.Ordinal), Hex.Of(bytes.AsSpan(22, 20)));
        Assert.Equal("0310 2122 000000000000000000000000 0000".Replace(" ", "", StringComparison.Ordinal), Hex.Of(bytes.AsSpan(42, 18)));
        Assert.All(bytes[60..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Receive_rule_ignores_version_collector_and_terminator_like_ovs()
    {
        byte[] odd = CapturedPdu.ToArray();
        odd[LacpPduView.VersionOffset] = 2;
        odd[LacpPduView.CollectorTlvTypeOffset] = 9;
        odd[LacpPduView.TerminatorLengthOffset] = 7;
        odd[LacpPduView.TrailingReservedOffset + 3] = 1;
        Assert.True(LacpPduView.TryCreate(odd, out LacpPduView view));
        Assert.False(view.IsCanonical);
        Assert.Equal(2, view.Version);
        LacpPdu pdu = view.ToPdu();
        byte[] rewritten = new byte[110];
        pdu.Write(rewritten);
        Assert.True(LacpPduView.TryCreate(rewritten, out LacpPduView again));
        Assert.True(again.IsCanonical);
        Assert.Equal(pdu, again.ToPdu());
    }

    [Theory]
    [InlineData(LacpPduView.SubtypeOffset, 3)]
    [InlineData(LacpPduView.ActorTlvTypeOffset, 2)]
    [InlineData(LacpPduView.ActorInfoLengthOffset, 19)]
    [InlineData(LacpPduView.PartnerTlvTypeOffset, 1)]
    [InlineData(LacpPduView.PartnerInfoLengthOffset, 21)]
    public void Wrong_subtype_or_tlv_header_is_a_bad_pdu(int offset, byte value)
    {
        byte[] bad = CapturedPdu.ToArray();
        bad[offset] = value;
        Assert.Equal(SlowProtocolsPduKind.Bad, LacpPduView.Classify(bad));
        Assert.False(LacpPdu.TryParse(bad, out _));
    }

    [Fact]
    public void Short_payloads_are_bad_and_markers_are_recognised()
    {
        Assert.Equal(SlowProtocolsPduKind.Bad, LacpPduView.Classify(CapturedPdu[..109]));
        Assert.False(LacpPduView.TryCreate(CapturedPdu[..109], out _));
        byte[] marker = new byte[110];
        marker[0] = LacpPduView.SubtypeMarker;
        Assert.Equal(SlowProtocolsPduKind.Marker, LacpPduView.Classify(marker));
        Assert.Equal(SlowProtocolsPduKind.Bad, LacpPduView.Classify(marker.AsSpan(0, 60)));
        Assert.Equal(SlowProtocolsPduKind.Lacp, LacpPduView.Classify(CapturedPdu));
    }

    [Fact]
    public void Parse_explains_each_kind_of_reject()
    {
        Assert.Equal(Goldens.CapturedActor, LacpPdu.Parse(CapturedPdu).Actor);
        Assert.Equal("an LACPDU is 110 bytes but only 50 are present",
            Assert.Throws<FormatException>(() => LacpPdu.Parse(Goldens.CapturedLacpFrame.AsSpan(14, 50))).Message);
        byte[] marker = CapturedPdu.ToArray();
        marker[0] = 2;
        Assert.Contains("Marker PDU", Assert.Throws<FormatException>(() => LacpPdu.Parse(marker)).Message, StringComparison.Ordinal);
        byte[] subtype = CapturedPdu.ToArray();
        subtype[0] = 9;
        Assert.Equal("Slow Protocols subtype 9 is not LACP (1)", Assert.Throws<FormatException>(() => LacpPdu.Parse(subtype)).Message);
        byte[] actor = CapturedPdu.ToArray();
        actor[3] = 21;
        Assert.Equal("the actor TLV is (type 1, length 21) instead of (1, 20)", Assert.Throws<FormatException>(() => LacpPdu.Parse(actor)).Message);
        byte[] partner = CapturedPdu.ToArray();
        partner[22] = 5;
        Assert.Equal("the partner TLV is (type 5, length 20) instead of (2, 20)", Assert.Throws<FormatException>(() => LacpPdu.Parse(partner)).Message);
    }

    [Fact]
    public void Longer_payloads_parse_from_the_first_110_bytes()
    {
        byte[] longer = [.. CapturedPdu, 0xde, 0xad];
        Assert.True(LacpPduView.TryCreate(longer, out LacpPduView view));
        Assert.Equal(110, view.Bytes.Length);
    }

    [Fact]
    public void Slow_protocols_multicast_is_the_reserved_lacp_address()
    {
        Assert.Equal("01:80:c2:00:00:02", LacpPdu.SlowProtocolsMulticast.ToString());
        Assert.True(LacpPdu.SlowProtocolsMulticast.IsReservedLinkLocal);
    }
}
