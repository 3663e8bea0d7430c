// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding.Tests;

/// <summary>The OVS log texts of §E.8 and the captured sequences of §E.8 and §H.2, plus event metadata.</summary>
public sealed class LogTextTests
{
    /// <summary>True when <paramref name="expected"/> appears in <paramref name="actual"/> in order (OVS's log drops rate-limited lines).</summary>
    private static bool IsSubsequence(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        int position = 0;
        foreach (string line in actual)
        {
            if (position < expected.Count && line == expected[position])
            {
                position++;
            }
        }
        return position == expected.Count;
    }

    [Fact]
    public void Blog_scenario_gives_the_full_log_of_which_the_capture_is_a_subsequence()
    {
        var sink = new RecordingSink();
        var bond = new Bond("bond0", new BondSettings(), sink);
        bond.AddMember("bseno1", TestBonds.Mac(1), MemberSettings.Default, true, 0);
        bond.AddMember("bseno2", TestBonds.Mac(2), MemberSettings.Default, true, 0);
        bond.Run(0);
        bond.LinkDown("bseno1", 1000);
        bond.LinkUp("bseno1", 2000);
        bond.Reconfigure(bond.Settings with { Primary = "bseno1" }, 3000);
        bond.Run(3000);
        bond.LinkDown("bseno1", 4000);
        bond.LinkUp("bseno1", 5000);

        string[] full =
        [
            "member bseno1: enabled",
            "member bseno2: enabled",
            "bond bond0: active member is now bseno1",
            "member bseno1: link state down",
            "member bseno1: disabled",
            "bond bond0: active member is now bseno2",
            "member bseno1: link state up",
            "member bseno1: enabled",
            "bond bond0: active member is now bseno1",
            "member bseno1: link state down",
            "member bseno1: disabled",
            "bond bond0: active member is now bseno2",
            "member bseno1: link state up",
            "member bseno1: enabled",
            "bond bond0: active member is now bseno1",
        ];
        Assert.Equal(full, sink.OvsLog);

        string[] captured =
        [
            "member bseno1: enabled",
            "member bseno2: enabled",
            "bond bond0: active member is now bseno1",
            "member bseno1: disabled",
            "bond bond0: active member is now bseno2",
            "member bseno1: enabled",
            "bond bond0: active member is now bseno1",
            "member bseno1: disabled",
            "member bseno1: link state up",
            "member bseno1: enabled",
        ];
        Assert.True(IsSubsequence(captured, sink.OvsLog));
    }

