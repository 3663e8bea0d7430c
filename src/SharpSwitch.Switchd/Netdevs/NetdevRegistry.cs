// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.NetDev;
using SharpSwitch.NetDev.Linux;
using SharpSwitch.Packets;
using SharpSwitch.Switchd.Logging;

namespace SharpSwitch.Switchd.Netdevs;

/// <summary>
/// The network devices the daemon has opened, by interface name, so that a device survives reconfiguration (and
/// keeps its counters and cable) as long as its Interface row keeps the same name and type.
/// </summary>
internal sealed class NetdevRegistry : IDisposable
{
    private readonly Dictionary<string, (INetDev Device, string Type)> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DummyStreamLink? Link, string Spec)> _streams = new(StringComparer.Ordinal);
    private long _nowMs;
    private readonly PacketPool _pool;
    private readonly bool _dummyOverridesSystem;

    /// <param name="pool">The datapath's packet pool.</param>
    /// <param name="dummyOverridesSystem">
    /// <c>--enable-dummy=override</c>: system interfaces (type empty or <c>system</c>) are opened as dummies, so a
    /// configuration written for real NICs runs anywhere, without root.
    /// </param>
    /// <param name="postToLoop">Queues work onto the daemon's loop; socket-backed devices deliver received frames through it.</param>
    /// <param name="capabilities">The rights to check before opening real interfaces; the process's own when null.</param>
    public NetdevRegistry(PacketPool pool, bool dummyOverridesSystem, Action<Action>? postToLoop = null, LinuxCapabilities? capabilities = null)
    {
        _pool = pool;
        _dummyOverridesSystem = dummyOverridesSystem;
        _postToLoop = postToLoop ?? (action => action());
        _capabilities = capabilities;
    }

    private readonly Action<Action> _postToLoop;
    private LinuxCapabilities? _capabilities;
    private LinuxNetdevHost? _linux;
    private string? _linuxError;
    private Action? _linuxWake;
    private LinuxIoPoller? _loopPoller;

    /// <summary>
    /// Makes real devices join the epoll set that the daemon's loop thread waits on itself, instead of starting a
    /// poller thread that posts wakes to the loop. Takes effect when the first real device opens.
    /// </summary>
    public void UseLoopPoller(LinuxIoPoller poller)
    {
        if (_linux is null)
        {
            _loopPoller = poller;
        }
    }

    /// <summary>True when a real device's receive ring already holds frames, so the loop must not sleep.</summary>
    public bool HasPendingInput => _linux is { } linux && linux.HasPendingInput;

    /// <summary>The earliest time a miimon carrier poll is due (<see cref="long.MaxValue"/> when none).</summary>
    public long NextCarrierPollMs => _linux?.NextMiimonMs ?? long.MaxValue;

    /// <summary>Called on the loop thread after each wait on its own poller: applies link notifications that arrived.</summary>
    public void AfterLoopWait() => _linux?.AfterLoopWait();

    /// <summary>
    /// The shared rtnetlink monitor and poller of real interfaces, started on the first <c>system</c> or
    /// <c>internal</c> interface (a daemon with only dummies never opens a netlink socket). Null with the reason
    /// when it cannot start.
    /// </summary>
    private LinuxNetdevHost? Linux(out string? error)
    {
        if (_linux is null && _linuxError is null)
        {
            LinuxNetdevHost? host = null;
            if (_loopPoller is LinuxIoPoller loopPoller)
            {
                // The loop's thread waits on the devices itself; nothing needs posting.
                host = LinuxNetdevHost.StartOnLoop(loopPoller, out _linuxError);
            }
            else
            {
                // The poller thread only posts; the monitor is read on the loop, where every device lives.
                Action onLoop = () => host?.OnWake();
                _linuxWake = () => _postToLoop(onLoop);
                host = LinuxNetdevHost.TryStart(() => _linuxWake(), out _linuxError);
            }
            _linux = host;
        }
        error = _linuxError;
        return _linux;
    }

    /// <summary>The interface types opened as real Linux devices rather than dummies.</summary>
    private bool UsesLinux(string effectiveType) => !_dummyOverridesSystem && effectiveType is "system" or "internal" or "tap";

    private INetDev? OpenLinux(string name, string effectiveType, out string? error, MacAddress? mac = null)
    {
        LinuxCapabilities capabilities = _capabilities ??= LinuxCapabilities.Current();
        error = capabilities.MissingFor(name, effectiveType == "system" ? "system" : "internal");
        if (error is not null)
        {
            return null;
        }
        LinuxNetdevHost? host = Linux(out string? hostError);
        if (host is null)
        {
            error = $"could not open network device {name} ({hostError})";
            return null;
        }
        if (effectiveType == "system")
        {
            return host.OpenSystem(name, _pool);
        }
        return host.CreateInternal(name, _pool, out error, mac);
    }

    /// <summary>
    /// Creates the device of a bridge's own port (the Interface named after the bridge, type internal) with the
    /// bridge's MAC: a TAP named after the bridge when real interfaces are in use, as OVS's userspace datapath does,
    /// so the host can address the bridge. Returns null (the datapath then keeps an in-process internal port) under
    /// <c>--enable-dummy=override</c>, where nothing may touch the host, or with <paramref name="error"/> set when the
    /// TAP is refused, so the bridge still switches between its other ports while its row says why.
    /// </summary>
    public INetDev? OpenBridgeLocal(string name, MacAddress mac, out string? error)
    {
        error = null;
        if (_dummyOverridesSystem)
        {
            return null;
        }
        if (_devices.ContainsKey(name))
        {
            // A port of another bridge (or a bridge deleted in this pass) still holds the name; the new bridge wins.
            Close(name);
        }
        INetDev? device = OpenLinux(name, "internal", out error, mac);
        if (device is not null)
        {
            _devices[name] = (device, "internal");
        }
        return device;
    }

    /// <summary>
    /// Sets carrier detection for a bond member: OVS's <c>bond-detect-mode=miimon</c> polls the link every
    /// <paramref name="miimonIntervalMs"/> ms; null returns to rtnetlink carrier events. Dummies ignore it.
    /// </summary>
    public void SetCarrierDetection(string name, int? miimonIntervalMs, long nowMs)
    {
        if (_devices.TryGetValue(name, out var entry) && entry.Device is ILinuxNetDev)
        {
            _linux?.SetMiimon(name, miimonIntervalMs, nowMs);
        }
    }

    /// <summary>Applies <c>Interface.mtu_request</c> to a real interface (dummies keep their MTU, as in OVS's dummy class without the netdev-dummy option).</summary>
    public void RequestMtu(string name, long? mtuRequest)
    {
        if (_devices.TryGetValue(name, out var entry) && entry.Device is ILinuxNetDev linux && mtuRequest is long mtu and > 0 and < int.MaxValue)
        {
            linux.RequestMtu((int)mtu);
        }
    }

    /// <summary>
    /// Called on the daemon's loop after every datapath run: moves frames the datapath sent on socket-backed devices
    /// out to their sockets. Devices without a socket need nothing here.
    /// </summary>
    public void Pump(long nowMs)
    {
        _nowMs = nowMs;
        _linux?.AfterRun(nowMs);
        foreach ((DummyStreamLink? link, _) in _streams.Values)
        {
            link?.Pump(nowMs);
        }
    }

    /// <summary>
    /// Where socket-backed dummies report connection progress (OVS's "reconnect" and "netdev_dummy" messages); the
    /// daemon sets it to its log.
    /// </summary>
    public Vlog? Log { get; set; }

    /// <summary>
    /// <c>netdev-dummy/conn-state</c>'s view of one device: "connected" or "disconnected" for a dummy with
    /// <c>options:stream</c>, null ("unknown") for anything else, listeners included, as in OVS.
    /// </summary>
    public bool? ConnectionState(string name)
    {
        return _streams.TryGetValue(name, out var entry) && entry.Link is DummyStreamLink link ? link.Connected : null;
    }

    /// <summary>The socket link of a dummy, if it has one (for tests and diagnostics).</summary>
    public DummyStreamLink? StreamLinkOf(string name) => _streams.TryGetValue(name, out var entry) ? entry.Link : null;

    /// <summary>The interface types this daemon can open, as it reports them in <c>Open_vSwitch.iface_types</c>.</summary>
    public static readonly string[] SupportedTypes = ["dummy", "dummy-internal", "internal", "system", "tap"];

    /// <summary>Every open device.</summary>
    public IEnumerable<INetDev> Devices => _devices.Values.Select(d => d.Device);

    /// <summary>Finds an open device by name.</summary>
    public bool TryGet(string name, out INetDev device)
    {
        if (_devices.TryGetValue(name, out var entry))
        {
            device = entry.Device;
            return true;
        }
        device = null!;
        return false;
    }

    /// <summary>
    /// Opens the device for an Interface row, or returns the one already open when its type is unchanged. Returns an
    /// error text in OVS's wording when the type cannot be opened here.
    /// </summary>
    public INetDev? Open(string name, string type, IReadOnlyDictionary<string, string> options, out string? error)
    {
        error = null;
        string effectiveType = EffectiveType(type);
        if (_devices.TryGetValue(name, out var existing))
        {
            if (existing.Type == effectiveType)
            {
                ConfigureStream(name, existing.Device, options);
                return existing.Device;
            }
            Close(name);
        }
        if (UsesLinux(effectiveType))
        {
            INetDev? real = OpenLinux(name, effectiveType, out error);
            if (real is not null)
            {
                _devices[name] = (real, effectiveType);
            }
            return real;
        }
        INetDev? device = effectiveType switch
        {
            "dummy" => new DummyNetDev(name, StableDummyMac(name), _pool),
            "internal" or "dummy-internal" or "tap" => DummyNetDev.CreateInternal(name, StableDummyMac(name), _pool),
            _ => null,
        };
        if (device is null)
        {
            error = effectiveType == "system"
                ? $"could not open network device {name} (No such device)"
                : $"could not open network device {name} (Address family not supported by protocol)";
            return null;
        }
        _devices[name] = (device, effectiveType);
        ConfigureStream(name, device, options);
        return device;
    }

    /// <summary>
    /// Applies <c>options:stream</c> / <c>options:pstream</c> to a <c>dummy</c> device, as OVS's netdev-dummy does on
    /// every reconfiguration: the same setting keeps the link (and its connections), a different one replaces it, and
    /// no setting cuts it. Both at once is refused with OVS's warning and changes nothing.
    /// </summary>
    private void ConfigureStream(string name, INetDev device, IReadOnlyDictionary<string, string> options)
    {
        if (device is not DummyNetDev dummy || dummy.Type != "dummy")
        {
            return;
        }
        options.TryGetValue("pstream", out string? pstream);
        options.TryGetValue("stream", out string? stream);
        if (pstream is not null && stream is not null)
        {
            Log?.Warn("netdev_dummy", $"Open failed: both {pstream} and {stream} are configured");
            return;
        }
        bool carrierFollows = options.TryGetValue("carrier-follows-stream", out string? follows) && follows == "true";
        string? spec = pstream is not null ? "p" + pstream : stream;
        string key = spec is null ? "" : spec + (carrierFollows ? "|carrier" : "");
        if (_streams.TryGetValue(name, out var current))
        {
            if (current.Spec == key)
            {
                return;
            }
            current.Link?.Dispose();
            _streams.Remove(name);
        }
        if (spec is null)
        {
            return;
        }
        if (dummy.Cable is not null)
        {
            // A cable plugged by a lab or test stays theirs; a socket link would have nowhere to attach.
            Log?.Warn("netdev_dummy", $"{name}: already cabled, {spec[(pstream is not null ? 1 : 0)..]} ignored");
            return;
        }
        DummyStreamLink? link = DummyStreamLink.Open(dummy, pstream ?? stream!, passive: pstream is not null, carrierFollows, _pool,
            _postToLoop, () => Log, () => _nowMs);
        // A listener that failed to open is remembered too, so the same setting is not retried on every reconfiguration.
        _streams[name] = (link, key);
    }

    /// <summary>Forgets a device that no Interface row names any more, closing its socket link.</summary>
    public void Close(string name)
    {
        if (_streams.Remove(name, out var stream))
        {
            stream.Link?.Dispose();
        }
        if (_devices.Remove(name, out var entry) && entry.Device is DummyNetDev dummy && dummy.Cable is not null && dummy.Cable.Removable)
        {
            dummy.Cable.Disconnect();
        }
        if (entry.Device is ILinuxNetDev linux)
        {
            _linux?.Close(linux);
        }
    }

    /// <summary>Closes every socket link and listener (the daemon calls this when it stops).</summary>
    public void Dispose()
    {
        foreach ((DummyStreamLink? link, _) in _streams.Values)
        {
            link?.Dispose();
        }
        _streams.Clear();
        // Closing the TAPs of internal ports removes them from the host, as OVS does when it exits.
        _linux?.Dispose();
        _linux = null;
    }

    private string EffectiveType(string type)
    {
        if (type is "" or "system")
        {
            return _dummyOverridesSystem ? "dummy" : "system";
        }
        return type;
    }

    /// <summary>
    /// OVS's netdev-dummy hands out aa:55:aa:55:00:NN in creation order, so a dummy's MAC depends on the order in which
    /// rows happen to be read, and changes across restarts. SharpSwitch keeps the aa:55 prefix but derives the rest from
    /// the interface name, so <c>Port.bond_active_slave</c> still names the same member after a restart.
    /// </summary>
    internal static MacAddress StableDummyMac(string name)
    {
        uint hash = 2166136261;
        foreach (char c in name)
        {
            hash = (hash ^ c) * 16777619;
        }
        return new MacAddress(0xaa55_0000_0000UL | hash);
    }

}
