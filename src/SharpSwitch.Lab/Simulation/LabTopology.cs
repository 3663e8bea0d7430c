// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Datapath;
using SharpSwitch.Lab.Hosts;
using SharpSwitch.Lab.InProcess;
using SharpSwitch.Lab.RealInterfaces;
using SharpSwitch.Lab.RealOvs;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.NetDev;
using SharpSwitch.Ovsdb.Transactions;
using SharpSwitch.Packets;
using SharpSwitch.Switchd;
using DatapathInstance = SharpSwitch.Datapath.Datapath;

namespace SharpSwitch.Lab.Simulation;

/// <summary>A bond of the topology, for sampling its active member.</summary>
/// <param name="ActiveMember">Reads the bond's active member now (null when none).</param>
internal sealed record LabBond(string Switch, string Name, IReadOnlyList<string> Members, Func<string?> ActiveMember);

/// <summary>Which switch runs the scenario's switch nodes.</summary>
public enum LabSwitchKind
{
    /// <summary>SharpSwitch, in process: one database and one switch daemon per switch node.</summary>
    SharpSwitch,

    /// <summary>Real Open vSwitch: one <c>ovsdb-server</c> and <c>ovs-vswitchd --enable-dummy</c> per switch node.</summary>
    Ovs,

    /// <summary>
    /// SharpSwitch daemons on veth pairs, one network namespace per switch node, in wall-clock time (root only; see
    /// <see cref="VethSwitch"/>).
    /// </summary>
    RealInterfaces,
}

/// <summary>A switch node as the discrete-event loop drives it: run it at an instant, ask when it next needs to run.</summary>
internal interface ILabSwitch
{
    /// <summary>The switch node's name.</summary>
    string Name { get; }

    /// <summary>The earliest virtual time at which the switch has a timer due.</summary>
    long NextWakeMs { get; }

    /// <summary>Lets the switch forward what reached it and run its timers at <paramref name="nowMs"/>.</summary>
    void Run(long nowMs);
}

/// <summary>A SharpSwitch switch node: the datapath its daemon built, run directly on the lab's clock.</summary>
internal sealed class DatapathSwitch(string name, DatapathInstance datapath) : ILabSwitch
{
    public string Name { get; } = name;

    public DatapathInstance Datapath { get; } = datapath;

    public long NextWakeMs => Datapath.NextWakeMs;

    public void Run(long nowMs) => Datapath.Run(nowMs);
}

/// <summary>
/// The scenario's topology made real. Each switch node gets its own <c>Open_vSwitch</c> database and switch daemon
/// (<see cref="LabSwitchNode"/>); the lab writes the node's bridges, ports and bonds into the database as
/// <c>ovs-vsctl</c> would and waits for the daemon's <c>cur_cfg</c>, and the daemon's reconciler creates the bridges,
/// bonds and dummy interfaces. The lab then cables those interfaces, adds the hosts, and runs each daemon's datapath
/// on its own virtual clock. Setup is asynchronous (it is a conversation with the databases); the run is not.
/// </summary>
internal sealed class LabTopology : IDisposable
{
    private readonly Dictionary<(string Node, string Interface), DummyNetDev> _devices = [];
    private readonly Dictionary<(string Node, string Interface), Cable> _cables = [];
    private readonly List<DummyNetDev> _allDevices = [];
    private readonly List<DummyNetDev> _unattendedHostSides = [];

    private readonly List<RealOvsSwitch> _realSwitches = [];
    private readonly List<VethSwitch> _vethSwitches = [];
    private string? _realOvsDirectory;

    public LabTopology(Scenario scenario, BondEventLog log, LabSwitchKind kind = LabSwitchKind.SharpSwitch)
    {
        Pool = new PacketPool();
        Kind = kind;
        switch (kind)
        {
            case LabSwitchKind.SharpSwitch:
                // Task.Run keeps the setup's continuations off any caller's synchronization context, so waiting here is safe.
                Task.Run(() => BuildSwitchesAsync(scenario, log)).GetAwaiter().GetResult();
                break;
            case LabSwitchKind.Ovs:
                BuildRealOvsSwitches(scenario, log);
                break;
            case LabSwitchKind.RealInterfaces:
                BuildVethSwitches(scenario, log);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown switch kind");
        }
        foreach (HostSpec hostSpec in scenario.Topology.Hosts)
        {
            DummyNetDev device;
            if (hostSpec.AttachedTo is { } attach)
            {
                device = _devices[(attach.Node, attach.Interface)].HostSide!;
                _unattendedHostSides.Remove(device);
            }
            else
            {
                device = new DummyNetDev(hostSpec.InterfaceName, hostSpec.Mac, Pool);
                _allDevices.Add(device);
            }
            _devices[(hostSpec.Name, hostSpec.InterfaceName)] = device;
            Hosts.Add(new LabHost(hostSpec.Name, hostSpec.Mac, hostSpec.Ipv4Address, device));
        }
        foreach (LinkSpec link in scenario.Topology.Links)
        {
            Cable cable = Cable.Connect(_devices[(link.A.Node, link.A.Interface)], _devices[(link.B.Node, link.B.Interface)]);
            _cables[(link.A.Node, link.A.Interface)] = cable;
            _cables[(link.B.Node, link.B.Interface)] = cable;
        }
    }

