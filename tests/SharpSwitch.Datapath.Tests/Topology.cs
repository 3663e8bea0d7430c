// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.NetDev;

namespace SharpSwitch.Datapath.Tests;

/// <summary>
/// A bridge whose ports are dummies, each cabled to a "host" dummy the test drives: frames a host transmits enter
/// the switch, and what the switch sends arrives in the host's receive queue.
/// </summary>
internal sealed class Topology
{
    private readonly Dictionary<string, DummyNetDev> _hosts = new();
    private readonly Dictionary<string, DummyNetDev> _switchSides = new();
    private readonly Dictionary<string, Cable> _cables = new();

    public Topology(BridgeSettings? settings = null, int queueCapacity = DummyNetDev.DefaultReceiveQueueCapacity)
    {
        QueueCapacity = queueCapacity;
        Datapath = new Datapath(new PacketPool(64));
        Bridge = Datapath.AddBridge("br0", settings);
    }

    public int QueueCapacity { get; }

    public Datapath Datapath { get; }

    public Bridge Bridge { get; }

    public long NowMs { get; set; }

    public DummyNetDev Host(string interfaceName) => _hosts[interfaceName];

    public DummyNetDev SwitchSide(string interfaceName) => _switchSides[interfaceName];

    public Cable CableOf(string interfaceName) => _cables[interfaceName];

    /// <summary>Creates the switch-side dummy for <paramref name="interfaceName"/> and its cabled host.</summary>
    public DummyNetDev Device(string interfaceName, int macIndex)
    {
        var device = new DummyNetDev(interfaceName, new Packets.MacAddress(0xAA55_AA55_0000UL | (uint)macIndex), Datapath.Pool, QueueCapacity);
        var host = new DummyNetDev("host-" + interfaceName, new Packets.MacAddress(0x0200_0000_0000UL | (uint)macIndex), Datapath.Pool, QueueCapacity);
        _cables[interfaceName] = Cable.Connect(device, host);
        _hosts[interfaceName] = host;
        _switchSides[interfaceName] = device;
        return device;
    }

    public BridgePort AddPort(string name, int? tag = null, IReadOnlyList<int>? trunks = null, PortVlanMode? mode = null)
    {
        DummyNetDev device = Device(name, _hosts.Count + 1);
        var config = new PortConfig(name, [new InterfaceConfig(device)]) { Tag = tag, Trunks = trunks ?? [], VlanMode = mode };
        return Bridge.AddPort(config, NowMs);
    }

    public BridgePort AddBond(string name, string[] members, BondSettings? settings = null, IBondEventSink? sink = null, int? tag = null)
    {
        var interfaces = new List<InterfaceConfig>();
        foreach (string member in members)
        {
            interfaces.Add(new InterfaceConfig(Device(member, _hosts.Count + 1)));
        }
        var config = new PortConfig(name, interfaces) { Bond = settings, BondEventSink = sink, Tag = tag };
        return Bridge.AddPort(config, NowMs);
    }

    /// <summary>The host on <paramref name="interfaceName"/> sends <paramref name="frame"/>, then the switch runs.</summary>
    public void Send(string interfaceName, byte[] frame)
    {
        Assert.True(_hosts[interfaceName].Transmit(frame), $"host on {interfaceName} could not transmit");
        Run();
    }

    public void Run()
    {
        Datapath.Run(NowMs);
    }

    public void Advance(long milliseconds)
    {
        NowMs += milliseconds;
        Run();
    }

    /// <summary>Everything the switch sent to the host on <paramref name="interfaceName"/> since the last call.</summary>
    public List<byte[]> Received(string interfaceName) => _hosts[interfaceName].ReceiveAllFrames();

    /// <summary>Drains every host's queue, so the next assertion sees only new frames.</summary>
    public void DrainAll()
    {
        foreach (DummyNetDev host in _hosts.Values)
        {
            host.ReceiveAllFrames();
        }
    }
}
