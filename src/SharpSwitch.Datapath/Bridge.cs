// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath;

/// <summary>
/// A bridge running OVS's NORMAL action: MAC learning per (VLAN, MAC) with aging and a size limit, flooding
/// within a VLAN, VLAN access/trunk/native rules, and bonds for admission and output. It is a sans-I/O engine
/// driven by <see cref="Run"/> with the current time; it never reads a clock or sleeps.
/// </summary>
/// <remarks>
/// Configuration (ports added, removed, reconfigured) is incremental: other ports, their learned MACs and a
/// bond's active member are left alone. Not thread-safe; one thread runs the whole datapath.
/// </remarks>
public sealed partial class Bridge
{
    private readonly Datapath _datapath;
    private readonly PacketPool _pool;
    private readonly MacLearningTable _macs = new();
    private readonly OfPortAllocator _ofPorts = new();
    private readonly Dictionary<string, BridgePort> _portsByName = new(StringComparer.Ordinal);
    private readonly List<BridgePort> _portOrder = [];

    /// <summary>The ports as an array, rebuilt on every configuration change, so forwarding loops never allocate.</summary>
    private BridgePort[] _ports = [];

    /// <summary>Scratch list of flood targets, sized to the port count.</summary>
    private BridgePort[] _floodTargets = [];

    /// <summary>Interfaces holding frames to send at the end of the current batch.</summary>
    private PortInterface[] _txPending = new PortInterface[16];
    private int _txPendingCount;

    private readonly PacketBatch _rxBatch = new();

    internal Bridge(Datapath datapath, string name, BridgeSettings settings, MacAddress localMac, long nowMs,
        Func<MacAddress, INetDev?>? createLocalDevice = null)
    {
        _datapath = datapath;
        _pool = datapath.Pool;
        Name = name;
        Settings = settings;
        ApplySettings(settings);
        LocalNetDev = createLocalDevice?.Invoke(localMac) ?? DummyNetDev.CreateInternal(name, localMac, _pool);
        LocalPort = CreatePort(new PortConfig(name, [new InterfaceConfig(LocalNetDev, OfPortAllocator.LocalPort)]), nowMs, isLocal: true);
    }

    /// <summary>Bridge.name.</summary>
    public string Name { get; }

    /// <summary>The Bridge.other_config values in force.</summary>
    public BridgeSettings Settings { get; private set; }

    /// <summary>The bridge's own internal port (named after the bridge, ofport 65534 "LOCAL").</summary>
    public BridgePort LocalPort { get; }

    /// <summary>The local port's device: an in-process internal port, or whatever the bridge's creator supplied (a TAP).</summary>
    public INetDev LocalNetDev { get; }

    /// <summary>
    /// The local port's device when it is an in-process internal port; its <see cref="DummyNetDev.HostSide"/> is the host
    /// stack's end. Throws when the bridge's creator supplied another kind of device.
    /// </summary>
    public DummyNetDev LocalDevice => LocalNetDev as DummyNetDev
        ?? throw new InvalidOperationException($"bridge {Name}: the local port is a {LocalNetDev.Type} device, not an in-process one");

    /// <summary>The ports in the order they were added (the local port first).</summary>
    public IReadOnlyList<BridgePort> Ports => _portOrder;

    /// <summary>MACs currently learned.</summary>
    public int LearnedMacCount => _macs.Count;

    /// <summary>
    /// The earliest time at which <see cref="Run"/> has timer work (a bond delay, an LACP timer, a MAC entry to age out);
    /// <see cref="long.MaxValue"/> when none. Frames waiting in devices are handled by any call to <see cref="Run"/>.
    /// </summary>
    public long NextWakeMs
    {
        get
        {
            long next = _macs.NextExpirySeconds == long.MaxValue ? long.MaxValue : _macs.NextExpirySeconds * 1000;
            for (int p = 0; p < _ports.Length; p++)
            {
                if (_ports[p].Bond is Bond bond)
                {
                    next = Math.Min(next, bond.NextWakeMs);
                }
                if (_ports[p].Lacp is Lacp lacp)
                {
                    // The engine says long.MinValue for "due now"; 0 keeps callers' deadline arithmetic safe.
                    next = Math.Min(next, Math.Max(0, lacp.NextWakeMs));
                }
            }
            return next;
        }
    }

    /// <summary>Finds a port by name.</summary>
    public bool TryGetPort(string name, out BridgePort port)
    {
        return _portsByName.TryGetValue(name, out port!);
    }

    /// <summary>Finds the interface named <paramref name="interfaceName"/> on any port.</summary>
    public bool TryGetInterface(string interfaceName, out PortInterface portInterface)
    {
        foreach (BridgePort port in _portOrder)
        {
            foreach (PortInterface candidate in port.InterfaceArray)
            {
                if (candidate.Name == interfaceName)
                {
                    portInterface = candidate;
                    return true;
                }
            }
        }
        portInterface = null!;
        return false;
    }

