// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using System.Text;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath;

/// <summary>
/// The userspace datapath (OVS's <c>netdev@ovs-netdev</c>): the bridges, one packet pool, and the datapath port
/// numbers shared by all bridges. A switch daemon maps OVSDB rows onto it; a lab builds topologies on it.
/// </summary>
/// <remarks>Single-threaded: <see cref="Run"/> and all configuration calls come from one thread.</remarks>
public sealed class Datapath
{
    private readonly Dictionary<string, Bridge> _bridgesByName = new(StringComparer.Ordinal);
    private readonly List<Bridge> _bridges = [];
    private readonly Dictionary<INetDev, int> _attached = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<int> _usedDatapathPorts = [];
    private Bridge[] _bridgeArray = [];

    /// <summary>Creates a datapath; <paramref name="pool"/> defaults to a new pool shared by every device made for it.</summary>
    /// <param name="pool">The packet pool.</param>
    /// <param name="name">The datapath name.</param>
    /// <param name="nameDerivedPortNumbers">
    /// Number datapath ports as OVS's <c>dummy</c> datapath class does (<c>--enable-dummy=override</c>): a port whose
    /// name contains digits gets that number if free, plus 100 when the name starts with "br". Otherwise (the
    /// default, like <c>netdev@ovs-netdev</c>) every port gets the lowest free number.
    /// </param>
    public Datapath(PacketPool? pool = null, string name = "ovs-netdev", bool nameDerivedPortNumbers = false)
    {
        Pool = pool ?? new PacketPool();
        Name = name;
        NameDerivedPortNumbers = nameDerivedPortNumbers;
    }

    /// <summary>Whether datapath port numbers come from interface names (see the constructor).</summary>
    public bool NameDerivedPortNumbers { get; }

    /// <summary>The datapath name (<c>ovs-netdev</c>, as <c>dpif/show</c> prints it).</summary>
    public string Name { get; }

    /// <summary>The buffers every device of this datapath should use.</summary>
    public PacketPool Pool { get; }

    /// <summary>The bridges, in creation order.</summary>
    public IReadOnlyList<Bridge> Bridges => _bridges;

    /// <summary>The earliest timer deadline of any bridge, or <see cref="long.MaxValue"/>.</summary>
    public long NextWakeMs
    {
        get
        {
            long next = long.MaxValue;
            foreach (Bridge bridge in _bridgeArray)
            {
                next = Math.Min(next, bridge.NextWakeMs);
            }
            return next;
        }
    }

    /// <summary>
    /// Creates a bridge with its local internal port. <paramref name="localMac"/> defaults to a locally administered
    /// address derived from the name, so runs are reproducible. <paramref name="createLocalDevice"/>, given the local
    /// port's MAC, may supply its device (a TAP the host can use); by default, or when it returns null, the local port
    /// is an in-process internal port.
    /// </summary>
    public Bridge AddBridge(string name, BridgeSettings? settings = null, MacAddress? localMac = null, long nowMs = 0,
        Func<MacAddress, INetDev?>? createLocalDevice = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_bridgesByName.ContainsKey(name))
        {
            throw new InvalidOperationException($"bridge {name} already exists");
        }
        var bridge = new Bridge(this, name, settings ?? BridgeSettings.Default, localMac ?? DeriveMac(name), nowMs, createLocalDevice);
        _bridgesByName.Add(name, bridge);
        _bridges.Add(bridge);
        _bridgeArray = [.. _bridges];
        return bridge;
    }

    /// <summary>Deletes a bridge and releases its devices.</summary>
    public bool RemoveBridge(string name, long nowMs)
    {
        if (!_bridgesByName.Remove(name, out Bridge? bridge))
        {
            return false;
        }
        bridge.Detach(nowMs);
        _bridges.Remove(bridge);
        _bridgeArray = [.. _bridges];
        return true;
    }

    /// <summary>Finds a bridge by name.</summary>
    public bool TryGetBridge(string name, out Bridge bridge)
    {
        return _bridgesByName.TryGetValue(name, out bridge!);
    }

    /// <summary>Runs every bridge at <paramref name="nowMs"/> (see <see cref="Bridge.Run"/>).</summary>
    public void Run(long nowMs)
    {
        Bridge[] bridges = _bridgeArray;
        for (int i = 0; i < bridges.Length; i++)
        {
            bridges[i].Run(nowMs);
        }
    }

    /// <summary>True when <paramref name="device"/> is a port interface of some bridge.</summary>
    public bool IsAttached(INetDev device) => _attached.ContainsKey(device);

    /// <summary>Gives a device its datapath port number (OVS's choose_port in dpif-netdev); 0 is the datapath itself.</summary>
    internal int Attach(INetDev device)
    {
        int number = NameDerivedPortNumbers ? NumberFromName(device.Name) : 0;
        if (number <= 0 || _usedDatapathPorts.Contains(number))
        {
            number = 1;
            while (_usedDatapathPorts.Contains(number))
            {
                number++;
            }
        }
        _usedDatapathPorts.Add(number);
        _attached.Add(device, number);
        return number;
    }

    internal void Detach(INetDev device, int datapathPort)
    {
        if (_attached.Remove(device))
        {
            _usedDatapathPorts.Remove(datapathPort);
        }
    }

    /// <summary>The number the dummy datapath class tries first: the first run of digits in the name, plus 100 for "br…" names.</summary>
    private static int NumberFromName(string name)
    {
        int start = name.StartsWith("br", StringComparison.Ordinal) ? 100 : 0;
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsAsciiDigit(name[i]))
            {
                long value = 0;
                for (int j = i; j < name.Length && char.IsAsciiDigit(name[j]) && value < 1_000_000; j++)
                {
                    value = (value * 10) + (name[j] - '0');
                }
                long number = start + value;
                return number is > 0 and <= ushort.MaxValue ? (int)number : 0;
            }
        }
        return 0;
    }

    /// <summary>A stable, locally administered unicast address (02:xx:xx:xx:xx:xx) derived from a name.</summary>
    internal static MacAddress DeriveMac(string name)
    {
        // FNV-1a over the UTF-8 name: stable across runs and processes, unlike string.GetHashCode.
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(name))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        Span<byte> octets = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(octets, hash);
        octets[2] = 0x02;
        return MacAddress.Read(octets[2..]);
    }
}