    /// <summary>Which switch runs the switch nodes.</summary>
    public LabSwitchKind Kind { get; }

    /// <summary>The switch nodes of a run on real interfaces, in file order (empty for the other kinds).</summary>
    public IReadOnlyList<VethSwitch> VethSwitches => _vethSwitches;

    /// <summary>The switch nodes as the discrete-event loop runs them, in file order.</summary>
    public List<ILabSwitch> Switches { get; } = [];

    /// <summary>The virtual clock the switch daemons and their databases read.</summary>
    public LabClock Clock { get; } = new();

    /// <summary>
    /// What each switch's database held once its daemon reported <c>cur_cfg</c>, by switch name: the rows the lab
    /// wrote and the status the daemon wrote back.
    /// </summary>
    public Dictionary<string, Database> Databases { get; } = new(StringComparer.Ordinal);

    /// <summary>The <c>cur_cfg</c> each switch daemon reported, by switch name.</summary>
    public Dictionary<string, long> CurCfg { get; } = new(StringComparer.Ordinal);

    /// <summary>The buffer pool every device shares.</summary>
    public PacketPool Pool { get; }

    /// <summary>One datapath per switch node, in file order.</summary>
    public List<DatapathInstance> Datapaths { get; } = [];

    /// <summary>The hosts, in file order.</summary>
    public List<LabHost> Hosts { get; } = [];

    /// <summary>Every bond, in file order.</summary>
    public List<LabBond> Bonds { get; } = [];

    /// <summary>Warnings the switches logged while being configured (OVS's WARN lines).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The device of an endpoint (for a switch's internal port, the switch side).</summary>
    public DummyNetDev DeviceOf(string node, string interfaceName) => _devices[(node, interfaceName)];

    /// <summary>The cable of an endpoint.</summary>
    public Cable CableOf(string node, string interfaceName) => _cables[(node, interfaceName)];

