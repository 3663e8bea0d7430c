// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding.Tests;

/// <summary>SharpSwitch's failback policies, hold-down, member priority and maintenance disable.</summary>
public sealed class FailbackPolicyTests
{
    private static Bond Build(BondSettings settings, RecordingSink sink, params (string Name, int Priority)[] members)
    {
        var bond = new Bond("bond0", settings, sink);
        for (int i = 0; i < members.Length; i++)
        {
            bond.AddMember(members[i].Name, TestBonds.Mac(i + 1), new MemberSettings { Priority = members[i].Priority }, true, 0);
        }
        bond.Run(0);
        return bond;
    }

    [Fact]
    public void Never_with_a_primary_does_not_fail_back_and_lets_set_active_member_stick()
    {
        Bond bond = Build(new() { Primary = "p", Failback = FailbackPolicy.Never }, new RecordingSink(), ("p", 0), ("b", 0));
        Assert.Equal("p", bond.ActiveName());
        bond.LinkDown("p", 100);
        bond.LinkUp("p", 200);
        bond.RunEachMs(201, 1000);
        Assert.Equal("b", bond.ActiveName());
        Assert.Equal(0, bond.Counters.Failbacks);

        bond.SetActiveMember("p", 1001);
        bond.SetActiveMember("b", 1002);
        bond.RunEachMs(1003, 1100);
        Assert.Equal("b", bond.ActiveName());
    }

    [Fact]
    public void Always_without_a_primary_takes_back_the_highest_priority_member()
    {
        var sink = new RecordingSink();
        Bond bond = Build(new() { Failback = FailbackPolicy.Always }, sink, ("a", 0), ("b", 10));
        Assert.Equal("b", bond.ActiveName());
        bond.LinkDown("b", 100);
        Assert.Equal("a", bond.ActiveName());
        bond.LinkUp("b", 200);
        Assert.Equal("b", bond.ActiveName());
        Assert.Equal(1, bond.Counters.Failbacks);
        BondEvent failback = sink.OfKind(BondEventKind.ActiveChanged)[^1];
        Assert.Equal("bond bond0: active member is now b", failback.Message);
        Assert.Equal("failback (always): b (priority 10) enabled for 0 ms", failback.Reason);
    }

    [Fact]
    public void Always_with_equal_priorities_prefers_the_smallest_name()
    {
        Bond bond = Build(new() { Failback = FailbackPolicy.Always }, new RecordingSink(), ("b", 0), ("a", 0));
        Assert.Equal("a", bond.ActiveName());
        bond.SetActiveMember("b", 10);
        bond.Run(11);
        Assert.Equal("a", bond.ActiveName());
    }

    [Fact]
    public void Always_with_hold_down_waits_exactly_the_failback_delay()
    {
        var sink = new RecordingSink();
        Bond bond = Build(new() { Primary = "p", Failback = FailbackPolicy.Always, FailbackDelayMs = 30000 }, sink, ("p", 0), ("b", 0));
        bond.LinkDown("p", 1000);
        Assert.Equal("b", bond.ActiveName());
        sink.Clear();

        bond.LinkUp("p", 2000);
        Assert.True(bond.Member("p").Enabled);
        Assert.Equal("b", bond.ActiveName());
        Assert.Equal(32000, bond.NextWakeMs);
        Assert.Same(bond.Member("p"), bond.FailbackHoldDownCandidate);
        BondEvent held = Assert.Single(sink.OfKind(BondEventKind.FailbackHeld));
        Assert.Equal("bond bond0: failback to p held for 30000 ms (bond-failback-delay 30000 ms)", held.Message);
        Assert.False(held.IsOvsLogLine);
        Assert.Contains("  sharpswitch failback hold-down expires in 20000 ms\n", BondText.RenderShow(bond, 12000));

        bond.Run(31999);
        Assert.Equal("b", bond.ActiveName());
        Assert.Single(sink.OfKind(BondEventKind.FailbackHeld));
        bond.Run(32000);
        Assert.Equal("p", bond.ActiveName());
        Assert.Equal("failback (always): primary p enabled for 30000 ms", sink.OfKind(BondEventKind.ActiveChanged)[^1].Reason);
        Assert.Equal(long.MaxValue, bond.NextWakeMs);
        Assert.Null(bond.FailbackHoldDownCandidate);
    }

