// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;
using static SharpSwitch.Bonding.Tests.LacpTestSettings;

namespace SharpSwitch.Bonding.Tests;

/// <summary>The LACP engine against OVS 3.1's lib/lacp.c behaviour (bonding-spec.md §D), under virtual time.</summary>
public sealed class LacpEngineTests
{
    private static (LacpWire Wire, Lacp A, Lacp B) Pair(bool aActive = true, bool bActive = true, bool aFast = true, bool bFast = true)
    {
        var wire = new LacpWire();
        Lacp a = wire.Add(Make("bondA", SysA, aActive, aFast), ("va1", 1), ("va2", 2));
        Lacp b = wire.Add(Make("bondB", SysB, bActive, bFast), ("vb1", 1), ("vb2", 2));
        wire.Cable(a, "va1", b, "vb2");
        wire.Cable(a, "va2", b, "vb1");
        return (wire, a, b);
    }

    [Fact]
    public void FirstPduCarriesTheConfiguredActorAndAZeroPartner()
    {
        var sent = new List<(string, LacpPdu)>();
        var lacp = new Lacp(Make("bond0", SysA, active: true, fast: true) with { SystemPriority = 100 });
        lacp.AddOrUpdateMember("eth0", new LacpMemberSettings { PortId = 7, PortPriority = 22 }, true, 0);
        lacp.AddOrUpdateMember("eth1", new LacpMemberSettings { PortId = 8, Key = 44 }, true, 0);

        lacp.Run(0, (LacpMember m, in LacpPdu p) => sent.Add((m.Name, p)));

        Assert.Equal(2, sent.Count);
        (string name, LacpPdu pdu) = sent[0];
        Assert.Equal("eth0", name);
        // A new member of an active port is expired at once (OVS lacp_member_register), and an expired member with a
        // zeroed partner is attached and can lead: the port claims "negotiated" (OVS's quirk, §D.6 item 3).
        Assert.Equal(new LacpParticipantInfo(100, SysA, 7, 22, 7,
            LacpState.Activity | LacpState.Timeout | LacpState.Aggregation | LacpState.Synchronization | LacpState.Collecting
            | LacpState.Distributing | LacpState.Expired), pdu.Actor);
        Assert.True(lacp.Negotiated);
        Assert.False(lacp.MayEnable("eth0"));
        // Expiry set the (zeroed) partner's Timeout bit, so the port transmits fast towards an unknown partner.
        Assert.Equal(new LacpParticipantInfo(0, MacAddress.Zero, 0, 0, 0, LacpState.Timeout), pdu.Partner);
        Assert.Equal(0, pdu.CollectorMaxDelay);
        // The key is the key member's (eth0's port id): eth1's lacp-aggregation-key=44 is ignored (§H item 10).
        Assert.Equal(7, sent[1].Item2.Actor.Key);
        Assert.Equal((ushort)7, lacp.AggregationKey);

        var frame = new byte[FrameBuilder.LacpFrameLength];
        Assert.Equal(124, FrameBuilder.WriteLacpFrame(frame, MacAddress.Parse("62:01:3d:3b:27:63"), pdu));
        Assert.Equal(new byte[] { 0x01, 0x80, 0xc2, 0, 0, 2, 0x62, 0x01, 0x3d, 0x3b, 0x27, 0x63, 0x88, 0x09, 1, 1, 1, 20, 0, 100 }, frame[..20]);
    }

    [Fact]
    public void TheKeyMembersOwnKeyIsTheAggregationKeyAndMovesWhenItLeaves()
    {
        var lacp = new Lacp(Make("bond0", SysA));
        lacp.AddOrUpdateMember("bs5", new LacpMemberSettings { PortId = 6, Key = 33 }, true, 0);
        lacp.AddOrUpdateMember("bs6", new LacpMemberSettings { PortId = 7 }, true, 0);
        Assert.Equal((ushort)33, lacp.AggregationKey);
        lacp.RemoveMember("bs5", 0);
        Assert.Equal((ushort)7, lacp.AggregationKey);
        lacp.AddOrUpdateMember("bs6", new LacpMemberSettings { PortId = 7, Key = 44 }, true, 0);
        Assert.Equal((ushort)44, lacp.AggregationKey);
        lacp.RemoveMember("bs6", 0);
        Assert.Null(lacp.AggregationKey);
        Assert.Contains("aggregation key: none\n", LacpText.RenderShow(lacp));
    }