    /// <summary>True when any device of the lab holds frames that nobody has received yet.</summary>
    public bool HasPendingFrames()
    {
        foreach (DummyNetDev device in _allDevices)
        {
            if (device.PendingReceiveCount > 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Discards what reached host sides with no host behind them, as a host stack without listeners would.</summary>
    public void DrainUnattended()
    {
        foreach (DummyNetDev device in _unattendedHostSides)
        {
            while (device.ReceiveFrame() is not null)
            {
            }
        }
    }

    /// <summary>Discards every frame still waiting anywhere, to break a forwarding loop.</summary>
    public void DrainAll()
    {
        foreach (DummyNetDev device in _allDevices)
        {
            while (device.ReceiveFrame() is not null)
            {
            }
        }
    }

    private async Task BuildSwitchesAsync(Scenario scenario, BondEventLog log)
    {
        foreach (SwitchSpec sw in scenario.Topology.Switches)
        {
            LabSwitchNode node = await LabSwitchNode.StartAsync(sw.Name, Clock, Pool, log.SinkFor(sw.Name), CancellationToken.None).ConfigureAwait(false);
            await using (node.ConfigureAwait(false))
            {
                await node.ConfigureAsync(sw, CancellationToken.None).ConfigureAwait(false);
                Databases[sw.Name] = node.Database;
                CurCfg[sw.Name] = node.CurCfg;
                Warnings.AddRange(node.Problems.Select(p => $"{sw.Name}: {p}"));
                AdoptSwitch(sw, node.Daemon);
            }
        }
    }

    /// <summary>
    /// Takes over what the daemon built for one switch: its datapath (which the lab runs from now on), each
    /// interface's device (to cable) and each bond (to sample). The daemon's connection to its database is closed
    /// afterwards; the datapath objects live on without it.
    /// </summary>
    private void AdoptSwitch(SwitchSpec sw, SwitchDaemon daemon)
    {
        DatapathInstance datapath = daemon.Datapath;
        Datapaths.Add(datapath);
        Switches.Add(new DatapathSwitch(sw.Name, datapath));
        foreach (BridgeSpec bridgeSpec in sw.Bridges)
        {
            if (!datapath.TryGetBridge(bridgeSpec.Name, out Bridge bridge))
            {
                throw new InvalidOperationException($"{sw.Name}: the switch daemon did not create bridge {bridgeSpec.Name}");
            }
            // Nobody listens behind the bridge's own LOCAL port; what reaches it is discarded each step.
            if (bridge.LocalDevice.HostSide is { } localHostSide)
            {
                _unattendedHostSides.Add(localHostSide);
            }
            foreach (PortSpec port in bridgeSpec.Ports)
            {
                DummyNetDev device = Adopt(sw.Name, port.Name, daemon);
                if (port.Internal)
                {
                    _allDevices.Add(device.HostSide!);
                    _unattendedHostSides.Add(device.HostSide!);
                }
            }
            foreach (BondSpec bondSpec in bridgeSpec.Bonds)
            {
                foreach (BondInterfaceSpec member in bondSpec.Interfaces)
                {
                    Adopt(sw.Name, member.Name, daemon);
                }
                if (!bridge.TryGetPort(bondSpec.Name, out BridgePort port) || port.Bond is not Bond bond)
                {
                    throw new InvalidOperationException($"{sw.Name}: the switch daemon did not create bond {bondSpec.Name}");
                }
                Bonds.Add(new LabBond(sw.Name, bondSpec.Name, bondSpec.Interfaces.Select(m => m.Name).ToList(), () => bond.ActiveMember?.Name));
            }
        }
    }

    /// <summary>
    /// Starts real Open vSwitch for every switch node, each in its own directory under one temporary folder, and
    /// adopts the stand-in device of each of its interfaces, which the lab cables exactly as it cables SharpSwitch's.
    /// </summary>
    private void BuildRealOvsSwitches(Scenario scenario, BondEventLog log)
    {
        RealOvsTools.EnsureInstalled();
        // Socket paths must fit in 108 bytes, so the folder is short and directly under the temporary directory.
        _realOvsDirectory = Directory.CreateTempSubdirectory("vsw-lab-").FullName;
        try
        {
            foreach (SwitchSpec sw in scenario.Topology.Switches)
            {
                var ovs = new RealOvsSwitch(sw, Path.Combine(_realOvsDirectory, sw.Name), Pool, log.SinkFor(sw.Name));
                _realSwitches.Add(ovs);
                Switches.Add(ovs);
                Warnings.AddRange(ovs.Notes);
                AdoptStandIns(sw, ovs.Devices, ovs.ActiveMember);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts a SharpSwitch daemon on veth pairs in a namespace for every switch node (<see cref="VethSwitch"/>) and
    /// adopts the stand-in of each interface, which the lab cables as it cables the in-process switch's.
    /// </summary>
    private void BuildVethSwitches(Scenario scenario, BondEventLog log)
    {
        VethSwitch.EnsureSupported();
        _realOvsDirectory = Directory.CreateTempSubdirectory("vsw-real-").FullName;
        try
        {
            foreach (SwitchSpec sw in scenario.Topology.Switches)
            {
                var veth = new VethSwitch(sw, Path.Combine(_realOvsDirectory, sw.Name), Pool, log.SinkFor(sw.Name));
                _vethSwitches.Add(veth);
                Switches.Add(veth);
                AdoptStandIns(sw, veth.Devices, veth.ActiveMember);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes in the stand-in devices of a switch that runs outside the lab (real OVS, or SharpSwitch on veths), so the
    /// lab cables them as it cables an in-process switch's, and follows each bond's active member through
    /// <paramref name="activeMember"/>.
    /// </summary>
    private void AdoptStandIns(SwitchSpec sw, IEnumerable<(string Name, DummyNetDev Device)> devices, Func<string, string?> activeMember)
    {
        var internalPorts = sw.Bridges.SelectMany(b => b.Ports).Where(p => p.Internal).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach ((string name, DummyNetDev device) in devices)
        {
            _allDevices.Add(device);
            _devices[(sw.Name, name)] = device;
            if (internalPorts.Contains(name))
            {
                _allDevices.Add(device.HostSide!);
                _unattendedHostSides.Add(device.HostSide!);
            }
        }
        foreach (BondSpec bondSpec in sw.Bridges.SelectMany(b => b.Bonds))
        {
            Bonds.Add(new LabBond(sw.Name, bondSpec.Name, bondSpec.Interfaces.Select(m => m.Name).ToList(), () => activeMember(bondSpec.Name)));
        }
    }

    /// <summary>Stops real OVS daemons or real-interface switches, if the lab started any, and removes their run directories.</summary>
    public void Dispose()
    {
        foreach (VethSwitch veth in _vethSwitches)
        {
            veth.Dispose();
        }
        _vethSwitches.Clear();
        foreach (RealOvsSwitch ovs in _realSwitches)
        {
            ovs.Dispose();
        }
        _realSwitches.Clear();
        if (_realOvsDirectory is not null && Directory.Exists(_realOvsDirectory))
        {
            try
            {
                Directory.Delete(_realOvsDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left under the temporary directory for the system to clean.
            }
        }
    }

    private DummyNetDev Adopt(string switchName, string interfaceName, SwitchDaemon daemon)
    {
        if (!daemon.Netdevs.TryGet(interfaceName, out INetDev opened) || opened is not DummyNetDev device)
        {
            throw new InvalidOperationException($"{switchName}: the switch daemon did not open interface {interfaceName}");
        }
        _allDevices.Add(device);
        _devices[(switchName, interfaceName)] = device;
        return device;
    }

    /// <summary>
    /// A locally administered MAC derived from a name (FNV-1a), so that every run of a scenario uses the same
    /// addresses and its output is byte-identical.
    /// </summary>
    internal static MacAddress DeriveMac(string name)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in name)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return new MacAddress((0x02UL << 40) | (hash & 0xFF_FFFF_FFFFUL));
    }
}