    [Fact]
    public void A_flap_during_the_hold_down_restarts_it()
    {
        var sink = new RecordingSink();
        Bond bond = Build(new() { Primary = "p", FailbackDelayMs = 30000 }, sink, ("p", 0), ("b", 0));
        bond.LinkDown("p", 1000);
        bond.LinkUp("p", 2000);
        bond.LinkDown("p", 10000);
        Assert.False(bond.Member("p").Enabled);
        Assert.Equal(long.MaxValue, bond.NextWakeMs);
        bond.LinkUp("p", 10500);
        Assert.Equal(40500, bond.NextWakeMs);
        bond.RunEachMs(31990, 32010);
        Assert.Equal("b", bond.ActiveName());
        bond.Run(40499);
        Assert.Equal("b", bond.ActiveName());
        bond.Run(40500);
        Assert.Equal("p", bond.ActiveName());
        Assert.Equal(2, sink.OfKind(BondEventKind.FailbackHeld).Count);
    }

    [Fact]
    public void A_flap_absorbed_by_the_downdelay_also_restarts_the_hold_down()
    {
        Bond bond = Build(new() { Primary = "p", DownDelayMs = 1000, FailbackDelayMs = 30000 }, new RecordingSink(), ("p", 0), ("b", 0));
        bond.LinkDown("p", 1000);
        bond.Run(2000);
        Assert.Equal("b", bond.ActiveName());
        bond.LinkUp("p", 3000);
        Assert.Equal(33000, bond.NextWakeMs);

        bond.LinkDown("p", 10000);
        Assert.True(bond.Member("p").Enabled);
        Assert.Equal(11000, bond.NextWakeMs);
        bond.LinkUp("p", 10400);
        Assert.True(bond.Member("p").Enabled);
        Assert.Equal(40400, bond.NextWakeMs);
        bond.Run(33000);
        Assert.Equal("b", bond.ActiveName());
        bond.Run(40400);
        Assert.Equal("p", bond.ActiveName());
    }

    [Fact]
    public void A_hold_down_survives_operator_moves_and_is_announced_once()
    {
        var sink = new RecordingSink();
        Bond bond = Build(new() { Primary = "p", FailbackDelayMs = 1000 }, sink, ("p", 0), ("b", 0), ("c", 0));
        bond.LinkDown("p", 100);
        Assert.Equal("b", bond.ActiveName());
        bond.LinkUp("p", 200);
        Assert.Equal(1200, bond.NextWakeMs);
        Assert.Equal("done", bond.SetActiveMember("c", 300));
        bond.Run(300);
        Assert.Equal(1200, bond.NextWakeMs);
        bond.Run(1199);
        Assert.Equal("c", bond.ActiveName());
        bond.Run(1200);
        Assert.Equal("p", bond.ActiveName());
        Assert.Equal([200L], sink.OfKind(BondEventKind.FailbackHeld).Select(e => e.TimeMs));
    }

    [Fact]
    public void A_failover_during_the_hold_down_follows_the_selection_order_and_takes_the_primary_at_once()
    {
        // The hold-down delays preemption only; when the active member fails, §C.2 picks the enabled primary first.
        Bond bond = Build(new() { Primary = "p", FailbackDelayMs = 1000 }, new RecordingSink(), ("p", 0), ("b", 0), ("c", 0));
        bond.LinkDown("p", 100);
        bond.LinkUp("p", 200);
        Assert.Equal("b", bond.ActiveName());
        bond.LinkDown("b", 500);
        Assert.Equal("p", bond.ActiveName());
        Assert.Null(bond.FailbackHoldDownCandidate);
        Assert.Equal(long.MaxValue, bond.NextWakeMs);
    }

