// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath.Tests;

/// <summary>balance-slb through the datapath: bucket placement of each source, byte accounting, rebalancing and the learning packets of moved buckets.</summary>
public sealed class BalanceTests
{
    private static readonly MacAddress s_unknown = new(0x0200_0000_0FFFUL);

    private static Bond BondOf(Topology t) => t.Bridge.Ports.Single(p => p.Name == "bond0").Bond!;

    private static int Bucket(int source) => BondHash.SlbBucket(Frames.Mac(source), 0, 0);

    private static List<MacAddress> Sources(List<byte[]> frames, ushort etherType) =>
        frames.Where(f => ((f[12] << 8) | f[13]) == etherType).Select(Frames.Source).ToList();

    [Fact]
    public void Each_source_leaves_on_its_buckets_member_and_its_bytes_count_there()
    {
        var t = new Topology();
        t.AddPort("p1");
        t.AddBond("bond0", ["b1", "b2"], new BondSettings { Mode = BondMode.BalanceSlb });
        t.Run();
        Bond bond = BondOf(t);
        Assert.Equal(4, new[] { 1, 2, 3, 4 }.Select(Bucket).Distinct().Count());

        var sent = new Dictionary<int, int>();
        for (int round = 0; round < 3; round++)
        {
            for (int source = 1; source <= 4; source++)
            {
                byte[] frame = Frames.Udp(s_unknown, Frames.Mac(source), payloadBytes: 100 * source);
                t.Send("p1", frame);
                sent[source] = sent.GetValueOrDefault(source) + frame.Length;
            }
        }

        // First use in source order alternates the two members.
        Assert.Equal(["b1", "b2", "b1", "b2"], new[] { 1, 2, 3, 4 }.Select(s => bond.GetBucketMember(Bucket(s))!.Name));
        List<MacAddress> onB1 = Sources(t.Received("b1"), 0x0800);
        List<MacAddress> onB2 = Sources(t.Received("b2"), 0x0800);
        Assert.Equal(6, onB1.Count);
        Assert.Equal(6, onB2.Count);
        Assert.All(onB1, mac => Assert.Contains(mac, new[] { Frames.Mac(1), Frames.Mac(3) }));
        Assert.All(onB2, mac => Assert.Contains(mac, new[] { Frames.Mac(2), Frames.Mac(4) }));
        foreach ((int source, int bytes) in sent)
        {
            Assert.Equal((ulong)bytes, bond.GetBucketTxBytes(Bucket(source)));
        }
    }

    [Fact]
    public void Rebalance_moves_a_bucket_and_announces_only_its_macs_on_the_new_member()
    {
        var sink = new EventSink();
        var t = new Topology();
        t.AddPort("p1");
        t.AddBond("bond0", ["b1", "b2"], new BondSettings { Mode = BondMode.BalanceSlb }, sink);
        t.Run();
        Bond bond = BondOf(t);

        // Sources 1 and 3 land on b1 and carry about 208 kB and 104 kB; sources 2 and 4 on b2 carry one frame each.
        for (int source = 1; source <= 4; source++)
        {
            t.Send("p1", Frames.Udp(s_unknown, Frames.Mac(source)));
        }
        for (int i = 0; i < 200; i++)
        {
            t.Send("p1", Frames.Udp(s_unknown, Frames.Mac(1), payloadBytes: 1000));
            if (i % 2 == 0)
            {
                t.Send("p1", Frames.Udp(s_unknown, Frames.Mac(3), payloadBytes: 1000));
            }
        }
        t.DrainAll();

        t.Advance(9_999);
        Assert.DoesNotContain(sink.Events, e => e.Kind == BondEventKind.LoadShifted);
        t.Advance(1);

        BondEvent shift = Assert.Single(sink.Events, e => e.Kind == BondEventKind.LoadShifted);
        Assert.StartsWith($"bond bond0: shift 101kB of load (with hash {Bucket(3)}) from b1 to b2 (now carrying ", shift.Message, StringComparison.Ordinal);
        Assert.Equal("b2", bond.GetBucketMember(Bucket(3))!.Name);
        // The upstream switch learns at once that source 3 now lives behind b2; nothing else is announced.
        Assert.Equal([Frames.Mac(3)], Sources(t.Received("b2"), 0x8035));
        Assert.Empty(Sources(t.Received("b1"), 0x8035));

        t.Send("p1", Frames.Udp(s_unknown, Frames.Mac(3)));
        Assert.Equal([Frames.Mac(3)], Sources(t.Received("b2"), 0x0800));
    }

