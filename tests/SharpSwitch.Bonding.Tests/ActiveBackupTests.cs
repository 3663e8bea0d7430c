// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding.Tests;

/// <summary>OVS 3.1 active-backup behaviour: §I.1 items 1–6, §C.4–§C.6 and §B.4, under virtual time.</summary>
public sealed class ActiveBackupTests
{
    private static readonly BondSettings s_noPrimary = new() { Mode = BondMode.ActiveBackup };

    [Fact]
    public void Registration_enables_members_with_carrier_at_once_and_first_run_picks_deterministically()
    {
        var sink = new RecordingSink();
        var bond = new Bond("bond0", s_noPrimary, sink);
        bond.AddMember("eno2", TestBonds.Mac(2), MemberSettings.Default, carrier: true, 0);
        bond.AddMember("eno1", TestBonds.Mac(1), MemberSettings.Default, carrier: true, 0);
        bond.AddMember("eno3", TestBonds.Mac(3), MemberSettings.Default, carrier: false, 0);
        Assert.True(bond.Member("eno1").Enabled);
        Assert.True(bond.Member("eno2").Enabled);
        Assert.False(bond.Member("eno3").Enabled);
        Assert.Null(bond.ActiveMember);
        Assert.True(bond.NeedsRun);

        Assert.True(bond.Run(0));
        // With no primary and no remembered MAC, the tie-break is priority then name, never registration order.
        Assert.Equal("eno1", bond.ActiveName());
        Assert.Equal(1, bond.ActiveMemberIndex);
        Assert.False(bond.Run(1));
        Assert.Equal(["member eno2: enabled", "member eno1: enabled", "bond bond0: active member is now eno1"], sink.OvsLog);
    }

    [Fact]
    public void I1_1_no_primary_fails_over_and_never_fails_back()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(s_noPrimary, sink, 0, "a", "b");
        Assert.Equal("a", bond.ActiveName());

        bond.LinkDown("a", 100);
        Assert.Equal("b", bond.ActiveName());
        Assert.False(bond.Member("a").Enabled);