    /// <summary>Applies new Bridge.other_config values; learned MACs keep their age.</summary>
    public void Reconfigure(BridgeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        ApplySettings(settings);
    }

    /// <summary>Adds the port, or reconfigures it when a port of that name exists (what a database reconciler wants).</summary>
    public BridgePort SetPort(PortConfig config, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(config);
        return _portsByName.ContainsKey(config.Name) ? ReconfigurePort(config, nowMs) : AddPort(config, nowMs);
    }

    /// <summary>Adds a port; throws when the name is taken or a device already belongs to a port.</summary>
    public BridgePort AddPort(PortConfig config, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (_portsByName.ContainsKey(config.Name))
        {
            throw new InvalidOperationException($"bridge {Name} already has a port named {config.Name}");
        }
        return CreatePort(config, nowMs, isLocal: false);
    }

    /// <summary>
    /// Changes an existing port in place: interfaces are added or removed individually, a bond is reconfigured
    /// rather than rebuilt (so it keeps its active member), and learned MACs are flushed only when the VLAN rules change.
    /// </summary>
    public BridgePort ReconfigurePort(PortConfig config, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!_portsByName.TryGetValue(config.Name, out BridgePort? port))
        {
            throw new InvalidOperationException($"bridge {Name} has no port named {config.Name}");
        }
        if (port.IsLocal)
        {
            throw new InvalidOperationException($"the local port {Name} cannot be reconfigured");
        }
        CheckDevicesFree(config, port);

        VlanRules rules = VlanRules.Resolve(config.Tag, config.Trunks, config.VlanMode, config.Name, Warnings);
        bool flush = !rules.SameAs(port.Rules);
        port.Rules = rules;

        // Interfaces that stay keep their numbers, queues and link history.
        var kept = new List<PortInterface>();
        foreach (PortInterface existing in port.InterfaceArray)
        {
            InterfaceConfig? match = FindInterface(config, existing.Device);
            if (match is null)
            {
                ReleaseInterface(existing, nowMs);
                port.Bond?.RemoveMember(existing.Name, nowMs);
            }
            else
            {
                existing.Config = match;
                kept.Add(existing);
            }
        }
        var interfaces = new List<PortInterface>();
        foreach (InterfaceConfig wanted in config.Interfaces)
        {
            PortInterface? existing = kept.Find(i => ReferenceEquals(i.Device, wanted.Device));
            interfaces.Add(existing ?? CreateInterface(port, wanted, nowMs));
        }
        port.Config = config;