    [Fact]
    public void TwoActiveEnginesNegotiateAndEnableEveryMember()
    {
        (LacpWire wire, Lacp a, Lacp b) = Pair();
        wire.RunUntil(5000);

        foreach (Lacp lacp in new[] { a, b })
        {
            Assert.True(lacp.Negotiated);
            Assert.Equal(LacpStatus.Negotiated, lacp.Status);
            foreach (LacpMember m in lacp.Members)
            {
                Assert.Equal(LacpMemberStatus.Current, m.Status);
                Assert.True(m.Attached);
                Assert.True(lacp.MayEnable(m.Name));
                Assert.Equal(LacpState.Activity | LacpState.Timeout | LacpState.Aggregation | LacpState.Synchronization
                    | LacpState.Collecting | LacpState.Distributing, lacp.ComposeActor(m).State);
            }
        }
        Assert.Equal(SysB, a.FindMember("va1")!.Partner.SystemId);
        Assert.Equal(2, a.FindMember("va1")!.Partner.PortNumber);
        Assert.Equal(0u, a.FindMember("va1")!.Counters.LinkDefaulted);
    }

    [Fact]
    public void FastTimeoutExpiresAtThreeSecondsAndDefaultsAtSix()
    {
        (LacpWire wire, Lacp a, Lacp b) = Pair();
        wire.RunUntil(10_000);
        long lastRx = wire.Sent.Where(s => s.Lacp == "bondB" && s.Member == "vb2").Max(s => s.TimeMs);
        wire.Mute(b, "vb1");
        wire.Mute(b, "vb2");

        wire.RunUntil(lastRx + 2999);
        Assert.Equal(LacpMemberStatus.Current, a.FindMember("va1")!.Status);
        wire.RunUntil(lastRx + 3000);
        LacpMember va1 = a.FindMember("va1")!;
        Assert.Equal(LacpMemberStatus.Expired, va1.Status);
        Assert.True(va1.Attached);
        Assert.False(a.MayEnable("va1"));
        Assert.True(a.Negotiated);
        Assert.Equal(LacpState.Activity | LacpState.Timeout | LacpState.Aggregation | LacpState.Collecting | LacpState.Distributing, va1.Partner.State);
        Assert.Equal(1u, va1.Counters.LinkExpired);

        wire.RunUntil(lastRx + 5999);
        Assert.Equal(LacpMemberStatus.Expired, va1.Status);
        wire.RunUntil(lastRx + 6000);
        Assert.Equal(LacpMemberStatus.Defaulted, va1.Status);
        Assert.False(va1.Attached);
        Assert.Equal(default, va1.Partner);
        Assert.False(a.Negotiated);
        Assert.Equal(LacpStatus.Configured, a.Status);
        Assert.Equal(1u, va1.Counters.LinkDefaulted);
        Assert.Equal(LacpState.Activity | LacpState.Timeout | LacpState.Aggregation | LacpState.Collecting | LacpState.Distributing | LacpState.Defaulted,
            a.ComposeActor(va1).State);
    }

    [Fact]
    public void SlowTimeoutExpiresAtNinetySecondsThenDefaultsThreeSecondsLater()
    {
        (LacpWire wire, Lacp a, Lacp b) = Pair(aFast: false, bFast: false);
        wire.RunUntil(100_000);
        Assert.True(a.Negotiated);
        long lastRx = wire.Sent.Where(s => s.Lacp == "bondB" && s.Member == "vb2").Max(s => s.TimeMs);
        wire.Mute(b, "vb1");
        wire.Mute(b, "vb2");

        wire.RunUntil(lastRx + 89_999);
        Assert.Equal(LacpMemberStatus.Current, a.FindMember("va1")!.Status);
        wire.RunUntil(lastRx + 90_000);
        Assert.Equal(LacpMemberStatus.Expired, a.FindMember("va1")!.Status);
        // The expired timer is always 3 × the fast interval, whatever lacp-time says.
        wire.RunUntil(lastRx + 92_999);
        Assert.Equal(LacpMemberStatus.Expired, a.FindMember("va1")!.Status);
        wire.RunUntil(lastRx + 93_000);
        Assert.Equal(LacpMemberStatus.Defaulted, a.FindMember("va1")!.Status);
        Assert.False(a.Negotiated);
    }

