// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath.Tests;

public sealed class LearningTests
{
    private static Topology ThreePorts(BridgeSettings? settings = null)
    {
        var topology = new Topology(settings);
        topology.AddPort("p1");
        topology.AddPort("p2");
        topology.AddPort("p3");
        return topology;
    }

    [Fact]
    public void Unknown_unicast_floods_to_every_other_port_and_the_reply_goes_only_to_the_learned_port()
    {
        Topology t = ThreePorts();
        byte[] request = Frames.Udp(Frames.Mac(2), Frames.Mac(1));

        t.Send("p1", request);

        Assert.Empty(t.Received("p1"));
        Assert.Equal([request], t.Received("p2"));
        Assert.Equal([request], t.Received("p3"));
        Assert.Equal([request], t.Bridge.LocalDevice.HostSide!.ReceiveAllFrames());

        byte[] reply = Frames.Udp(Frames.Mac(1), Frames.Mac(2));
        t.Send("p2", reply);

        Assert.Equal([reply], t.Received("p1"));
        Assert.Empty(t.Received("p3"));
        Assert.Empty(t.Bridge.LocalDevice.HostSide!.ReceiveAllFrames());
        Assert.Equal(2, t.Bridge.LearnedMacCount);
        BridgeStatistics stats = t.Bridge.Statistics;
        Assert.Equal((2, 1, 1), (stats.Processed, stats.Flooded, stats.ForwardedToLearnedPort));
    }

    [Fact]
    public void Broadcast_floods_and_multicast_sources_are_never_learned()
    {
        Topology t = ThreePorts();
        var multicastSource = new MacAddress(0x0100_5E00_0001UL);
        t.Send("p1", Frames.Udp(MacAddress.Broadcast, multicastSource));
        Assert.Single(t.Received("p2"));
        Assert.Single(t.Received("p3"));
        Assert.Equal(0, t.Bridge.LearnedMacCount);

        t.Send("p2", Frames.Udp(multicastSource, Frames.Mac(2)));
        Assert.Single(t.Received("p1"));
        Assert.Single(t.Received("p3"));
    }

    [Fact]
    public void A_frame_whose_destination_was_learned_on_the_input_port_is_dropped()
    {
        Topology t = ThreePorts();
        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(11)));
        t.DrainAll();

        t.Send("p1", Frames.Udp(Frames.Mac(11), Frames.Mac(1)));

        Assert.Empty(t.Received("p1"));
        Assert.Empty(t.Received("p2"));
        Assert.Equal(1, t.Bridge.Statistics.LearnedPortIsInputDropped);
    }

    [Fact]
    public void Entries_age_out_after_mac_aging_time_unless_refreshed()
    {
        Topology t = ThreePorts();
        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.Send("p2", Frames.Udp(MacAddress.Broadcast, Frames.Mac(2)));

        t.Advance(150_000);
        t.Send("p2", Frames.Udp(MacAddress.Broadcast, Frames.Mac(2)));
        t.Advance(149_999);
        Assert.Equal(2, t.Bridge.LearnedMacCount);
        Assert.Equal(300_000, t.Bridge.NextWakeMs);

        t.Advance(1);
        Assert.Equal(1, t.Bridge.LearnedMacCount);
        Assert.Equal(Frames.Mac(2), t.Bridge.GetFdbEntries(t.NowMs)[0].Mac);

        t.Advance(150_000);
        Assert.Equal(0, t.Bridge.LearnedMacCount);
        Assert.Contains("Total number of expired MAC entries     : 2\n", t.Bridge.FormatFdbStatsShow());
    }

    [Fact]
    public void Mac_aging_time_is_clamped_like_ovs_and_changing_it_keeps_ages()
    {
        Topology t = ThreePorts(new BridgeSettings { MacAgingTimeSeconds = 5 });
        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.Advance(14_999);
        Assert.Equal(1, t.Bridge.LearnedMacCount);
        t.Advance(1);
        Assert.Equal(0, t.Bridge.LearnedMacCount);

        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.Advance(10_000);
        t.Bridge.Reconfigure(new BridgeSettings { MacAgingTimeSeconds = 60 });
        Assert.Equal(10, t.Bridge.GetFdbEntries(t.NowMs)[0].AgeSeconds);
        t.Advance(49_999);
        Assert.Equal(1, t.Bridge.LearnedMacCount);
        t.Advance(1);
        Assert.Equal(0, t.Bridge.LearnedMacCount);
    }

    [Fact]
    public void The_table_size_limit_evicts_the_oldest_entry_of_the_busiest_port()
    {
        Topology t = ThreePorts(new BridgeSettings { MacTableSize = 10 });
        t.Send("p2", Frames.Udp(MacAddress.Broadcast, Frames.Mac(200)));
        for (int i = 1; i <= 10; i++)
        {
            t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(i)));
        }

        Assert.Equal(10, t.Bridge.LearnedMacCount);
        MacAddress[] macs = [.. t.Bridge.GetFdbEntries(t.NowMs).Select(e => e.Mac)];
        // The p2 entry is the oldest overall, but p1 owns the most entries, so p1's oldest (Mac(1)) went.
        Assert.Contains(Frames.Mac(200), macs);
        Assert.DoesNotContain(Frames.Mac(1), macs);
        Assert.Contains(Frames.Mac(2), macs);
        Assert.Contains("Total number of evicted MAC entries     : 1\n", t.Bridge.FormatFdbStatsShow());
        Assert.Contains("Current/maximum MAC entries in the table: 10/10\n", t.Bridge.FormatFdbStatsShow());
    }

    [Fact]
    public void A_port_that_loses_carrier_forgets_its_macs_and_other_ports_keep_theirs()
    {
        Topology t = ThreePorts();
        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.Send("p2", Frames.Udp(MacAddress.Broadcast, Frames.Mac(2)));

        t.CableOf("p1").Unplug();
        t.Run();

        Assert.Equal([Frames.Mac(2)], t.Bridge.GetFdbEntries(t.NowMs).Select(e => e.Mac));
        Assert.False(t.Bridge.Ports.Single(p => p.Name == "p1").LinkUp);
    }

    [Fact]
    public void Removing_a_port_forgets_its_macs_and_stops_flooding_to_it()
    {
        Topology t = ThreePorts();
        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.Send("p3", Frames.Udp(MacAddress.Broadcast, Frames.Mac(3)));
        t.DrainAll();

        Assert.True(t.Bridge.RemovePort("p3", t.NowMs));
        t.Send("p1", Frames.Udp(Frames.Mac(3), Frames.Mac(1)));

        Assert.Single(t.Received("p2"));
        Assert.Empty(t.Received("p3"));
        Assert.Equal(1, t.Bridge.LearnedMacCount);
    }

    [Fact]
    public void A_mac_seen_on_another_port_moves_and_is_counted()
    {
        Topology t = ThreePorts();
        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.Send("p2", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.DrainAll();

        t.Send("p3", Frames.Udp(Frames.Mac(1), Frames.Mac(3)));

        Assert.Single(t.Received("p2"));
        Assert.Empty(t.Received("p1"));
        Assert.Contains("Total number of port moved MAC entries  : 1\n", t.Bridge.FormatFdbStatsShow());
    }

    [Fact]
    public void Fdb_flush_empties_the_table()
    {
        Topology t = ThreePorts();
        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.Bridge.FlushFdb();
        Assert.Equal(" port  VLAN  MAC                Age\n", t.Bridge.FormatFdbShow(t.NowMs));
    }
}
