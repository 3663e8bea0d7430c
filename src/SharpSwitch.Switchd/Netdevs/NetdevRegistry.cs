// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Switchd.Netdevs;

/// <summary>
/// The network devices the daemon has opened, by interface name, so that a device survives reconfiguration (and
/// keeps its counters and cable) as long as its Interface row keeps the same name and type.
/// </summary>
internal sealed class NetdevRegistry
{
    private readonly Dictionary<string, (INetDev Device, string Type)> _devices = new(StringComparer.Ordinal);
    private readonly PacketPool _pool;
    private readonly bool _dummyOverridesSystem;
    private int _nextDummyIndex;

    /// <param name="pool">The datapath's packet pool.</param>
    /// <param name="dummyOverridesSystem">
    /// <c>--enable-dummy=override</c>: system interfaces (type empty or <c>system</c>) are opened as dummies, so a
    /// configuration written for real NICs runs anywhere, without root.
    /// </param>
    /// <param name="postToLoop">Queues work onto the daemon's loop; socket-backed devices deliver received frames through it.</param>
    public NetdevRegistry(PacketPool pool, bool dummyOverridesSystem, Action<Action>? postToLoop = null)
    {
        _pool = pool;
        _dummyOverridesSystem = dummyOverridesSystem;
        _postToLoop = postToLoop ?? (action => action());
    }

    private readonly Action<Action> _postToLoop;

    /// <summary>
    /// Called on the daemon's loop after every datapath run: moves frames the datapath sent on socket-backed devices
    /// out to their sockets. Devices without a socket need nothing here.
    /// </summary>
    public void Pump(long nowMs)
    {
        _ = nowMs;
        _ = _postToLoop;
    }

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
        _ = options;
        error = null;
        string effectiveType = EffectiveType(type);
        if (_devices.TryGetValue(name, out var existing))
        {
            if (existing.Type == effectiveType)
            {
                return existing.Device;
            }
            Close(name);
        }
        INetDev? device = effectiveType switch
        {
            "dummy" => new DummyNetDev(name, NextDummyMac(), _pool),
            "internal" or "dummy-internal" or "tap" => DummyNetDev.CreateInternal(name, NextDummyMac(), _pool),
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
        return device;
    }

    /// <summary>Forgets a device that no Interface row names any more.</summary>
    public void Close(string name)
    {
        if (_devices.Remove(name, out var entry) && entry.Device is DummyNetDev dummy && dummy.Cable is not null)
        {
            dummy.Cable.Disconnect();
        }
    }

    private string EffectiveType(string type)
    {
        if (type is "" or "system")
        {
            return _dummyOverridesSystem ? "dummy" : "system";
        }
        return type;
    }

    /// <summary>OVS's netdev-dummy hands out aa:55:aa:55:00:NN in creation order; so does SharpSwitch.</summary>
    private MacAddress NextDummyMac()
    {
        return new MacAddress(0xaa55_aa55_0000UL | (uint)(_nextDummyIndex++ & 0xFFFF));
    }
}