    [Fact]
    public void TransmitPeriodFollowsThePartnersTimeoutBit()
    {
        // A is slow but B asked for fast: A sends every second; B sends every 30 s (A asked for slow).
        (LacpWire wire, Lacp a, _) = Pair(aFast: false, bFast: true);
        wire.RunUntil(10_000);
        Assert.True(a.Negotiated);
        wire.RunUntil(130_000);
        Assert.Equal(60, wire.SentCount(a, "va1", 70_000, 130_000));
        Assert.Equal(2, wire.Sent.Count(s => s.Lacp == "bondB" && s.Member == "vb1" && s.TimeMs >= 70_000 && s.TimeMs < 130_000));
    }

    [Fact]
    public void PassiveAndPassiveNeverForm()
    {
        (LacpWire wire, Lacp a, Lacp b) = Pair(aActive: false, bActive: false);
        wire.RunUntil(200_000);
        Assert.Empty(wire.Sent);
        foreach (Lacp lacp in new[] { a, b })
        {
            Assert.False(lacp.Negotiated);
            Assert.All(lacp.Members, m =>
            {
                Assert.Equal(LacpMemberStatus.Defaulted, m.Status);
                Assert.False(m.Attached);
                Assert.Equal(0u, m.Counters.TxPdus);
                Assert.Equal(0u, m.Counters.RxPdus);
            });
        }
        Assert.Equal(long.MaxValue, a.NextWakeMs);
    }

    [Fact]
    public void ActiveAndPassiveForm()
    {
        (LacpWire wire, Lacp a, Lacp b) = Pair(aActive: false, bActive: true);
        wire.RunUntil(10_000);
        Assert.True(a.Negotiated);
        Assert.True(b.Negotiated);
        Assert.True(a.MayEnable("va1") && a.MayEnable("va2") && b.MayEnable("vb1") && b.MayEnable("vb2"));
        Assert.Equal(LacpState.None, a.ComposeActor(a.FindMember("va1")!).State & LacpState.Activity);
        Assert.Equal(LacpState.None, b.FindMember("vb1")!.Partner.State & LacpState.Activity);
    }

    [Fact]
    public void AnActiveLagSwitchedToPassiveOnBothSidesStaysUp()
    {
        (LacpWire wire, Lacp a, Lacp b) = Pair();
        wire.RunUntil(10_000);
        a.Configure(a.Settings with { Active = false }, wire.NowMs);
        b.Configure(b.Settings with { Active = false }, wire.NowMs);
        wire.RunUntil(300_000);
        Assert.True(a.Negotiated && b.Negotiated);
        Assert.All(a.Members, m => Assert.Equal(LacpMemberStatus.Current, m.Status));
        Assert.True(wire.SentCount(a, "va1", 200_000, 300_000) >= 90);
    }

