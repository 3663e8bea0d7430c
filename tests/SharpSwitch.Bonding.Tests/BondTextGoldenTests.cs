// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding.Tests;

/// <summary>
/// bond/list and bond/show compared byte for byte with OVS 3.1 captures (tests/TestData/golden/bond). Each test
/// rebuilds the captured situation under virtual time with the captured MAC addresses.
/// </summary>
public sealed class BondTextGoldenTests
{
    private static readonly MacAddress s_bs1 = MacAddress.Parse("de:a9:9e:e4:a0:44");
    private static readonly MacAddress s_bs2 = MacAddress.Parse("ca:99:cf:c3:26:ea");

    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "golden", "bond", name));

    /// <summary>A TCP flow whose balance-tcp bucket (basis 0) is <paramref name="bucket"/>, found by trying source ports.</summary>
    private static FlowKey FlowInTcpBucket(int bucket)
    {
        for (int port = 1; port <= ushort.MaxValue; port++)
        {
            FlowKey key = BalanceTests.Tcp((ushort)port);
            if (BondHash.TcpBucket(in key, 0) == bucket)
            {
                return key;
            }
        }
        throw new InvalidOperationException($"no source port reaches bucket {bucket}");
    }

    private static Bond TwoMemberBond(BondSettings settings, RecordingSink? sink = null, RecirculationIdAllocator? ids = null)
    {
        var bond = new Bond("bsbond0", settings, sink, ids);
        bond.AddMember("bs1", s_bs1, MemberSettings.Default, true, 0);
        bond.AddMember("bs2", s_bs2, MemberSettings.Default, true, 0);
        return bond;
    }

    private static RecirculationIdAllocator IdsStartingAt(uint first)
    {
        var ids = new RecirculationIdAllocator();
        for (uint i = 1; i < first; i++)
        {
            ids.Allocate();
        }
        return ids;
    }

    [Fact]
    public void Capture14_list_and_show_of_three_bonds()
    {
        RecirculationIdAllocator ids = IdsStartingAt(3);
        var bondB = new Bond("bondB", new BondSettings { Mode = BondMode.BalanceSlb, Lacp = LacpMode.Active }, null, ids);
        var bondA = new Bond("bondA", new BondSettings { Mode = BondMode.BalanceTcp, Lacp = LacpMode.Active }, null, ids);
        var bondC = new Bond("bondC", new BondSettings { Primary = "d1" }, null, ids);
        bondA.AddMember("va1", MacAddress.Parse("fa:46:47:04:a2:54"), MemberSettings.Default, true, 0);
        bondA.AddMember("va2", MacAddress.Parse("fa:46:47:04:a2:55"), MemberSettings.Default, true, 0);
        bondB.AddMember("vb1", MacAddress.Parse("e6:49:e5:17:fd:c2"), MemberSettings.Default, true, 0);
        bondB.AddMember("vb2", MacAddress.Parse("e6:49:e5:17:fd:c3"), MemberSettings.Default, true, 0);
        bondC.AddMember("d1", MacAddress.Parse("aa:55:aa:55:00:05"), MemberSettings.Default, true, 0);
        bondC.AddMember("d2", MacAddress.Parse("aa:55:aa:55:00:06"), MemberSettings.Default, true, 0);
        foreach (Bond bond in new[] { bondA, bondB })
        {
            bond.SetLacpStatus(LacpStatus.Negotiated, 0);
        }
        foreach (Bond bond in new[] { bondA, bondB, bondC })
        {
            bond.Run(0);
        }
        Bond[] hashOrder = [bondA, bondC, bondB];

        Assert.Equal(Golden("capture14-bond-list.txt"), BondText.RenderList(hashOrder));
        Assert.Equal(Golden("capture14-bond-show-all.txt"), BondText.RenderShow(hashOrder, 10000 - 5914));
        Assert.Equal(Golden("capture14-bond-show-bondC.txt"), BondText.RenderShow(bondC, 4086));

        // The capture then ran "bond/set-active-member bondC d2" ("done") and bond/show again: the primary had won back.
        Assert.Equal("done", bondC.SetActiveMember("d2", 5000));
        bondC.Run(5001);
        Assert.Equal(Golden("capture14-bond-show-bondC.txt"), BondText.RenderShow(bondC, 5001));
    }

    [Fact]
    public void Spec_E1_lists()
    {
        Bond ab = TwoMemberBond(new BondSettings());
        Assert.Equal(Golden("spec-list-active-backup.txt"), BondText.RenderList([ab]));

        Bond slb = TwoMemberBond(new BondSettings { Mode = BondMode.BalanceSlb });
        Assert.Equal(Golden("spec-list-balance-slb.txt"), BondText.RenderList([slb]));

        RecirculationIdAllocator ids = IdsStartingAt(9);
        var tcp0 = new Bond("bsbond0", new BondSettings { Mode = BondMode.BalanceTcp }, null, ids);
        var tcp1 = new Bond("bsbond1", new BondSettings { Mode = BondMode.BalanceTcp }, null, ids);
        int n = 1;
        foreach ((Bond bond, string member) in new[] { (tcp0, "bs1"), (tcp0, "bs8"), (tcp0, "bs2"), (tcp1, "bs2p"), (tcp1, "bs1p") })
        {
            bond.AddMember(member, TestBonds.Mac(n++), MemberSettings.Default, true, 0);
        }
        Assert.Equal(Golden("spec-list-balance-tcp.txt"), BondText.RenderList([tcp0, tcp1]));
    }

    [Fact]
    public void Spec_E2_active_backup_blog_sequence()
    {
        Bond bond = TwoMemberBond(new BondSettings());
        bond.Run(0);
        Assert.Equal(Golden("spec-show-ab-no-primary.txt"), BondText.RenderShow(bond, 0));

        bond.LinkDown("bs1", 1000);
        bond.LinkUp("bs1", 2000);
        Assert.Contains(Golden("spec-show-ab-no-failback.fragment.txt"), BondText.RenderShow(bond, 2000));

        var warnings = new List<string>();
        bond.Reconfigure(BondSettings.FromOvsdb("bsbond0", "active-backup", null, 0, 0,
            new Dictionary<string, string> { ["bond-primary"] = "bs1" }, warnings), 3000);
        Assert.Empty(warnings);
        bond.Run(3000);
        Assert.Equal(Golden("spec-show-ab-primary.txt"), BondText.RenderShow(bond, 3000));
    }

    [Fact]
    public void Spec_E2_downdelay_updelay_and_all_down()
    {
        Bond bond = TwoMemberBond(new BondSettings { Primary = "bs1", UpDelayMs = 3000, DownDelayMs = 2000 });
        bond.Run(0);

        bond.LinkDown("bs1", 10_000);
        Assert.Contains(Golden("spec-show-downdelay-pending.fragment.txt"), BondText.RenderShow(bond, 10_509));

        bond.Run(12_000);
        Assert.Equal("bs2", bond.ActiveName());
        bond.LinkUp("bs1", 20_000);
        Assert.Contains(Golden("spec-show-updelay-pending.fragment.txt"), BondText.RenderShow(bond, 20_514));

        bond.LinkDown("bs1", 30_000);
        bond.LinkDown("bs2", 30_000);
        bond.Run(32_000);
        Assert.Contains(Golden("spec-show-all-down.fragment.txt"), BondText.RenderShow(bond, 32_000));
    }

    [Fact]
    public void Spec_E2_balance_slb_with_traffic()
    {
        Bond bond = TwoMemberBond(new BondSettings { Mode = BondMode.BalanceSlb }, ids: new RecirculationIdAllocator());
        bond.Run(0);
        // The capture's eight sources 02:00:00:00:00:01..08 (buckets 38, 235, 230, 9, 205, 93, 141, 44), started in
        // that order, alternate between bs1 and bs2 as the rotating list hands them out; then each sends its load.
        int[] kilobytes = [347, 221, 259, 218, 221, 259, 202, 16];
        for (int n = 1; n <= 8; n++)
        {
            var key = new FlowKey { EthSrc = TestBonds.Mac(n), EthDst = MacAddress.Broadcast };
            Assert.Equal((n - 1) % 2, bond.SelectTxMember(in key));
            Assert.Equal((n - 1) % 2, bond.SelectTxMember(in key, (kilobytes[n - 1] * 1024) + 1000));
        }
        Assert.Equal(Golden("spec-show-slb-traffic.txt"), BondText.RenderShow(bond, 10000 - 3503));
    }

    [Fact]
    public void Spec_E2_balance_tcp_without_lacp_looks_healthy()
    {
        Bond bond = TwoMemberBond(new BondSettings { Mode = BondMode.BalanceTcp });
        bond.RestoredActiveMac = s_bs2;
        bond.Run(0);
        Assert.Equal(Golden("spec-show-tcp-no-lacp.txt"), BondText.RenderShow(bond, 10000 - 8989));
    }

    [Fact]
    public void Spec_E2_balance_tcp_negotiated()
    {
        Bond bond = TwoMemberBond(new BondSettings { Mode = BondMode.BalanceTcp, Lacp = LacpMode.Active }, ids: IdsStartingAt(12));
        bond.SetLacpStatus(LacpStatus.Negotiated, 0);
        bond.Run(0);
        // OVS placed these buckets at random; here the round-robin gives 54 and 93 to bs1, 150 and 166 to bs2, and the
        // rest to bs1 while bs2 is briefly down (buckets stay with a member that comes back unless they were used).
        Send(54, 90);
        Send(150, 47);
        Send(93, 88);
        Send(166, 464);
        bond.LinkDown("bs2", 1);
        foreach ((int bucket, int kilobytes) in new[] { (120, 88), (198, 63), (208, 76), (218, 73) })
        {
            Send(bucket, kilobytes);
        }
        bond.LinkUp("bs2", 2);
        // As in OVS, balance-tcp loads appear only once a rebalance has read them (and halved them): twice the shown
        // load was sent, and the two members differ by too little for the rebalance to move anything.
        Assert.DoesNotContain("  hash ", BondText.RenderShow(bond, 9000), StringComparison.Ordinal);
        bond.Run(10_000);
        string rendered = BondText.RenderShow(bond, 20_000 - 2377);
        Assert.StartsWith(Golden("spec-show-tcp-negotiated-traffic.fragment.txt"), rendered);

        void Send(int bucket, int kilobytes)
        {
            FlowKey key = FlowInTcpBucket(bucket);
            bond.SelectTxMember(in key, 2 * ((kilobytes * 1024) + 512));
        }
    }

    [Fact]
    public void Spec_E2_balance_tcp_lacp_configured_partner_silent()
    {
        Bond bond = TwoMemberBond(new BondSettings { Mode = BondMode.BalanceTcp, Lacp = LacpMode.Active }, ids: IdsStartingAt(3));
        bond.SetMemberLink("bs1", true, false, 0);
        bond.SetMemberLink("bs2", true, false, 0);
        bond.Run(0);
        Assert.Null(bond.ActiveMember);
        Assert.Equal(Golden("spec-show-tcp-lacp-configured.txt"), BondText.RenderShow(bond, 10050));
    }

    [Fact]
    public void Spec_E2_balance_tcp_with_fallback()
    {
        Bond bond = TwoMemberBond(new BondSettings { Mode = BondMode.BalanceTcp, Lacp = LacpMode.Active, LacpFallbackAb = true });
        bond.SetLacpStatus(LacpStatus.Configured, 0);
        bond.Run(0);
        Assert.Equal(Golden("spec-show-tcp-fallback.txt"), BondText.RenderShow(bond, 5000));

        // Once LACP negotiates, recirculation is back and the rebalance clock restarts.
        bond.SetLacpStatus(LacpStatus.Negotiated, 6000);
        string negotiated = BondText.RenderShow(bond, 6000);
        Assert.Contains("bond may use recirculation: yes, Recirc-ID : 1\n", negotiated);
        Assert.Contains("next rebalance: 10000 ms\nlacp_status: negotiated\n", negotiated);
    }

    [Fact]
    public void Lb_output_action_shows_the_bond_id()
    {
        Bond bond = TwoMemberBond(new BondSettings { Mode = BondMode.BalanceTcp, Lacp = LacpMode.Active, LbOutputAction = true }, ids: IdsStartingAt(3));
        bond.SetLacpStatus(LacpStatus.Negotiated, 0);
        Assert.Contains("\nlb_output action: enabled, bond-id: 3\n", BondText.RenderShow(bond, 0));
    }

    [Fact]
    public void Sharpswitch_lines_follow_ovs_lines_only_when_new_keys_are_set()
    {
        var bond = new Bond("bond0", new BondSettings { Primary = "a", Failback = FailbackPolicy.Better, FailbackDelayMs = 30000 });
        bond.AddMember("a", TestBonds.Mac(1), new MemberSettings { Priority = 10 }, true, 0);
        bond.AddMember("b", TestBonds.Mac(2), new MemberSettings { MaintenanceDisabled = true }, true, 0);
        bond.Run(0);
        Assert.Equal(
            """
            ---- bond0 ----
            bond_mode: active-backup
            bond may use recirculation: no, Recirc-ID : -1
            bond-hash-basis: 0
            lb_output action: disabled, bond-id: -1
            updelay: 0 ms
            downdelay: 0 ms
            lacp_status: off
            lacp_fallback_ab: false
            active-backup primary: a
            active member mac: 02:00:00:00:00:01(a)
            sharpswitch bond-failback: better
            sharpswitch bond-failback-delay: 30000 ms

            member a: enabled
              active member
              may_enable: true
              sharpswitch bond-member-priority: 10

            member b: disabled
              may_enable: true
              sharpswitch bond-member-disabled: true


            """.ReplaceLineEndings("\n"),
            BondText.RenderShow(bond, 0));
    }

    [Fact]
    public void Show_of_several_bonds_concatenates_blocks_and_list_of_none_is_the_header()
    {
        Bond a = TwoMemberBond(new BondSettings());
        Bond b = TwoMemberBond(new BondSettings());
        Assert.Equal(BondText.RenderShow(a, 0) + BondText.RenderShow(b, 0), BondText.RenderShow([a, b], 0));
        Assert.Equal("bond\ttype\trecircID\tmembers\n", BondText.RenderList([]));
        Assert.Equal("", BondText.RenderShow(Array.Empty<Bond>(), 0));
    }

    [Fact]
    public void Active_backup_frees_its_recirculation_id_and_slb_takes_one()
    {
        var ids = new RecirculationIdAllocator();
        Bond bond = TwoMemberBond(new BondSettings { Mode = BondMode.BalanceSlb }, ids: ids);
        Assert.Equal(1u, bond.RecirculationId);
        bond.Reconfigure(new BondSettings(), 10);
        Assert.Equal(0u, bond.RecirculationId);
        Assert.Equal(1u, ids.Allocate());
    }
}
