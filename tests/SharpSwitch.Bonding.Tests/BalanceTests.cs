// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding.Tests;

/// <summary>
/// balance-slb and balance-tcp under virtual time (bonding-spec §C.8–§C.10): bucket assignment by the rotating list of
/// enabled members, lazy reassignment, rebalancing thresholds and decay with OVS 3.1's log lines, bond/migrate, and the
/// balance-tcp drop report.
/// </summary>
public sealed class BalanceTests
{
    /// <summary>A unicast frame from source MAC 02:00:00:00:00:n (02:00:00:00:00:01 hashes to bucket 38, §C.8).</summary>
    private static FlowKey From(int n, int vlan = 0) => new()
    {
        EthSrc = TestBonds.Mac(n),
        EthDst = new MacAddress(0x0200_0000_00AAUL),
        VlanTagCount = (byte)(vlan == 0 ? 0 : 1),
        OuterTci = (ushort)vlan,
    };

    private static int Bucket(int n) => BondHash.SlbBucket(TestBonds.Mac(n), 0, 0);

    private static string? Tx(Bond bond, in FlowKey key, int bytes = 0)
    {
        int index = bond.SelectTxMember(in key, bytes);
        return index < 0 ? null : bond.Members[index].Name;
    }

    private static Bond Slb(RecordingSink sink, params string[] members) =>
        TestBonds.Create(new BondSettings { Mode = BondMode.BalanceSlb }, sink, 0, members);

    [Fact]
    public void Buckets_take_the_enabled_members_in_turn_on_first_use_and_keep_them()
    {
        Bond bond = Slb(new RecordingSink(), "a", "b", "c");
        Assert.Equal(["a", "b", "c"], bond.EnabledRotation.Select(m => m.Name));

        Assert.Equal(["a", "b", "c", "a", "b"], Enumerable.Range(1, 5).Select(n => Tx(bond, From(n))));
        // A bucket keeps its member: the same sources again, in another order, go where they went.
        Assert.Equal(["b", "a", "c", "a", "b"], new[] { 5, 4, 3, 1, 2 }.Select(n => Tx(bond, From(n))));
        Assert.Equal("a", bond.GetBucketMember(Bucket(1))!.Name);
        Assert.Null(bond.GetBucketMember(Bucket(6)));
        // The next unassigned bucket continues the rotation.
        Assert.Equal("c", Tx(bond, From(6)));
    }

    [Fact]
    public void Vlan_and_basis_change_the_bucket_as_bond_hash_says()
    {
        Bond bond = Slb(new RecordingSink(), "a", "b");
        Assert.Equal(38, bond.BucketOf(From(1)));
        Assert.Equal(218, bond.BucketOf(From(1, vlan: 10)));
        bond.Reconfigure(bond.Settings with { HashBasis = 1 }, 5);
        Assert.Equal(33, bond.BucketOf(From(1)));
    }

    [Fact]
    public void A_failed_members_buckets_move_lazily_and_a_recovered_member_gets_nothing_until_a_rebalance()
    {
        var sink = new RecordingSink();
        Bond bond = Slb(sink, "a", "b", "c");
        Assert.Equal(["a", "b", "c"], Enumerable.Range(1, 3).Select(n => Tx(bond, From(n))));

        bond.LinkDown("b", 100);
        // Nothing moves at the failure itself: the bucket still names b until its next packet.
        Assert.Equal("b", bond.GetBucketMember(Bucket(2))!.Name);
        Assert.Equal(["a", "c"], bond.EnabledRotation.Select(m => m.Name));
        Assert.Equal("a", Tx(bond, From(2)));
        Assert.Equal("a", bond.GetBucketMember(Bucket(2))!.Name);

        bond.LinkUp("b", 200);
        // b rejoins at the back of the rotation; every existing bucket stays where it is.
        Assert.Equal(["c", "a", "b"], bond.EnabledRotation.Select(m => m.Name));
        Assert.Equal(["a", "a", "c"], Enumerable.Range(1, 3).Select(n => Tx(bond, From(n))));
        Assert.Equal(["c", "a", "b"], Enumerable.Range(4, 3).Select(n => Tx(bond, From(n))));

        // Load on a's two buckets and some on c: the rebalance at 10 s moves one of a's buckets to the idle b.
        Tx(bond, From(1), 300_000);
        Tx(bond, From(2), 200_000);
        Tx(bond, From(3), 150_000);
        bond.Run(9_999);
        Assert.Empty(sink.OfKind(BondEventKind.LoadShifted));
        bond.Run(10_000);
        BondEvent shift = Assert.Single(sink.OfKind(BondEventKind.LoadShifted));
        Assert.Equal($"bond bond0: shift 195kB of load (with hash {Bucket(2)}) from a to b (now carrying 292kB and 195kB load, respectively)", shift.Message);
        Assert.Equal("b", shift.Member);
        Assert.Equal("b", Tx(bond, From(2)));
        Assert.Equal(1, bond.Counters.BucketMoves);
    }