    [Fact]
    public void Forwarding_many_flows_through_a_negotiated_balance_tcp_bond_spreads_them_and_allocates_nothing()
    {
        var pool = new NetDev.PacketPool(512);
        var ours = new Datapath(pool, "dp");
        var partner = new Datapath(pool, "tor");
        Bridge bridge = ours.AddBridge("br0");
        Bridge tor = partner.AddBridge("tor0");
        var input = new NetDev.DummyNetDev("p1", new MacAddress(0xAA55_AA55_0001UL), pool, 256);
        bridge.AddPort(PortConfig.Plain(input), 0);
        var members = new List<InterfaceConfig>();
        var peers = new List<InterfaceConfig>();
        var cables = new List<NetDev.Cable>();
        for (int i = 1; i <= 4; i++)
        {
            var member = new NetDev.DummyNetDev($"b{i}", new MacAddress(0xAA55_AA55_0010UL + (uint)i), pool, 256);
            var peer = new NetDev.DummyNetDev($"t{i}", new MacAddress(0xAA55_BB55_0010UL + (uint)i), pool, 256);
            cables.Add(NetDev.Cable.Connect(member, peer));
            members.Add(new InterfaceConfig(member));
            peers.Add(new InterfaceConfig(peer));
        }
        var settings = new BondSettings { Mode = BondMode.BalanceTcp, Lacp = LacpMode.Active, LacpFastTime = true };
        BridgePort bondPort = bridge.AddPort(new PortConfig("bond0", members) { Bond = settings }, 0);
        tor.AddPort(new PortConfig("po1", peers) { Bond = settings }, 0);
        long now = 0;
        for (; now <= 5000; now += 50)
        {
            ours.Run(now);
            partner.Run(now);
        }
        Bond bond = bondPort.Bond!;
        Assert.Equal(LacpStatus.Negotiated, bond.LacpStatus);
        // Time stands still from here, so no LACP timer runs out; the members become lone dummies that drop what
        // they send.
        cables.ForEach(c => c.Disconnect());
        var server = new MacAddress(0x0200_0000_00B0UL);
        ((NetDev.DummyNetDev)bondPort.Interfaces[0].Device).InjectReceive(Frames.Udp(MacAddress.Broadcast, server));
        ours.Run(now);
        byte[][] frames = Enumerable.Range(0, 1000).Select(f =>
        {
            byte[] frame = Frames.Udp(server, Frames.Mac(1));
            // Distinct UDP source ports: a distinct 5-tuple per frame.
            frame[34] = (byte)(f >> 8);
            frame[35] = (byte)f;
            return frame;
        }).ToArray();

        void Burst(int bursts)
        {
            for (int b = 0; b < bursts; b++)
            {
                for (int i = 0; i < NetDev.PacketBatch.MaxSize; i++)
                {
                    input.InjectReceive(frames[((b * NetDev.PacketBatch.MaxSize) + i) % frames.Length]);
                }
                ours.Run(now);
            }
        }

        Burst(100);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Burst(1000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        long[] sent = bondPort.Interfaces.Select(i => ((NetDev.DummyNetDev)i.Device).Statistics.TxPackets).ToArray();
        Assert.All(sent, n => Assert.True(n > 1100L * NetDev.PacketBatch.MaxSize / 8, string.Join(", ", sent)));
        // balance-tcp loads reach the buckets at the next rebalance, as in OVS; until then they wait as pending bytes.
        int loaded = Enumerable.Range(0, 256).Count(b => bond.GetBucketPendingTxBytes(b) > 0);
        Assert.All(Enumerable.Range(0, 256), b => Assert.Equal(0UL, bond.GetBucketTxBytes(b)));
        Assert.True(loaded > 200, $"{loaded} buckets carry load");
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 0)]
    public void Slb_admits_broadcast_only_on_the_active_member_unless_all_members_are_active(bool allMembersActive, int droppedOnBackup)
    {
        var t = new Topology();
        t.AddPort("p1");
        t.AddBond("bond0", ["b1", "b2"], new BondSettings { Mode = BondMode.BalanceSlb, AllMembersActive = allMembersActive });
        t.Run();
        Bond bond = BondOf(t);
        string active = bond.ActiveMember!.Name;
        string backup = active == "b1" ? "b2" : "b1";

        t.Send(active, Frames.Udp(MacAddress.Broadcast, Frames.Mac(7)));
        Assert.Single(t.Received("p1"));
        t.Send(backup, Frames.Udp(MacAddress.Broadcast, Frames.Mac(8)));
        Assert.Equal(droppedOnBackup, t.Bridge.Statistics.BondAdmissionDropped);
        Assert.Equal(1 - droppedOnBackup, t.Received("p1").Count);
        // Unicast is admitted on either member (drop-if-moved applies only to sources learned on another port).
        t.Send(backup, Frames.Udp(Frames.Mac(9), Frames.Mac(10)));
        Assert.Single(t.Received("p1"));
    }

    private sealed class EventSink : IBondEventSink
    {
        public List<BondEvent> Events { get; } = [];

        public void OnEvent(in BondEvent bondEvent) => Events.Add(bondEvent);
    }
}