    [Fact]
    public void APartnerThatChangesItsSystemIdIsFollowed()
    {
        (LacpWire wire, Lacp a, Lacp b) = Pair();
        wire.RunUntil(10_000);
        b.Configure(b.Settings with { SystemId = SysC }, wire.NowMs);
        wire.RunUntil(20_000);
        Assert.True(a.Negotiated);
        Assert.All(a.Members, m =>
        {
            Assert.Equal(SysC, m.Partner.SystemId);
            Assert.True(m.Attached);
            Assert.True(a.MayEnable(m.Name));
        });
        Assert.Contains(wire.Events, e => e.Lacp == "bondA" && e.Reason.Contains(SysC.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void OnlyMembersFacingTheLeadsPartnerAttach()
    {
        var wire = new LacpWire();
        Lacp a = wire.Add(Make("bondA", SysA, fast: true), ("bs5", 5), ("bs6", 6));
        Lacp b = wire.Add(Make("bondB", SysB, fast: true), ("pb", 1));
        Lacp c = wire.Add(Make("bondC", SysC, fast: true), ("pc", 1));
        wire.Cable(a, "bs5", b, "pb");
        wire.Cable(a, "bs6", c, "pc");
        wire.RunUntil(20_000);

        Assert.True(a.Negotiated);
        LacpMember[] attached = [.. a.Members.Where(m => m.Attached)];
        LacpMember detached = Assert.Single(a.Members, m => !m.Attached);
        Assert.Single(attached);
        Assert.Equal(LacpMemberStatus.Current, detached.Status);
        Assert.False(a.MayEnable(detached.Name));
        Assert.Equal(LacpState.Activity | LacpState.Timeout | LacpState.Aggregation, a.ComposeActor(detached).State);
        Assert.True(a.MayEnable(attached[0].Name));
    }

    [Fact]
    public void LoopbackIsDetectedAndDetached()
    {
        var wire = new LacpWire();
        Lacp a = wire.Add(Make("bondA", SysA, fast: true), ("bs7", 7), ("bs8", 8));
        wire.Cable(a, "bs7", a, "bs8");
        wire.RunUntil(10_000);
        Assert.All(a.Members, m =>
        {
            Assert.Equal(LacpMemberStatus.Current, m.Status);
            Assert.False(m.Attached);
        });
        Assert.False(a.Negotiated);
        Assert.Contains(wire.Events, e => e.Kind == LacpEventKind.LoopbackDetected && e.IsOvsLogLine
            && e.Message == "member bs7: Loopback detected. Interface is connected to its own bond");
    }

    [Fact]
    public void CarrierLossExpiresTheMemberStopsTransmitAndDropsPdus()
    {
        (LacpWire wire, Lacp a, Lacp b) = Pair();
        wire.RunUntil(10_000);
        a.SetCarrier("va1", false, wire.NowMs);
        LacpMember va1 = a.FindMember("va1")!;
        Assert.Equal(LacpMemberStatus.Expired, va1.Status);
        Assert.Equal(1u, va1.Counters.CarrierStatusChanged);
        int before = wire.SentCount(a, "va1", 0, long.MaxValue);
        wire.RunUntil(20_000);
        Assert.Equal(before, wire.SentCount(a, "va1", 0, long.MaxValue));
        Assert.Equal(LacpMemberStatus.Defaulted, va1.Status);
        Assert.Contains(wire.Events, e => e.Kind == LacpEventKind.DroppedCarrierDown && e.Message == "va1: carrier state is DOWN, dropping received LACP PDU.");
        // The partner side sees its member time out.
        Assert.Equal(LacpMemberStatus.Defaulted, b.FindMember("vb2")!.Status);
        Assert.True(b.MayEnable("vb1"));
        Assert.False(b.MayEnable("vb2"));

        a.SetCarrier("va1", true, wire.NowMs);
        Assert.Equal(2u, va1.Counters.CarrierStatusChanged);
        wire.RunUntil(30_000);
        Assert.True(a.MayEnable("va1"));
        Assert.True(b.MayEnable("vb2"));
    }

    [Fact]
    public void FallbackAbAttachesDefaultedMembers()
    {
        var lacp = new Lacp(Make("bond0", SysA, fallback: true));
        lacp.AddOrUpdateMember("bs1", new LacpMemberSettings { PortId = 1 }, true, 0);
        lacp.AddOrUpdateMember("bs2", new LacpMemberSettings { PortId = 2 }, true, 0);
        lacp.Run(0, (LacpMember _, in LacpPdu _) => { });
        Assert.False(lacp.MayEnable("bs1"));          // expired on registration (active port): not defaulted yet
        lacp.Run(3000, (LacpMember _, in LacpPdu _) => { });
        Assert.All(lacp.Members, m =>
        {
            Assert.Equal(LacpMemberStatus.Defaulted, m.Status);
            Assert.True(m.Attached);
            Assert.True(lacp.MayEnable(m.Name));
        });
        Assert.False(lacp.Negotiated);
        Assert.Equal(" activity aggregation synchronized collecting distributing defaulted",
            LacpText.StateWords(lacp.ComposeActor(lacp.Members[0]).State));
    }

    [Fact]
    public void BadAndMarkerFramesAreCountedAndMarkersAnswered()
    {
        var lacp = new Lacp(Make("bond0", SysA));
        lacp.AddOrUpdateMember("bs1", new LacpMemberSettings { PortId = 1 }, true, 0);
        var events = new List<LacpEvent>();
        var withSink = new Lacp(Make("bond1", SysA), events.Add);
        withSink.AddOrUpdateMember("bs1", new LacpMemberSettings { PortId = 1 }, true, 0);

        LacpRxResult bad = withSink.ProcessFrame("bs1", new byte[20], 0);
        Assert.Equal(SlowProtocolsPduKind.Bad, bad.Kind);
        Assert.Contains(events, e => e.IsOvsLogLine && e.Message == "bond1: received an unparsable LACP PDU.");

        byte[] request = LacpMarker.BuildRequest(3, SysB, 0xdeadbeef);
        LacpRxResult marker = lacp.ProcessFrame("bs1", request, 0);
        Assert.Equal(SlowProtocolsPduKind.Marker, marker.Kind);
        byte[] response = Assert.IsType<byte[]>(marker.MarkerResponse);
        Assert.Equal(110, response.Length);
        Assert.Equal(new byte[] { 2, 1, 2, 16, 0, 3 }, response[..6]);
        Assert.Equal(request[4..16], response[4..16]);
        Assert.Null(lacp.ProcessFrame("bs1", response, 0).MarkerResponse);   // a response is not answered

        LacpMemberCounters n = lacp.Members[0].Counters;
        Assert.Equal(2u, n.RxPdus);
        Assert.Equal(2u, n.RxMarkerPdus);
        Assert.Equal(1u, n.MarkerResponsesSent);
        Assert.Equal(1u, withSink.Members[0].Counters.RxBadPdus);
        Assert.Equal(LacpMemberStatus.Expired, lacp.Members[0].Status);   // markers do not refresh the partner

        var ovsLike = new Lacp(Make("bond2", SysA) with { AnswerMarkers = false });
        ovsLike.AddOrUpdateMember("bs1", new LacpMemberSettings { PortId = 1 }, true, 0);
        Assert.Null(ovsLike.ProcessFrame("bs1", request, 0).MarkerResponse);
    }

    [Fact]
    public void EveryStatusTransitionIsReportedWithAReason()
    {
        (LacpWire wire, Lacp a, Lacp b) = Pair();
        wire.RunUntil(10_000);
        wire.Mute(b, "vb1");
        wire.RunUntil(20_000);
        List<LacpEvent> va2 = [.. wire.Events.Where(e => e.Lacp == "bondA" && e.Member == "va2"
            && e.Kind is LacpEventKind.MemberStatusChanged or LacpEventKind.Attached or LacpEventKind.Detached)];
        Assert.Equal(
            ["member va2: defaulted -> expired", "member va2: attached", "member va2: expired -> current",
             "member va2: current -> expired", "member va2: expired -> defaulted", "member va2: detached"],
            va2.Select(e => e.Message));
        Assert.All(va2, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
        Assert.True(a.Negotiated);
    }

    [Fact]
    public void NextWakeIsTheEarliestTimer()
    {
        (LacpWire wire, Lacp a, _) = Pair();
        wire.RunUntil(10_000);
        long wake = a.NextWakeMs;
        Assert.InRange(wake, 10_001, 11_000);
        Assert.Equal(wake, a.Members.Min(m => Math.Min(m.TxDeadlineMs, m.RxDeadlineMs)));
    }
}
