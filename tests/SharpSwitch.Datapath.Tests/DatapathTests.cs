// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath.Tests;

public sealed class DatapathTests
{
    [Fact]
    public void Counters_are_exact_across_a_bridge()
    {
        var t = new Topology();
        t.AddPort("p1");
        t.AddPort("p2");
        t.AddPort("trunk");
        t.AddPort("a10", tag: 10);
        t.Send("p2", Frames.Udp(MacAddress.Broadcast, Frames.Mac(2)));
        t.DrainAll();

        for (int i = 0; i < 5; i++)
        {
            Assert.True(t.Host("p1").Transmit(Frames.Udp(Frames.Mac(2), Frames.Mac(1))));
        }
        t.Run();
        t.Send("a10", Frames.Udp(MacAddress.Broadcast, Frames.Mac(3)));

        InterfaceStatistics p1 = t.SwitchSide("p1").Statistics;
        InterfaceStatistics p2 = t.SwitchSide("p2").Statistics;
        InterfaceStatistics trunk = t.SwitchSide("trunk").Statistics;
        // p1 is a trunk too: it got p2's broadcast (60 bytes) and a10's, tagged (64 bytes).
        Assert.Equal((5, 300, 2, 124), (p1.RxPackets, p1.RxBytes, p1.TxPackets, p1.TxBytes));
        Assert.Equal((1, 60, 6, 364), (p2.RxPackets, p2.RxBytes, p2.TxPackets, p2.TxBytes));
        // The trunk saw p2's broadcast untagged (60 bytes) and a10's broadcast tagged with VLAN 10 (64 bytes).
        Assert.Equal((0, 2, 124), (trunk.RxPackets, trunk.TxPackets, trunk.TxBytes));
        // The host behind p2 counts what it takes from its queue: five unicasts and the tagged broadcast.
        Assert.Equal(364, t.Received("p2").Sum(f => f.Length));
        Assert.Equal((6, 364), (t.Host("p2").Statistics.RxPackets, t.Host("p2").Statistics.RxBytes));
        Assert.Equal(0, p1.RxErrors + p1.RxDropped + p2.TxDropped + trunk.TxDropped);
    }

    [Fact]
    public void Bridges_of_one_datapath_are_separate_and_run_together()
    {
        var datapath = new Datapath(new PacketPool(16));
        Bridge first = datapath.AddBridge("brA");
        Bridge second = datapath.AddBridge("brB", new BridgeSettings { MacAgingTimeSeconds = 20 });
        DummyNetDev a1 = new("a1", Frames.Mac(1), datapath.Pool);
        DummyNetDev a2 = new("a2", Frames.Mac(2), datapath.Pool);
        DummyNetDev b1 = new("b1", Frames.Mac(3), datapath.Pool);
        first.AddPort(PortConfig.Plain(a1), 0);
        first.AddPort(PortConfig.Plain(a2), 0);
        second.AddPort(PortConfig.Plain(b1), 0);
        Assert.Throws<InvalidOperationException>(() => second.AddPort(PortConfig.Plain(a1), 0));

        a1.InjectReceive(Frames.Udp(MacAddress.Broadcast, Frames.Mac(10)));
        b1.InjectReceive(Frames.Udp(MacAddress.Broadcast, Frames.Mac(20)));
        datapath.Run(1000);

        Assert.Equal(1, a2.Statistics.TxPackets);
        Assert.Equal(0, b1.Statistics.TxPackets);
        Assert.Equal([Frames.Mac(10)], first.GetFdbEntries(1000).Select(e => e.Mac));
        Assert.Equal([Frames.Mac(20)], second.GetFdbEntries(1000).Select(e => e.Mac));
        Assert.Equal(21_000, datapath.NextWakeMs);

        Assert.True(datapath.RemoveBridge("brA", 2000));
        Assert.False(datapath.IsAttached(a1));
        second.AddPort(PortConfig.Plain(a1), 2000);
        Assert.Equal(["brB"], datapath.Bridges.Select(b => b.Name));
    }

    [Fact]
    public void A_type_internal_port_connects_a_host_stack_to_the_bridge()
    {
        var t = new Topology();
        t.AddPort("p1", tag: 20);
        DummyNetDev vlanInterface = DummyNetDev.CreateInternal("vlan10", Frames.Mac(50), t.Datapath.Pool);
        t.Bridge.AddPort(new PortConfig("vlan10", [new InterfaceConfig(vlanInterface)]) { Tag = 10 }, t.NowMs);
        t.AddPort("trunk");

        Assert.True(vlanInterface.HostSide!.Transmit(Frames.Udp(MacAddress.Broadcast, Frames.Mac(50))));
        t.Run();

        Assert.Equal((ushort)10, Frames.Tci(Assert.Single(t.Received("trunk"))));
        Assert.Empty(t.Received("p1"));
        t.Send("trunk", Frames.Udp(Frames.Mac(50), Frames.Mac(60), vlanTci: 10));
        Assert.Null(Frames.Tci(vlanInterface.HostSide.ReceiveFrame()!));
    }
}
