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

    private sealed class EventSink : IBondEventSink
    {
        public List<BondEvent> Events { get; } = [];

        public void OnEvent(in BondEvent bondEvent) => Events.Add(bondEvent);
    }
}