    [Fact]
    public void H2_1_failback_after_updelay_logs_enabled_and_active_change_in_the_same_millisecond()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new BondSettings { Primary = "bs1", UpDelayMs = 3000 }, sink, 0, "bs1", "bs2");
        bond.LinkDown("bs1", 5000);
        sink.Clear();
        bond.LinkUp("bs1", 10_882);
        bond.RunEachMs(10_883, 13_882);
        Assert.Equal(
            [
                (10_882L, "member bs1: link state up"),
                (10_882L, "member bs1: will be enabled if it stays up for 3000 ms"),
                (13_882L, "member bs1: enabled"),
                (13_882L, "bond bond0: active member is now bs1"),
            ],
            sink.Events.Select(e => (e.TimeMs, e.Message)));
    }

    [Fact]
    public void H2_21_failover_is_logged_in_the_same_millisecond_as_the_link_loss()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new BondSettings(), sink, 0, "bs1", "bs2");
        sink.Clear();
        bond.LinkDown("bs1", 777);
        Assert.All(sink.Events, e => Assert.Equal(777, e.TimeMs));
        Assert.Equal(["member bs1: link state down", "member bs1: disabled", "bond bond0: active member is now bs2"], sink.OvsLog);
    }

    [Fact]
    public void Downdelay_texts_including_will_not_be_disabled()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new BondSettings { DownDelayMs = 2000 }, sink, 0, "bs1", "bs2");
        sink.Clear();
        bond.LinkDown("bs1", 100);
        bond.LinkUp("bs1", 600);
        bond.LinkDown("bs1", 700);
        bond.Run(2700);
        Assert.Equal(
            [
                "member bs1: link state down",
                "member bs1: will be disabled if it stays down for 2000 ms",
                "member bs1: link state up",
                "member bs1: will not be disabled",
                "member bs1: link state down",
                "member bs1: will be disabled if it stays down for 2000 ms",
                "member bs1: disabled",
                "bond bond0: active member is now bs2",
            ],
            sink.OvsLog);
        Assert.Equal(2, bond.Counters.Flaps);
        Assert.Equal(2, bond.Member("bs1").LinkDownCount);
    }

    [Fact]
    public void Updelay_texts_including_will_not_be_enabled()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new BondSettings { UpDelayMs = 1000 }, sink, 0, "bs1", "bs2");
        bond.LinkDown("bs2", 10);
        sink.Clear();
        bond.LinkUp("bs2", 100);
        bond.LinkDown("bs2", 200);
        Assert.Equal(
            [
                "member bs2: link state up",
                "member bs2: will be enabled if it stays up for 1000 ms",
                "member bs2: link state down",
                "member bs2: will not be enabled",
            ],
            sink.OvsLog);
        Assert.Equal(BondEventKind.WillNotBeEnabled, sink.Events[^1].Kind);
        Assert.Equal("link went down again within the updelay", sink.Events[^1].Reason);
    }

    [Fact]
    public void Every_event_names_its_bond_time_and_reason_and_member_events_name_the_member()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new BondSettings { UpDelayMs = 50, DownDelayMs = 20, Primary = "a", FailbackDelayMs = 100 }, sink, 0, "a", "b");
        bond.LinkDown("a", 10);
        bond.Run(30);
        bond.LinkUp("a", 40);
        bond.RunEachMs(41, 300);
        bond.SetActiveMember("b", 301);
        bond.DisableMember("b", 302);
        bond.EnableMember("b", 303);
        bond.SetLacpStatus(LacpStatus.Configured, 304);
        bond.RemoveMember("b", 305);
        bond.LinkDown("a", 306);
        bond.Run(400);

        Assert.NotEmpty(sink.Events);
        foreach (BondEvent e in sink.Events)
        {
            Assert.Equal("bond0", e.Bond);
            Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            bool bondWide = e.Kind is BondEventKind.AllMembersDisabled or BondEventKind.LacpStatusChanged or BondEventKind.Reconfigured;
            Assert.Equal(bondWide, e.Member is null);
            if (e.Member is not null && e.IsOvsLogLine && e.Kind != BondEventKind.ActiveChanged)
            {
                Assert.StartsWith($"member {e.Member}: ", e.Message);
            }
        }
        Assert.Equal(sink.Events.OrderBy(e => e.TimeMs).Select(e => e.TimeMs), sink.Events.Select(e => e.TimeMs));
        HashSet<BondEventKind> seen = sink.Events.Select(e => e.Kind).ToHashSet();
        foreach (BondEventKind kind in new[]
        {
            BondEventKind.LinkUp, BondEventKind.LinkDown, BondEventKind.WillBeEnabled, BondEventKind.WillBeDisabled,
            BondEventKind.Enabled, BondEventKind.Disabled, BondEventKind.ActiveChanged, BondEventKind.AllMembersDisabled,
            BondEventKind.FailbackHeld, BondEventKind.MemberAdded, BondEventKind.MemberRemoved, BondEventKind.LacpStatusChanged,
        })
        {
            Assert.Contains(kind, seen);
        }
        Assert.Equal("operator: bond/disable-member", sink.Events.First(e => e.Kind == BondEventKind.Disabled && e.TimeMs == 302).Reason);
        Assert.Equal("operator: bond/enable-member", sink.Events.First(e => e.Kind == BondEventKind.Enabled && e.TimeMs == 303).Reason);
    }

    [Fact]
    public void Event_to_string_is_a_timeline_line()
    {
        var e = new BondEvent(512, "bond0", "p1", BondEventKind.LinkDown, "member p1: link state down", "carrier down");
        Assert.Equal("512 ms member p1: link state down (carrier down)", e.ToString());
        Assert.True(e.IsOvsLogLine);
    }
}
