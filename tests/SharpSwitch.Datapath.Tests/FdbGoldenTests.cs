// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath.Tests;

/// <summary>Replays the scenario of Golden/capture-ovs31.sh and compares the text with what OVS 3.1 printed.</summary>
public sealed class FdbGoldenTests
{
    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name));

    private static MacAddress Host(int last) => new(0x5054_0000_0000UL | (uint)last);

    [Fact]
    public void Fdb_show_and_stats_show_match_ovs_3_1_byte_for_byte()
    {
        var datapath = new Datapath(new PacketPool(32), nameDerivedPortNumbers: true);
        Bridge bridge = datapath.AddBridge("br0");
        PacketPool pool = datapath.Pool;
        var devices = new Dictionary<string, DummyNetDev>();
        foreach (string name in new[] { "p1", "p2", "p3", "b1", "b2" })
        {
            devices[name] = new DummyNetDev(name, new MacAddress(0xAA55_AA55_0000UL | (uint)devices.Count), pool);
        }
        bridge.AddPort(new PortConfig("p1", [new InterfaceConfig(devices["p1"], 1)]), 0);
        bridge.AddPort(new PortConfig("p2", [new InterfaceConfig(devices["p2"], 2)]) { Tag = 10 }, 0);
        bridge.AddPort(new PortConfig("p3", [new InterfaceConfig(devices["p3"], 3)]) { Trunks = [10, 20] }, 0);
        bridge.AddPort(new PortConfig("bond0", [new InterfaceConfig(devices["b1"], 5), new InterfaceConfig(devices["b2"], 6)]) { Bond = new BondSettings { Mode = BondMode.ActiveBackup } }, 0);
        datapath.Run(0);
        Assert.Equal("b1", bridge.Ports.Single(p => p.Name == "bond0").Bond!.ActiveMember!.Name);

        devices["p1"].InjectReceive(Frames.Udp(MacAddress.Broadcast, Host(1)));
        datapath.Run(0);
        devices["p2"].InjectReceive(Frames.Udp(MacAddress.Broadcast, Host(2)));
        datapath.Run(2000);
        // One run per frame keeps OVS's learning order (the bridge polls its LOCAL port first).
        devices["p3"].InjectReceive(Frames.Udp(MacAddress.Broadcast, Host(3), vlanTci: 20));
        datapath.Run(5000);
        bridge.LocalDevice.HostSide!.Transmit(Frames.Udp(MacAddress.Broadcast, Host(4)));
        datapath.Run(5000);
        devices["b1"].InjectReceive(Frames.Udp(MacAddress.Broadcast, Host(5)));
        datapath.Run(5000);
        datapath.Run(66_000);

        Assert.Equal(Golden("ovs31-fdb-show.txt"), bridge.FormatFdbShow(66_000));
        Assert.Equal(Golden("ovs31-fdb-stats-show.txt"), bridge.FormatFdbStatsShow());
    }

    [Fact]
    public void Port_numbers_match_ovs_3_1_for_the_dummy_datapath_class()
    {
        var datapath = new Datapath(new PacketPool(8), nameDerivedPortNumbers: true);
        Bridge bridge = datapath.AddBridge("br0");
        PacketPool pool = datapath.Pool;
        DummyNetDev Make(string name) => new(name, Frames.Mac(name.Length), pool);
        bridge.AddPort(new PortConfig("p1", [new InterfaceConfig(Make("p1"), 1)]), 0);
        bridge.AddPort(new PortConfig("p2", [new InterfaceConfig(Make("p2"), 2)]), 0);
        bridge.AddPort(new PortConfig("p3", [new InterfaceConfig(Make("p3"), 3)]), 0);
        bridge.AddPort(new PortConfig("bond0", [new InterfaceConfig(Make("b1"), 5), new InterfaceConfig(Make("b2"), 6)]), 0);

        // dpif/show lists interfaces sorted by name with "ofport/datapath-port".
        IEnumerable<string> lines = bridge.Ports
            .SelectMany(p => p.Interfaces)
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .Select(i => $"    {i.Name} {i.OfPort}/{i.DatapathPort}:");
        string[] golden = [.. Golden("ovs31-dpif-show-dummy.txt").Split('\n').Where(l => l.StartsWith("    ", StringComparison.Ordinal)).Select(l => l[..l.IndexOf(':')] + ":")];
        Assert.Equal(golden, lines);
    }

    [Fact]
    public void Ofport_requests_are_honoured_and_freed_numbers_are_not_reused_at_once()
    {
        var datapath = new Datapath(new PacketPool(8));
        Bridge bridge = datapath.AddBridge("br0");
        PacketPool pool = datapath.Pool;
        DummyNetDev Make(string name) => new(name, Frames.Mac(name.Length), pool);
        Assert.Equal(65534, bridge.LocalPort.Interfaces[0].OfPort);
        Assert.Equal(1, bridge.AddPort(PortConfig.Plain(Make("a")), 0).Interfaces[0].OfPort);
        Assert.Equal(10, bridge.AddPort(new PortConfig("b", [new InterfaceConfig(Make("b"), 10)]), 0).Interfaces[0].OfPort);
        Assert.Equal(2, bridge.AddPort(new PortConfig("c", [new InterfaceConfig(Make("c"), 10)]), 0).Interfaces[0].OfPort);
        bridge.RemovePort("a", 0);
        Assert.Equal(3, bridge.AddPort(PortConfig.Plain(Make("d")), 1000).Interfaces[0].OfPort);
        Assert.Equal(1, bridge.LocalPort.Interfaces[0].DatapathPort);
    }
}