    [Fact]
    public void Rebalance_moves_the_buckets_ovs_would_and_halves_every_load()
    {
        var sink = new RecordingSink();
        Bond bond = Slb(sink, "a", "b");
        // a: 300000 + 200000 + 100000 bytes over three buckets; b: 100000 bytes.
        Assert.Equal(["a", "b", "a", "b", "a"], Enumerable.Range(1, 5).Select(n => Tx(bond, From(n))));
        Tx(bond, From(1), 300_000);
        Tx(bond, From(2), 100_000);
        Tx(bond, From(3), 200_000);
        Tx(bond, From(5), 100_000);
        Assert.Equal(10_000 - 4_000, BondTextTestSupport.NextRebalanceIn(bond, 4_000));

        bond.Run(10_000);

        // ideal shift (600000+100000)/2-100000 = 250000: the 200000 bucket fits, the 300000 one does not. The second
        // round (400000 vs 300000, ideal 50000) finds only the 100000 bucket, which would overshoot: a is done.
        Assert.Equal(
            [$"bond bond0: shift 195kB of load (with hash {Bucket(3)}) from a to b (now carrying 390kB and 292kB load, respectively)"],
            sink.OfKind(BondEventKind.LoadShifted).Select(e => e.Message));
        Assert.Equal("b", bond.GetBucketMember(Bucket(3))!.Name);
        Assert.Equal("a", bond.GetBucketMember(Bucket(5))!.Name);
        Assert.Equal([150_000UL, 50_000UL, 100_000UL, 50_000UL], new[] { 1, 2, 3, 5 }.Select(n => bond.GetBucketTxBytes(Bucket(n))));
        Assert.Equal(20_000, BondTextTestSupport.NextRebalanceIn(bond, 0));

        // With no new traffic the halved loads stay balanced enough: nothing moves, loads halve again.
        bond.Run(20_000);
        Assert.Single(sink.OfKind(BondEventKind.LoadShifted));
        Assert.Equal(75_000UL, bond.GetBucketTxBytes(Bucket(1)));
    }

    [Theory]
    // Under 100000 bytes of imbalance: nothing moves, however lopsided.
    [InlineData(60_000, 30_000, 0, false)]
    // 100000 bytes more, but under 1/32 of the lighter member's 4000000: nothing moves.
    [InlineData(2_050_000, 2_050_000, 4_000_000, false)]
    // The same imbalance against a lighter member is worth a move.
    [InlineData(200_000, 100_000, 50_000, true)]
    public void Rebalance_thresholds(int first, int second, int other, bool moves)
    {
        var sink = new RecordingSink();
        Bond bond = Slb(sink, "a", "b");
        Assert.Equal(["a", "b", "a"], Enumerable.Range(1, 3).Select(n => Tx(bond, From(n))));
        Tx(bond, From(1), first);
        Tx(bond, From(3), second);
        Tx(bond, From(2), other);
        bond.Run(10_000);
        Assert.Equal(moves, sink.OfKind(BondEventKind.LoadShifted).Count == 1);
    }