    [Fact]
    public void Ovs_default_with_a_primary_honours_the_hold_down_too()
    {
        Bond bond = Build(new() { Primary = "p", FailbackDelayMs = 5000 }, new RecordingSink(), ("p", 0), ("b", 0));
        bond.LinkDown("p", 100);
        bond.LinkUp("p", 200);
        bond.Run(5199);
        Assert.Equal("b", bond.ActiveName());
        bond.Run(5200);
        Assert.Equal("p", bond.ActiveName());
    }

    [Fact]
    public void Better_fails_back_only_to_a_higher_priority()
    {
        Bond bond = Build(new() { Failback = FailbackPolicy.Better }, new RecordingSink(), ("hi", 10), ("lo", 5), ("eq", 5));
        Assert.Equal("hi", bond.ActiveName());
        bond.LinkDown("hi", 100);
        Assert.Equal("eq", bond.ActiveName());
        bond.LinkUp("hi", 200);
        Assert.Equal("hi", bond.ActiveName());

        // An operator move to a lower-priority member is undone, since a better member is enabled.
        bond.SetActiveMember("lo", 300);
        bond.Run(301);
        Assert.Equal("hi", bond.ActiveName());

        // Equal priority is not better.
        bond.LinkDown("hi", 400);
        Assert.Equal("eq", bond.ActiveName());
        bond.SetActiveMember("lo", 401);
        bond.Run(402);
        Assert.Equal("lo", bond.ActiveName());
    }

    [Fact]
    public void Better_with_a_primary_compares_the_primary_priority()
    {
        Bond equal = Build(new() { Primary = "p", Failback = FailbackPolicy.Better }, new RecordingSink(), ("p", 0), ("b", 0));
        equal.LinkDown("p", 100);
        equal.LinkUp("p", 200);
        Assert.Equal("b", equal.ActiveName());

        var sink = new RecordingSink();
        Bond higher = Build(new() { Primary = "p", Failback = FailbackPolicy.Better }, sink, ("p", 1), ("b", 0));
        higher.LinkDown("p", 100);
        higher.LinkUp("p", 200);
        Assert.Equal("p", higher.ActiveName());
        Assert.Equal("failback (better): primary p enabled for 0 ms, outranks b (priority 0)", sink.OfKind(BondEventKind.ActiveChanged)[^1].Reason);
    }

    [Fact]
    public void Failure_reselects_only_when_the_active_fails_and_then_prefers_the_primary()
    {
        Bond bond = Build(new() { Primary = "p", Failback = FailbackPolicy.Failure }, new RecordingSink(), ("p", 0), ("b", 0), ("c", 100));
        Assert.Equal("p", bond.ActiveName());
        bond.LinkDown("p", 100);
        Assert.Equal("c", bond.ActiveName());
        bond.LinkUp("p", 200);
        bond.RunEachMs(201, 300);
        Assert.Equal("c", bond.ActiveName());
        bond.LinkDown("c", 400);
        Assert.Equal("p", bond.ActiveName());
    }

    [Fact]
    public void Explicit_policy_applies_to_the_effective_mode_so_fallback_ab_fails_back()
    {
        var settings = new BondSettings
        {
            Mode = BondMode.BalanceTcp,
            Lacp = LacpMode.Active,
            LacpFallbackAb = true,
            Primary = "p",
            Failback = FailbackPolicy.Always,
        };
        var bond = new Bond("bond0", settings);
        bond.AddMember("p", TestBonds.Mac(1), MemberSettings.Default, true, 0);
        bond.AddMember("b", TestBonds.Mac(2), MemberSettings.Default, true, 0);
        bond.SetLacpStatus(LacpStatus.Configured, 0);
        bond.Run(0);
        bond.LinkDown("p", 100);
        Assert.Equal("b", bond.ActiveName());
        bond.LinkUp("p", 200);
        Assert.Equal("p", bond.ActiveName());
    }

