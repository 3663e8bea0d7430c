// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding.Tests;

/// <summary>§C.10 TX selection and RX admission, §C.7 learning-packet conditions, and the no-allocation rule.</summary>
public sealed class PacketPathTests
{
    private static readonly FlowKey s_unicast = new() { EthDst = new MacAddress(0x0200_0000_00AAUL), EthSrc = new MacAddress(0x0200_0000_00BBUL) };
    private static readonly FlowKey s_broadcast = new() { EthDst = MacAddress.Broadcast, EthSrc = new MacAddress(0x0200_0000_00BBUL) };
    private static readonly FlowKey s_multicast = new() { EthDst = new MacAddress(0x0100_5E00_0001UL) };

    /// <summary>Members "a" (index 0, active) and "b" (index 1, enabled backup).</summary>
    private static Bond Build(BondMode mode, LacpStatus lacp, bool fallback = false, bool allMembersActive = false)
    {
        var bond = new Bond("bond0", new BondSettings
        {
            Mode = mode,
            Lacp = lacp == LacpStatus.Off ? LacpMode.Off : LacpMode.Active,
            LacpFallbackAb = fallback,
            AllMembersActive = allMembersActive,
        });
        bond.AddMember("a", TestBonds.Mac(1), MemberSettings.Default, true, 0);
        bond.AddMember("b", TestBonds.Mac(2), MemberSettings.Default, true, 0);
        bond.SetLacpStatus(lacp, 0);
        bond.Run(0);
        Assert.Equal("a", bond.ActiveName());
        return bond;
    }

    [Theory]
    [InlineData(BondMode.ActiveBackup, LacpStatus.Off, false, 0)]
    [InlineData(BondMode.BalanceSlb, LacpStatus.Off, false, 0)]
    [InlineData(BondMode.BalanceTcp, LacpStatus.Off, false, -1)]
    [InlineData(BondMode.ActiveBackup, LacpStatus.Configured, false, -1)]
    [InlineData(BondMode.BalanceSlb, LacpStatus.Configured, false, -1)]
    [InlineData(BondMode.BalanceTcp, LacpStatus.Configured, false, -1)]
    [InlineData(BondMode.ActiveBackup, LacpStatus.Configured, true, 0)]
    [InlineData(BondMode.BalanceSlb, LacpStatus.Configured, true, 0)]
    [InlineData(BondMode.BalanceTcp, LacpStatus.Configured, true, 0)]
    [InlineData(BondMode.ActiveBackup, LacpStatus.Negotiated, false, 0)]
    [InlineData(BondMode.BalanceSlb, LacpStatus.Negotiated, false, 0)]
    [InlineData(BondMode.BalanceTcp, LacpStatus.Negotiated, false, 0)]
    public void Tx_member_follows_the_table(BondMode mode, LacpStatus lacp, bool fallback, int expected)
    {
        Bond bond = Build(mode, lacp, fallback);
        Assert.Equal(expected, bond.SelectTxMember(in s_unicast));
        Assert.Equal(expected, bond.SelectTxMember(in s_broadcast));
    }

    // Expected verdicts: unicast on active, unicast on backup, broadcast on active, broadcast on backup.
    [Theory]
    [InlineData(BondMode.ActiveBackup, LacpStatus.Off, false, false, "A D A D")]
    [InlineData(BondMode.BalanceSlb, LacpStatus.Off, false, false, "M M M D")]
    [InlineData(BondMode.BalanceSlb, LacpStatus.Off, false, true, "M M M M")]
    [InlineData(BondMode.ActiveBackup, LacpStatus.Off, false, true, "A D A D")]
    [InlineData(BondMode.BalanceTcp, LacpStatus.Off, false, false, "D D D D")]
    [InlineData(BondMode.ActiveBackup, LacpStatus.Configured, false, false, "D D D D")]
    [InlineData(BondMode.BalanceSlb, LacpStatus.Configured, false, false, "D D D D")]
    [InlineData(BondMode.BalanceTcp, LacpStatus.Configured, false, false, "D D D D")]
    [InlineData(BondMode.ActiveBackup, LacpStatus.Configured, true, false, "A D A D")]
    [InlineData(BondMode.BalanceTcp, LacpStatus.Configured, true, false, "A D A D")]
    [InlineData(BondMode.BalanceSlb, LacpStatus.Configured, true, false, "M M M D")]
    [InlineData(BondMode.ActiveBackup, LacpStatus.Negotiated, false, false, "A A A A")]
    [InlineData(BondMode.BalanceSlb, LacpStatus.Negotiated, false, false, "A A A A")]
    [InlineData(BondMode.BalanceTcp, LacpStatus.Negotiated, false, false, "A A A A")]
    public void Rx_admission_follows_the_table(BondMode mode, LacpStatus lacp, bool fallback, bool allMembersActive, string expected)
    {
        Bond bond = Build(mode, lacp, fallback, allMembersActive);
        string actual = string.Join(' ', new[]
        {
            bond.Admit(0, in s_unicast), bond.Admit(1, in s_unicast), bond.Admit(0, in s_broadcast), bond.Admit(1, in s_broadcast),
        }.Select(v => v switch
        {
            BondAdmission.Accept => "A",
            BondAdmission.Drop => "D",
            BondAdmission.DropIfMoved => "M",
            _ => "?",
        }));
        Assert.Equal(expected, actual);
        Assert.Equal(bond.Admit(1, in s_broadcast), bond.Admit(1, in s_multicast));
        Assert.Equal(BondAdmission.Drop, bond.Admit(2, in s_unicast));
        Assert.Equal(BondAdmission.Drop, bond.Admit(-1, in s_unicast));
    }