    [Fact]
    public void A_member_with_one_loaded_bucket_keeps_it()
    {
        var sink = new RecordingSink();
        Bond bond = Slb(sink, "a", "b");
        Tx(bond, From(1), 5_000_000);
        bond.Run(10_000);
        Assert.Empty(sink.OfKind(BondEventKind.LoadShifted));
        Assert.Equal(2_500_000UL, bond.GetBucketTxBytes(Bucket(1)));
    }

    [Fact]
    public void Interval_zero_never_rebalances_and_counts_nothing()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new BondSettings { Mode = BondMode.BalanceSlb, RebalanceIntervalMs = 0 }, sink, 0, "a", "b");
        Tx(bond, From(1), 500_000);
        Tx(bond, From(3), 500_000);
        bond.Run(100_000);
        Assert.Empty(sink.OfKind(BondEventKind.LoadShifted));
        Assert.Equal(0UL, bond.GetBucketTxBytes(Bucket(1)));
        Assert.False(bond.IsBalanced);
        Assert.Equal(long.MaxValue, bond.NextWakeMs);
    }

    [Fact]
    public void Next_wake_includes_the_rebalance_so_virtual_time_reaches_it()
    {
        Bond bond = Slb(new RecordingSink(), "a", "b");
        Assert.Equal(10_000, bond.NextWakeMs);
        bond.Run(10_000);
        Assert.Equal(20_000, bond.NextWakeMs);
    }

    [Fact]
    public void Mode_basis_interval_and_fallback_changes_forget_every_bucket()
    {
        Bond bond = TestBonds.Create(new BondSettings { Mode = BondMode.BalanceSlb, Lacp = LacpMode.Active, LacpFallbackAb = true }, new RecordingSink(), 0, "a", "b");
        bond.SetLacpStatus(LacpStatus.Negotiated, 0);
        bond.Run(0);
        void Load()
        {
            Tx(bond, From(1), 5000);
            Assert.NotNull(bond.GetBucketMember(Bucket(1)));
        }

        Load();
        bond.Reconfigure(bond.Settings with { HashBasis = 7 }, 10);
        Assert.Null(bond.GetBucketMember(Bucket(1)));
        Assert.Equal(0UL, bond.GetBucketTxBytes(Bucket(1)));
        bond.Reconfigure(bond.Settings with { HashBasis = 0 }, 11);

        Load();
        bond.Reconfigure(bond.Settings with { RebalanceIntervalMs = 5000 }, 20);
        Assert.Null(bond.GetBucketMember(Bucket(1)));
        Assert.Equal(5020, bond.NextRebalanceMs(20));

        // A change that does not touch the buckets keeps them (once the pending revalidation has run, as in OVS).
        bond.Run(25);
        Load();
        bond.Reconfigure(bond.Settings with { UpDelayMs = 100 }, 30);
        Assert.NotNull(bond.GetBucketMember(Bucket(1)));

        // LACP lost with fallback: the bond behaves as active-backup and has no buckets.
        bond.SetLacpStatus(LacpStatus.Configured, 40);
        bond.Run(40);
        Assert.False(bond.HasBuckets);
        Assert.Null(bond.GetBucketMember(Bucket(1)));
        bond.SetLacpStatus(LacpStatus.Negotiated, 50);
        bond.Run(50);
        Assert.True(bond.HasBuckets);

        Load();
        bond.Reconfigure(bond.Settings with { Mode = BondMode.BalanceTcp }, 60);
        Assert.Null(bond.GetBucketMember(Bucket(1)));
    }

    [Fact]
    public void A_removed_members_buckets_become_unassigned()
    {
        Bond bond = Slb(new RecordingSink(), "a", "b");
        Assert.Equal(["a", "b"], Enumerable.Range(1, 2).Select(n => Tx(bond, From(n))));
        bond.RemoveMember("b", 10);
        Assert.Null(bond.GetBucketMember(Bucket(2)));
        Assert.Equal("a", Tx(bond, From(2)));
    }

    [Fact]
    public void No_enabled_member_drops()
    {
        Bond bond = Slb(new RecordingSink(), "a", "b");
        bond.LinkDown("a", 10);
        bond.LinkDown("b", 10);
        Assert.Null(Tx(bond, From(1)));
    }

    [Fact]
    public void Migrate_replies_and_errors_as_ovs()
    {
        var sink = new RecordingSink();
        Bond bond = Slb(sink, "a", "b");
        Assert.Equal("a", Tx(bond, From(1)));

        Assert.Equal("migrated", bond.Migrate("38", "b", 100));
        Assert.Equal("b", Tx(bond, From(1)));
        Assert.Equal("bond bond0: hash 38 migrated from a to b", Assert.Single(sink.OfKind(BondEventKind.BucketMigrated)).Message);

        // Digits only, taken mod 256 (atoi & 0xff); atoi saturates, so a huge number is bucket 255; "" is 0.
        Assert.Equal("migrated", bond.Migrate("294", "a", 101));
        Assert.Equal("a", bond.GetBucketMember(38)!.Name);
        Assert.Equal("migrated", bond.Migrate("99999999999999999999999", "b", 102));
        Assert.Equal("b", bond.GetBucketMember(255)!.Name);
        Assert.Equal("migrated", bond.Migrate("", "b", 103));
        Assert.Equal("b", bond.GetBucketMember(0)!.Name);

        Assert.Equal("bad hash", Assert.Throws<BondCommandException>(() => bond.Migrate("-1", "a", 104)).Message);
        Assert.Equal("bad hash", Assert.Throws<BondCommandException>(() => bond.Migrate("0x10", "a", 104)).Message);
        Assert.Equal("no such member", Assert.Throws<BondCommandException>(() => bond.Migrate("1", "zz", 104)).Message);
        bond.LinkDown("b", 200);
        Assert.Equal("cannot migrate to disabled member", Assert.Throws<BondCommandException>(() => bond.Migrate("1", "b", 201)).Message);

        foreach (BondMode mode in new[] { BondMode.ActiveBackup, BondMode.BalanceTcp })
        {
            Bond other = TestBonds.Create(new BondSettings { Mode = mode }, new RecordingSink(), 0, "a", "b");
            Assert.Equal("not an SLB bond", Assert.Throws<BondCommandException>(() => other.Migrate("1", "a", 0)).Message);
        }
    }

    [Fact]
    public void Moved_buckets_ask_for_learning_packets_for_their_macs_only()
    {
        Bond bond = Slb(new RecordingSink(), "a", "b");
        bond.TakeLearningPacketRequest();
        Assert.False(bond.TakeMovedBucketsRequest());
        Tx(bond, From(1));
        bond.Migrate("38", "b", 10);
        Assert.True(bond.TakeMovedBucketsRequest());
        Assert.True(bond.WasBucketMoved(From(1)));
        Assert.False(bond.WasBucketMoved(From(2)));
        Assert.False(bond.TakeMovedBucketsRequest());
    }

    [Fact]
    public void Balance_tcp_hashes_l4_flows_once_lacp_is_negotiated()
    {
        Bond bond = TestBonds.Create(new BondSettings { Mode = BondMode.BalanceTcp, Lacp = LacpMode.Active }, new RecordingSink(), 0, "a", "b", "c", "d");
        bond.SetLacpStatus(LacpStatus.Negotiated, 0);
        bond.Run(0);
        var buckets = new HashSet<int>();
        for (ushort port = 1; port <= 200; port++)
        {
            FlowKey key = Tcp(port);
            int bucket = BondHash.TcpBucket(in key, 0);
            string? member = Tx(bond, key, 100);
            Assert.Equal(bond.GetBucketMember(bucket)!.Name, member);
            buckets.Add(bucket);
        }
        Assert.Equal(buckets.Count, Enumerable.Range(0, 256).Count(b => bond.GetBucketMember(b) is not null));
        // Round-robin over four members: each carries a quarter of the buckets, give or take one.
        var perMember = Enumerable.Range(0, 256).Select(bond.GetBucketMember).OfType<BondMember>().GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(4, perMember.Count);
        Assert.True(perMember.Values.Max() - perMember.Values.Min() <= 1);
    }

    internal static FlowKey Tcp(ushort sourcePort) => new()
    {
        EthSrc = TestBonds.Mac(1),
        EthDst = TestBonds.Mac(2),
        EthType = EtherType.Ipv4,
        Ipv4Src = 0x0A000001,
        Ipv4Dst = 0x0A000002,
        IpProto = IpProtocol.Tcp,
        L4Src = sourcePort,
        L4Dst = 80,
    };

    [Fact]
    public void Balance_tcp_without_negotiated_lacp_says_once_why_it_drops_everything()
    {
        var sink = new RecordingSink();
        Bond bond = TestBonds.Create(new BondSettings { Mode = BondMode.BalanceTcp }, sink, 0, "a", "b");
        bond.Run(1);
        bond.Run(2);
        BondEvent drop = Assert.Single(sink.OfKind(BondEventKind.DroppingAllTraffic));
        Assert.Equal("bond bond0: dropping all traffic", drop.Message);
        Assert.StartsWith("balance-tcp requires LACP, and lacp is off", drop.Reason, StringComparison.Ordinal);
        Assert.False(drop.IsOvsLogLine);
        Assert.Null(Tx(bond, Tcp(1)));

        bond.Reconfigure(bond.Settings with { Lacp = LacpMode.Active }, 10);
        bond.Run(10);
        Assert.Single(sink.OfKind(BondEventKind.DroppingAllTraffic));
        bond.SetLacpStatus(LacpStatus.Negotiated, 20);
        bond.Run(20);
        Assert.Single(sink.OfKind(BondEventKind.TrafficResumed));
        Assert.NotNull(Tx(bond, Tcp(1)));

        // Negotiation lost without fallback: reported again, with the LACP reason.
        bond.SetLacpStatus(LacpStatus.Configured, 30);
        bond.Run(30);
        Assert.Equal(2, sink.OfKind(BondEventKind.DroppingAllTraffic).Count);
        Assert.Contains("lacp-fallback-ab", sink.OfKind(BondEventKind.DroppingAllTraffic)[1].Reason, StringComparison.Ordinal);

        // With fallback the bond is active-backup instead, and says so by resuming.
        bond.Reconfigure(bond.Settings with { LacpFallbackAb = true }, 40);
        bond.Run(40);
        Assert.Equal(2, sink.OfKind(BondEventKind.TrafficResumed).Count);
        Assert.Equal(bond.ActiveName(), Tx(bond, Tcp(1)));
        Assert.False(bond.HasBuckets);
    }

    [Fact]
    public void Selecting_and_counting_in_balanced_modes_does_not_allocate()
    {
        Bond slb = Slb(new RecordingSink(), "a", "b");
        Bond tcp = TestBonds.Create(new BondSettings { Mode = BondMode.BalanceTcp, Lacp = LacpMode.Active }, new RecordingSink(), 0, "a", "b", "c", "d");
        tcp.SetLacpStatus(LacpStatus.Negotiated, 0);
        tcp.Run(0);
        FlowKey[] keys = Enumerable.Range(1, 64).Select(i => Tcp((ushort)i)).ToArray();
        int sink = 0;
        for (int round = 0; round < 2; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100_000; i++)
            {
                sink += slb.SelectTxMember(in keys[i & 63], 64) + tcp.SelectTxMember(in keys[i & 63], 64);
            }
            if (round == 1)
            {
                Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }
        Assert.NotEqual(int.MinValue, sink);
    }
}

/// <summary>Small readers for bond state the tests compare.</summary>
internal static class BondTextTestSupport
{
    /// <summary>What <c>bond/show</c> prints as <c>next rebalance</c> at <paramref name="nowMs"/>.</summary>
    public static long NextRebalanceIn(Bond bond, long nowMs) => bond.NextRebalanceMs(nowMs) - nowMs;
}
