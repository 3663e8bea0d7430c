// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Datapath;
using SharpSwitch.Lab.Hosts;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;
using DatapathInstance = SharpSwitch.Datapath.Datapath;

namespace SharpSwitch.Lab.Simulation;

/// <summary>A bond of the topology, for sampling its active member.</summary>
internal sealed record LabBond(string Switch, string Name, IReadOnlyList<string> Members, Bond Bond);

/// <summary>
/// The scenario's topology made real: one userspace datapath per switch node with its bridges, ports and bonds,
/// one dummy device per interface, cables for the links, and the hosts. It is built directly on the datapath API for
/// now; configuring switches through the OVSDB path instead is a later step.
/// </summary>
internal sealed class LabTopology
{
    private readonly Dictionary<(string Node, string Interface), DummyNetDev> _devices = [];
    private readonly Dictionary<(string Node, string Interface), Cable> _cables = [];
    private readonly List<DummyNetDev> _allDevices = [];
    private readonly List<DummyNetDev> _unattendedHostSides = [];

    public LabTopology(Scenario scenario, BondEventLog log)
    {
        Pool = new PacketPool();
        var hostsByAttachment = scenario.Topology.Hosts
            .Where(h => h.AttachedTo is not null)
            .ToDictionary(h => (h.AttachedTo!.Value.Node, h.AttachedTo.Value.Interface));
        foreach (SwitchSpec sw in scenario.Topology.Switches)
        {
            var datapath = new DatapathInstance(Pool, sw.Name);
            Datapaths.Add(datapath);
            foreach (BridgeSpec bridgeSpec in sw.Bridges)
            {
                Bridge bridge = datapath.AddBridge(bridgeSpec.Name, BridgeSettings.Default, DeriveMac(sw.Name + "/" + bridgeSpec.Name), 0);
                // Nobody listens behind the bridge's own LOCAL port; what reaches it is discarded each step.
                if (bridge.LocalDevice.HostSide is { } localHostSide)
                {
                    _unattendedHostSides.Add(localHostSide);
                }
                foreach (PortSpec port in bridgeSpec.Ports)
                {
                    DummyNetDev device = CreateSwitchDevice(sw.Name, port, hostsByAttachment);
                    bridge.AddPort(new PortConfig(port.Name, [new InterfaceConfig(device)])
                    {
                        Tag = port.Tag,
                        Trunks = port.Trunks,
                        VlanMode = ToPortVlanMode(port.VlanMode),
                    }, 0);
                }
                foreach (BondSpec bondSpec in bridgeSpec.Bonds)
                {
                    AddBond(sw.Name, bridge, bondSpec, log);
                }
                Warnings.AddRange(bridge.Warnings.Select(w => $"{sw.Name}: {w}"));
            }
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

    private DummyNetDev CreateSwitchDevice(string switchName, PortSpec port, Dictionary<(string, string), HostSpec> hostsByAttachment)
    {
        DummyNetDev device;
        if (port.Internal)
        {
            // The host behind an internal port uses the port's MAC, as an IP address on an OVS internal port does.
            MacAddress mac = hostsByAttachment.TryGetValue((switchName, port.Name), out HostSpec? host) ? host.Mac : DeriveMac(switchName + ":" + port.Name);
            device = DummyNetDev.CreateInternal(port.Name, mac, Pool);
            _allDevices.Add(device.HostSide!);
            _unattendedHostSides.Add(device.HostSide!);
        }
        else
        {
            device = new DummyNetDev(port.Name, DeriveMac(switchName + ":" + port.Name), Pool);
        }
        _allDevices.Add(device);
        _devices[(switchName, port.Name)] = device;
        return device;
    }

    private void AddBond(string switchName, Bridge bridge, BondSpec spec, BondEventLog log)
    {
        var warnings = new List<string>();
        var interfaces = new List<InterfaceConfig>();
        foreach (BondInterfaceSpec member in spec.Interfaces)
        {
            var device = new DummyNetDev(member.Name, DeriveMac(switchName + ":" + member.Name), Pool);
            _allDevices.Add(device);
            _devices[(switchName, member.Name)] = device;
            interfaces.Add(new InterfaceConfig(device, Member: MemberSettings.FromOvsdb(member.Name, member.OtherConfig, warnings)));
        }
        BondSettings settings = BondSettings.FromOvsdb(spec.Name, spec.BondMode, spec.Lacp, spec.UpdelayMs, spec.DowndelayMs, spec.OtherConfig, warnings);
        BridgePort port = bridge.AddPort(new PortConfig(spec.Name, interfaces)
        {
            Tag = spec.Tag,
            Trunks = spec.Trunks,
            VlanMode = ToPortVlanMode(spec.VlanMode),
            Bond = settings,
            BondEventSink = log.SinkFor(switchName),
        }, 0);
        Warnings.AddRange(warnings.Select(w => $"{switchName}: {w}"));
        Bonds.Add(new LabBond(switchName, spec.Name, spec.Interfaces.Select(m => m.Name).ToList(), port.Bond!));
    }

    private static PortVlanMode? ToPortVlanMode(VlanMode mode) => mode switch
    {
        VlanMode.Access => PortVlanMode.Access,
        VlanMode.Trunk => PortVlanMode.Trunk,
        VlanMode.NativeTagged => PortVlanMode.NativeTagged,
        VlanMode.NativeUntagged => PortVlanMode.NativeUntagged,
        _ => null,
    };

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