        bond.LinkUp("a", 200);
        bond.RunEachMs(201, 10_000);
        Assert.True(bond.Member("a").Enabled);
        Assert.Equal("b", bond.ActiveName());
        Assert.Equal(1, bond.Counters.Failovers);
        Assert.Equal(0, bond.Counters.Failbacks);
    }

    [Fact]
    public void I1_2_primary_fails_back_exactly_after_updelay_and_absorbs_short_flaps()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new() { Primary = "a", UpDelayMs = 3000 }, sink, 0, "a", "b");
        Assert.Equal("a", bond.ActiveName());

        bond.LinkDown("a", 1000);
        Assert.Equal("b", bond.ActiveName());

        bond.LinkUp("a", 5000);
        Assert.Equal(8000, bond.Member("a").DelayExpiresMs);
        Assert.Equal(8000, bond.NextWakeMs);
        bond.RunEachMs(5001, 7999);
        Assert.Equal("b", bond.ActiveName());
        Assert.False(bond.Member("a").Enabled);
        bond.Run(8000);
        Assert.Equal("a", bond.ActiveName());
        Assert.Equal(1, bond.Counters.Failbacks);

        // A flap shorter than the updelay on the backup changes nothing.
        bond.LinkDown("b", 9000);
        bond.LinkUp("b", 9500);
        bond.RunEachMs(9501, 12000);
        Assert.False(bond.Member("b").Enabled);
        bond.LinkDown("a", 20000);
        Assert.Equal("b", bond.ActiveName());
        bond.LinkUp("a", 21000);
        bond.LinkDown("a", 22000);
        bond.LinkUp("a", 22500);
        bond.Run(24999);
        Assert.Equal("b", bond.ActiveName());
        bond.Run(25500);
        Assert.Equal("a", bond.ActiveName());
    }

    [Fact]
    public void I1_3_downdelay_keeps_the_failed_primary_active_until_it_expires()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new() { Primary = "a", DownDelayMs = 2000 }, sink, 0, "a", "b");
        bond.LinkDown("a", 1000);
        bond.RunEachMs(1001, 2999);
        Assert.Equal("a", bond.ActiveName());
        Assert.True(bond.Member("a").Enabled);
        Assert.False(bond.Member("a").MayEnable);
        bond.Run(3000);
        Assert.Equal("b", bond.ActiveName());
    }

    [Fact]
    public void I1_4_all_down_then_first_up_is_active_at_once_skipping_updelay()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new() { Primary = "a", UpDelayMs = 3000, DownDelayMs = 2000 }, sink, 0, "a", "b");
        bond.SetMemberLink("a", false, true, 1000);
        bond.SetMemberLink("b", false, true, 1000);
        bond.RunEachMs(1000, 3000);
        Assert.Null(bond.ActiveMember);
        Assert.True(bond.ActiveMemberMac.IsZero);
        Assert.Equal(-1, bond.ActiveMemberIndex);

        sink.Clear();
        bond.LinkUp("b", 5000);
        Assert.Equal("b", bond.ActiveName());
        Assert.True(bond.Member("b").Enabled);
        Assert.Equal(
            [
                "member b: link state up",
                "member b: will be enabled if it stays up for 3000 ms",
                "bond bond0: active member is now b, skipping remaining 3000 ms updelay (since no member was enabled)",
                "member b: enabled",
            ],
            sink.OvsLog);

        // The primary coming back later still fails back once its own updelay has run.
        bond.LinkUp("a", 6000);
        bond.Run(8999);
        Assert.Equal("b", bond.ActiveName());
        bond.Run(9000);
        Assert.Equal("a", bond.ActiveName());
    }

    [Fact]
    public void Skipping_updelay_picks_the_earliest_pending_member_and_reports_the_remaining_time()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new() { UpDelayMs = 3000 }, sink, 0, "a", "b");
        bond.SetMemberLink("a", false, true, 10);
        bond.SetMemberLink("b", false, true, 10);
        bond.Run(10);
        Assert.Null(bond.ActiveMember);
        // a comes up first but its gate is closed; b comes up later with may_enable true.
        bond.SetMemberLink("a", true, false, 100);
        bond.SetMemberLink("b", true, true, 200);
        bond.Run(200);
        Assert.Equal("b", bond.ActiveName());
        Assert.Contains("bond bond0: active member is now b, skipping remaining 3000 ms updelay (since no member was enabled)", sink.OvsLog);
    }

    [Fact]
    public void I1_5_set_active_member_is_undone_by_an_enabled_primary_on_the_next_run()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new() { Primary = "a" }, sink, 0, "a", "b");
        sink.Clear();
        Assert.Equal("done", bond.SetActiveMember("b", 26551));
        Assert.Equal("b", bond.ActiveName());
        Assert.True(bond.TakeLearningPacketRequest());
        bond.Run(26552);
        Assert.Equal("a", bond.ActiveName());
        Assert.Equal(["bond bond0: active member is now b", "bond bond0: active member is now a"], sink.OvsLog);
        Assert.Equal("operator: bond/set-active-member", sink.Events[0].Reason);
        Assert.Equal(26552, sink.Events[1].TimeMs);
    }

    [Fact]
    public void Set_active_member_sticks_without_a_primary_and_reports_errors_in_ovs_words()
    {
        Bond bond = TestBonds.Create(s_noPrimary, new RecordingSink(), 0, "a", "b", "c");
        Assert.Equal("done", bond.SetActiveMember("c", 10));
        Assert.Equal("no change", bond.SetActiveMember("c", 11));
        bond.RunEachMs(12, 100);
        Assert.Equal("c", bond.ActiveName());
        Assert.Equal(1, bond.Counters.OperatorChanges);

        Assert.Equal("no such member", Assert.Throws<BondCommandException>(() => bond.SetActiveMember("zz", 101)).Message);
        bond.LinkDown("b", 102);
        Assert.Equal("cannot make disabled member active", Assert.Throws<BondCommandException>(() => bond.SetActiveMember("b", 103)).Message);
        Assert.Equal("no such member", Assert.Throws<BondCommandException>(() => bond.EnableMember("zz", 104)).Message);
        Assert.Equal("no such member", Assert.Throws<BondCommandException>(() => bond.DisableMember("zz", 104)).Message);
    }

    [Fact]
    public void I1_6_disable_member_lasts_only_the_updelay()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new() { UpDelayMs = 3000 }, sink, 0, "a", "b");
        sink.Clear();
        Assert.Equal("disabled", bond.DisableMember("b", 1000));
        Assert.False(bond.Member("b").Enabled);
        bond.Run(1000);
        Assert.Equal(4000, bond.Member("b").DelayExpiresMs);
        bond.Run(3999);
        Assert.False(bond.Member("b").Enabled);
        bond.Run(4000);
        Assert.True(bond.Member("b").Enabled);
        Assert.Equal(
            ["member b: disabled", "member b: link state up", "member b: will be enabled if it stays up for 3000 ms", "member b: enabled"],
            sink.OvsLog);
    }

    [Fact]
    public void Disable_member_with_zero_updelay_is_undone_by_the_next_run()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(s_noPrimary, sink, 0, "a", "b");
        sink.Clear();
        bond.DisableMember("a", 10);
        bond.Run(10);
        Assert.True(bond.Member("a").Enabled);
        Assert.Equal("a", bond.ActiveName());
        Assert.Equal(["member a: disabled", "member a: link state up", "member a: enabled"], sink.OvsLog);
    }

    [Fact]
    public void Disabling_the_active_member_with_an_updelay_fails_over()
    {
        Bond bond = TestBonds.Create(new() { UpDelayMs = 500 }, new RecordingSink(), 0, "a", "b");
        bond.DisableMember("a", 10);
        bond.Run(10);
        Assert.Equal("b", bond.ActiveName());
        Assert.True(bond.TakeLearningPacketRequest());
    }

    [Fact]
    public void Enable_member_without_carrier_lasts_only_the_downdelay()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new() { DownDelayMs = 700 }, sink, 0, "a", "b");
        bond.LinkDown("b", 10);
        bond.Run(710);
        Assert.False(bond.Member("b").Enabled);
        Assert.Equal("enabled", bond.EnableMember("b", 800));
        Assert.True(bond.Member("b").Enabled);
        bond.Run(800);
        Assert.Equal(1500, bond.Member("b").DelayExpiresMs);
        bond.Run(1500);
        Assert.False(bond.Member("b").Enabled);
    }

    [Fact]
    public void All_members_disabled_is_reported_once_and_tx_drops()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(s_noPrimary, sink, 0, "a", "b");
        bond.LinkDown("a", 10);
        bond.LinkDown("b", 20);
        bond.RunEachMs(21, 50);
        Assert.Single(sink.OfKind(BondEventKind.AllMembersDisabled));
        Assert.Equal(1, bond.Counters.AllMembersDisabled);
        Assert.Equal(1, bond.Counters.Failovers);
        Assert.Equal(2, bond.Counters.Flaps);
        Assert.Equal(20, bond.Counters.LastActiveChangeMs);
        Assert.Equal("active member b disabled", bond.Counters.LastActiveChangeReason);
        Assert.Equal("bond bond0: all members disabled", sink.OfKind(BondEventKind.AllMembersDisabled)[0].Message);
        Assert.Null(bond.ActiveMember);
        Assert.Equal(-1, bond.SelectTxMember(default));
        Assert.True(bond.TryTakeActiveMemberMacChange(out Packets.MacAddress mac));
        Assert.True(mac.IsZero);
        Assert.False(bond.TryTakeActiveMemberMacChange(out _));
    }

    [Fact]
    public void Removing_the_active_member_reselects_at_once()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(s_noPrimary, sink, 0, "a", "b", "c");
        bond.TakeLearningPacketRequest();
        sink.Clear();
        bond.RemoveMember("a", 50);
        Assert.Equal("b", bond.ActiveName());
        Assert.Equal(0, bond.ActiveMemberIndex);
        Assert.Equal(["b", "c"], bond.Members.Select(m => m.Name));
        Assert.Equal(["member a: disabled", "bond bond0: active member is now b"], sink.OvsLog);
        Assert.True(bond.TakeLearningPacketRequest());
        Assert.Throws<ArgumentException>(() => bond.RemoveMember("a", 51));
        Assert.Throws<ArgumentException>(() => bond.AddMember("b", TestBonds.Mac(9), MemberSettings.Default, true, 52));
        Assert.Throws<ArgumentException>(() => bond.SetMemberLink("nope", true, true, 52));
    }

    [Fact]
    public void Removing_the_last_enabled_active_member_reports_all_members_disabled()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(s_noPrimary, sink, 0, "a", "b");
        bond.LinkDown("b", 5);
        bond.RemoveMember("a", 10);
        Assert.Null(bond.ActiveMember);
        Assert.Equal("bond bond0: all members disabled", sink.Events[^1].Message);
    }

    [Fact]
    public void C6_restored_mac_wins_the_first_selection()
    {
        var sink = new RecordingSink();
        var bond = new Bond("bond0", s_noPrimary, sink) { RestoredActiveMac = TestBonds.Mac(3) };
        bond.AddMember("a", TestBonds.Mac(1), MemberSettings.Default, true, 0);
        bond.AddMember("b", TestBonds.Mac(2), MemberSettings.Default, true, 0);
        bond.AddMember("c", TestBonds.Mac(3), MemberSettings.Default, true, 0);
        Assert.Contains("active member mac: 02:00:00:00:00:03(c)", BondText.RenderShow(bond, 0));
        bond.Run(0);
        Assert.Equal("c", bond.ActiveName());
        Assert.Contains("remembered active member MAC", sink.OfKind(BondEventKind.ActiveChanged)[0].Reason);
    }

    [Fact]
    public void C6_restored_mac_of_a_disabled_member_is_skipped_and_the_primary_still_comes_first()
    {
        var bond = new Bond("bond0", new BondSettings { Primary = "a" }) { RestoredActiveMac = TestBonds.Mac(2) };
        bond.AddMember("a", TestBonds.Mac(1), MemberSettings.Default, true, 0);
        bond.AddMember("b", TestBonds.Mac(2), MemberSettings.Default, true, 0);
        bond.Run(0);
        Assert.Equal("a", bond.ActiveName());

        var other = new Bond("bond1", s_noPrimary) { RestoredActiveMac = TestBonds.Mac(2) };
        other.AddMember("a", TestBonds.Mac(1), MemberSettings.Default, true, 0);
        other.AddMember("b", TestBonds.Mac(2), MemberSettings.Default, false, 0);
        other.Run(0);
        Assert.Equal("a", other.ActiveName());
    }

    [Fact]
    public void Setting_a_primary_switches_at_once_with_the_ovs_default_policy()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(s_noPrimary, sink, 0, "bseno1", "bseno2");
        bond.SetActiveMember("bseno2", 1);
        bond.Run(2);
        Assert.Equal("bseno2", bond.ActiveName());
        bond.Reconfigure(new BondSettings { Primary = "bseno1" }, 3);
        Assert.True(bond.Run(3));
        Assert.Equal("bseno1", bond.ActiveName());
    }

    [Fact]
    public void Primary_added_later_becomes_primary()
    {
        Bond bond = TestBonds.Create(new() { Primary = "c" }, new RecordingSink(), 0, "a", "b");
        Assert.Contains("active-backup primary: c (no such member)", BondText.RenderShow(bond, 0));
        bond.AddMember("c", TestBonds.Mac(3), MemberSettings.Default, true, 10);
        bond.Run(10);
        Assert.Equal("c", bond.ActiveName());
        Assert.True(bond.Member("c").IsPrimary);
    }

    [Fact]
    public void Lacp_gate_disables_a_member_even_with_carrier()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(s_noPrimary, sink, 0, "a", "b");
        bond.SetMemberLink("a", carrier: true, mayEnable: false, 100);
        bond.Run(100);
        Assert.False(bond.Member("a").Enabled);
        Assert.Equal("b", bond.ActiveName());
        BondEvent down = sink.OfKind(BondEventKind.LinkDown).Single();
        Assert.Equal("member a: link state down", down.Message);
        Assert.Equal("may_enable false (LACP, BFD or CFM)", down.Reason);
    }

    [Fact]
    public void Next_wake_covers_pending_delays_only()
    {
        Bond bond = TestBonds.Create(new() { UpDelayMs = 100, DownDelayMs = 50 }, new RecordingSink(), 0, "a", "b");
        Assert.Equal(long.MaxValue, bond.NextWakeMs);
        bond.LinkDown("a", 1000);
        Assert.Equal(1050, bond.NextWakeMs);
        bond.Run(1050);
        Assert.Equal(long.MaxValue, bond.NextWakeMs);
        bond.LinkUp("a", 2000);
        Assert.Equal(2100, bond.NextWakeMs);
        Assert.False(bond.NeedsRun);
        bond.DisableMember("b", 2001);
        Assert.True(bond.NeedsRun);
    }
}