    [Fact]
    public void Negotiated_lacp_admits_a_member_that_may_enable_before_run_enables_it_and_drops_one_that_cannot()
    {
        Bond bond = Build(BondMode.BalanceTcp, LacpStatus.Negotiated);
        bond.SetMemberLink("b", true, false, 10);
        bond.Run(10);
        Assert.Equal(BondAdmission.Drop, bond.Admit(1, in s_unicast));
        bond.SetMemberLink("b", true, true, 20);
        Assert.False(bond.Member("b").Enabled);
        Assert.Equal(BondAdmission.Accept, bond.Admit(1, in s_unicast));
    }

    [Fact]
    public void All_members_active_is_ignored_outside_slb()
    {
        Bond bond = Build(BondMode.ActiveBackup, LacpStatus.Off, allMembersActive: true);
        Assert.False(bond.AllMembersActive);
        Assert.True(Build(BondMode.BalanceSlb, LacpStatus.Off, allMembersActive: true).AllMembersActive);
    }

    [Theory]
    [InlineData(BondMode.ActiveBackup, LacpStatus.Off, false, true)]
    [InlineData(BondMode.BalanceSlb, LacpStatus.Off, false, true)]
    [InlineData(BondMode.BalanceTcp, LacpStatus.Off, false, false)]
    [InlineData(BondMode.ActiveBackup, LacpStatus.Negotiated, false, false)]
    [InlineData(BondMode.BalanceSlb, LacpStatus.Negotiated, false, false)]
    [InlineData(BondMode.BalanceTcp, LacpStatus.Configured, false, false)]
    [InlineData(BondMode.BalanceTcp, LacpStatus.Configured, true, true)]
    public void Learning_packets_follow_the_c7_conditions(BondMode mode, LacpStatus lacp, bool fallback, bool expected)
    {
        Bond bond = Build(mode, lacp, fallback);
        Assert.Equal(expected, bond.TakeLearningPacketRequest());
        Assert.False(bond.TakeLearningPacketRequest());
    }

    [Fact]
    public void Learning_packets_are_requested_by_disable_reselection_and_operator_but_not_without_an_active_member()
    {
        Bond bond = Build(BondMode.ActiveBackup, LacpStatus.Off);
        bond.TakeLearningPacketRequest();
        bond.Run(1);
        Assert.False(bond.TakeLearningPacketRequest());

        bond.LinkDown("b", 2);
        Assert.True(bond.TakeLearningPacketRequest());
        bond.LinkUp("b", 3);
        Assert.False(bond.TakeLearningPacketRequest());
        bond.SetActiveMember("b", 4);
        Assert.True(bond.TakeLearningPacketRequest());

        bond.LinkDown("a", 5);
        bond.LinkDown("b", 5);
        Assert.Null(bond.ActiveMember);
        Assert.False(bond.TakeLearningPacketRequest());
    }

    [Fact]
    public void Packet_path_does_not_allocate()
    {
        Bond bond = Build(BondMode.BalanceSlb, LacpStatus.Off);
        FlowKey unicast = s_unicast;
        FlowKey broadcast = s_broadcast;
        int sink = 0;
        for (int i = 0; i < 1000; i++)
        {
            sink += bond.SelectTxMember(in unicast) + (int)bond.Admit(i & 1, in broadcast);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            sink += bond.SelectTxMember(in unicast) + (int)bond.Admit(i & 1, in broadcast) + (int)bond.Admit(i % 3, in unicast);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.NotEqual(int.MinValue, sink);
    }

    [Fact]
    public void Turning_lacp_on_and_off_follows_ovs_lacp_object_lifetime()
    {
        Bond bond = Build(BondMode.ActiveBackup, LacpStatus.Off);
        Assert.Equal(LacpStatus.Off, bond.LacpStatus);
        bond.Reconfigure(bond.Settings with { Lacp = LacpMode.Active }, 10);
        Assert.Equal(LacpStatus.Configured, bond.LacpStatus);
        Assert.Equal(-1, bond.SelectTxMember(in s_unicast));
        bond.SetLacpStatus(LacpStatus.Negotiated, 20);
        bond.Reconfigure(bond.Settings with { Lacp = LacpMode.Passive }, 30);
        Assert.Equal(LacpStatus.Negotiated, bond.LacpStatus);
        bond.Reconfigure(bond.Settings with { Lacp = LacpMode.Off }, 40);
        Assert.Equal(LacpStatus.Off, bond.LacpStatus);
        Assert.Equal(0, bond.SelectTxMember(in s_unicast));
    }
}