    [Fact]
    public void Policies_do_not_preempt_in_balanced_modes()
    {
        var bond = new Bond("bond0", new BondSettings { Mode = BondMode.BalanceSlb, Failback = FailbackPolicy.Always });
        bond.AddMember("a", TestBonds.Mac(1), new MemberSettings { Priority = 9 }, true, 0);
        bond.AddMember("b", TestBonds.Mac(2), MemberSettings.Default, true, 0);
        bond.Run(0);
        bond.LinkDown("a", 10);
        bond.LinkUp("a", 20);
        bond.RunEachMs(21, 40);
        Assert.Equal("b", bond.ActiveName());
    }

    [Fact]
    public void Priority_breaks_ties_in_selection_without_a_primary()
    {
        Bond bond = Build(new(), new RecordingSink(), ("a", 0), ("b", 5), ("c", 5));
        Assert.Equal("b", bond.ActiveName());
        bond.LinkDown("b", 10);
        Assert.Equal("c", bond.ActiveName());
        Assert.Equal(FailbackPolicy.Never, bond.Settings.EffectiveFailback);
    }

    [Fact]
    public void Maintenance_disable_drains_at_once_persists_and_comes_back_through_the_updelay()
    {
        var sink = new RecordingSink();
        Bond bond = Build(new() { UpDelayMs = 1000, DownDelayMs = 5000 }, sink, ("a", 0), ("b", 0));
        Assert.Equal("a", bond.ActiveName());
        sink.Clear();

        bond.SetMemberSettings("a", new MemberSettings { MaintenanceDisabled = true }, 100);
        Assert.True(bond.NeedsRun);
        bond.Run(100);
        Assert.False(bond.Member("a").Enabled);
        Assert.Equal("b", bond.ActiveName());
        Assert.Equal(["member a: disabled", "bond bond0: active member is now b"], sink.OvsLog);
        Assert.Equal("maintenance: other_config:bond-member-disabled=true", sink.OfKind(BondEventKind.Disabled)[0].Reason);

        bond.LinkDown("a", 200);
        bond.LinkUp("a", 300);
        bond.RunEachMs(301, 5000);
        Assert.False(bond.Member("a").Enabled);
        BondCommandException refused = Assert.Throws<BondCommandException>(() => bond.EnableMember("a", 5001));
        Assert.Contains("bond-member-disabled", refused.Message);
        Assert.Contains("  sharpswitch bond-member-disabled: true\n", BondText.RenderShow(bond, 5001));

        // Even when every other member is down, a member in maintenance is not picked.
        bond.LinkDown("b", 6000);
        bond.Run(11000);
        Assert.Null(bond.ActiveMember);

        sink.Clear();
        bond.SetMemberSettings("a", MemberSettings.Default, 12000);
        bond.Run(12000);
        Assert.Equal("a", bond.ActiveName());
        Assert.Contains("member a: link state up", sink.OvsLog);
    }

    [Fact]
    public void Maintenance_at_registration_keeps_the_member_disabled_and_cancels_pending_updelays()
    {
        var sink = new RecordingSink();
        var bond = new Bond("bond0", new BondSettings { UpDelayMs = 1000 }, sink);
        bond.AddMember("a", TestBonds.Mac(1), new MemberSettings { MaintenanceDisabled = true }, true, 0);
        bond.AddMember("b", TestBonds.Mac(2), MemberSettings.Default, false, 0);
        bond.Run(0);
        Assert.False(bond.Member("a").Enabled);
        Assert.Null(bond.ActiveMember);

        bond.AddMember("c", TestBonds.Mac(3), MemberSettings.Default, true, 5);
        bond.Run(5);
        Assert.Equal("c", bond.ActiveName());
        bond.LinkUp("b", 10);
        Assert.Equal(1010, bond.Member("b").DelayExpiresMs);
        bond.SetMemberSettings("b", new MemberSettings { MaintenanceDisabled = true }, 40);
        bond.Run(40);
        Assert.Null(bond.Member("b").DelayExpiresMs);
        Assert.Equal("member b: will not be enabled", sink.Events[^1].Message);
        bond.Run(2000);
        Assert.False(bond.Member("b").Enabled);
        Assert.False(bond.Member("a").Enabled);
        Assert.Equal("c", bond.ActiveName());
    }
}