        bool wantBond = config.Interfaces.Count >= 2;
        if (wantBond && port.Bond is null)
        {
            port.Bond = CreateBond(config, interfaces, nowMs);
        }
        else if (!wantBond && port.Bond is not null)
        {
            port.Bond = null;
        }
        else if (port.Bond is Bond bond)
        {
            bond.Reconfigure(config.Bond ?? BondSettings.Default, nowMs);
            foreach (PortInterface portInterface in interfaces)
            {
                if (!ContainsMember(bond, portInterface.Name))
                {
                    bond.AddMember(portInterface.Name, portInterface.Device.Mac, portInterface.Config.Member ?? MemberSettings.Default, portInterface.Device.Carrier, nowMs);
                }
            }
        }
        port.SetInterfaces([.. interfaces]);
        UpdatePortLink(port);
        if (flush)
        {
            _macs.FlushPort(port);
        }
        RebuildPortArray();
        return port;
    }

    /// <summary>Removes a port: its MACs are forgotten, its numbers released and any frames queued for it dropped.</summary>
    public bool RemovePort(string name, long nowMs)
    {
        if (!_portsByName.TryGetValue(name, out BridgePort? port))
        {
            return false;
        }
        if (port.IsLocal)
        {
            throw new InvalidOperationException($"the local port {Name} cannot be removed");
        }
        _macs.FlushPort(port);
        foreach (PortInterface portInterface in port.InterfaceArray)
        {
            ReleaseInterface(portInterface, nowMs);
        }
        port.Bond = null;
        port.SetInterfaces([]);
        _portsByName.Remove(name);
        _portOrder.Remove(port);
        RebuildPortArray();
        return true;
    }

    /// <summary>Configuration complaints, in OVS's words (for example "ignoring trunks in favor of implicit vlan").</summary>
    public List<string> Warnings { get; } = [];

    internal void Detach(long nowMs)
    {
        foreach (BridgePort port in _portOrder)
        {
            foreach (PortInterface portInterface in port.InterfaceArray)
            {
                ReleaseInterface(portInterface, nowMs);
            }
        }
        _macs.Clear();
    }

    private BridgePort CreatePort(PortConfig config, long nowMs, bool isLocal)
    {
        CheckDevicesFree(config, null);
        VlanRules rules = VlanRules.Resolve(config.Tag, config.Trunks, config.VlanMode, config.Name, Warnings);
        var port = new BridgePort(this, config, rules) { IsLocal = isLocal };
        var interfaces = new PortInterface[config.Interfaces.Count];
        for (int i = 0; i < interfaces.Length; i++)
        {
            interfaces[i] = CreateInterface(port, config.Interfaces[i], nowMs);
        }
        if (interfaces.Length >= 2)
        {
            port.Bond = CreateBond(config, interfaces, nowMs);
        }
        port.SetInterfaces(interfaces);
        port.LinkUp = AnyCarrier(port);
        _portsByName.Add(config.Name, port);
        _portOrder.Add(port);
        RebuildPortArray();
        return port;
    }

    private static Bond CreateBond(PortConfig config, IReadOnlyList<PortInterface> interfaces, long nowMs)
    {
        var bond = new Bond(config.Name, config.Bond ?? BondSettings.Default, config.BondEventSink);
        foreach (PortInterface portInterface in interfaces)
        {
            bond.AddMember(portInterface.Name, portInterface.Device.Mac, portInterface.Config.Member ?? MemberSettings.Default, portInterface.Device.Carrier, nowMs);
        }
        return bond;
    }

    private PortInterface CreateInterface(BridgePort port, InterfaceConfig config, long nowMs)
    {
        int ofPort = config.OfPortRequest == OfPortAllocator.LocalPort && port.IsLocal
            ? OfPortAllocator.LocalPort
            : _ofPorts.Allocate(config.OfPortRequest, nowMs);
        int datapathPort = _datapath.Attach(config.Device);
        return new PortInterface(port, config, ofPort, datapathPort);
    }

    private void ReleaseInterface(PortInterface portInterface, long nowMs)
    {
        // Frames already queued for the interface are not sent once it has left the bridge.
        portInterface.TxBatch.ReturnAll();
        _ofPorts.Release(portInterface.OfPort, nowMs);
        _datapath.Detach(portInterface.Device, portInterface.DatapathPort);
    }

    private void CheckDevicesFree(PortConfig config, BridgePort? owner)
    {
        for (int i = 0; i < config.Interfaces.Count; i++)
        {
            INetDev device = config.Interfaces[i].Device;
            for (int j = 0; j < i; j++)
            {
                if (ReferenceEquals(config.Interfaces[j].Device, device))
                {
                    throw new InvalidOperationException($"port {config.Name} lists interface {device.Name} twice");
                }
            }
            bool ownedHere = owner is not null && Array.Exists(owner.InterfaceArray, p => ReferenceEquals(p.Device, device));
            if (!ownedHere && _datapath.IsAttached(device))
            {
                throw new InvalidOperationException($"interface {device.Name} already belongs to a port");
            }
        }
    }

    private static InterfaceConfig? FindInterface(PortConfig config, INetDev device)
    {
        foreach (InterfaceConfig candidate in config.Interfaces)
        {
            if (ReferenceEquals(candidate.Device, device))
            {
                return candidate;
            }
        }
        return null;
    }

    private static bool ContainsMember(Bond bond, string name)
    {
        foreach (BondMember member in bond.Members)
        {
            if (member.Name == name)
            {
                return true;
            }
        }
        return false;
    }

    private void ApplySettings(BridgeSettings settings)
    {
        _macs.SetIdleSeconds(settings.MacAgingTimeSeconds);
        _macs.SetMaxEntries(settings.MacTableSize);
        _forwardBpdu = settings.ForwardBpdu;
    }

    private void RebuildPortArray()
    {
        _ports = [.. _portOrder];
        _floodTargets = new BridgePort[_ports.Length];
        int interfaceCount = 0;
        foreach (BridgePort port in _ports)
        {
            interfaceCount += port.InterfaceArray.Length;
        }
        if (_txPending.Length < interfaceCount)
        {
            Array.Resize(ref _txPending, interfaceCount * 2);
        }
    }

    private static bool AnyCarrier(BridgePort port)
    {
        foreach (PortInterface portInterface in port.InterfaceArray)
        {
            if (portInterface.Device.Carrier)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Recomputes whether the port is up; a port that went down forgets the MACs learned on it.</summary>
    private void UpdatePortLink(BridgePort port)
    {
        bool up = AnyCarrier(port);
        if (port.LinkUp && !up)
        {
            _macs.FlushPort(port);
        }
        port.LinkUp = up;
    }
}
