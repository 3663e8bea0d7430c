// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Idl;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>
/// ovs-vsctl's view of bridges, ports and interfaces by name, including "fake" VLAN bridges (a port marked
/// <c>fake_bridge</c> with a tag stands for a bridge that is really a VLAN of its parent). Building it verifies the
/// columns it read so that a concurrent change makes the commit retry, as ovs-vsctl does.
/// </summary>
internal sealed class BridgeCache
{
    internal sealed class Bridge(string name, IdlRow row, Bridge? parent, int vlan)
    {
        public string Name { get; } = name;

        /// <summary>The Bridge row of a real bridge, or the Port row standing for a fake bridge.</summary>
        public IdlRow Row { get; } = row;

        public Bridge? Parent { get; } = parent;

        public int Vlan { get; } = vlan;

        public bool IsFake => Parent is not null;

        /// <summary>The real bridge whose ports column holds this bridge's ports.</summary>
        public Bridge Real => Parent ?? this;
    }

    internal sealed class Port(string name, IdlRow row, Bridge bridge)
    {
        public string Name { get; } = name;

        public IdlRow Row { get; } = row;

        public Bridge Bridge { get; set; } = bridge;
    }

    internal sealed class Interface(string name, IdlRow row, Port port)
    {
        public string Name { get; } = name;

        public IdlRow Row { get; } = row;

        public Port Port { get; } = port;
    }

    public Dictionary<string, Bridge> Bridges { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Port> Ports { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Interface> Interfaces { get; } = new(StringComparer.Ordinal);

    public static BridgeCache Build(VsctlContext context)
    {
        var cache = new BridgeCache();
        IdlTransaction txn = context.Transaction;
        IdlRow ovs = context.OpenVSwitch;
        txn.Verify(ovs, "bridges");
        List<IdlRow> bridges = [.. Rows(context, "Bridge", ovs["bridges"])];
        foreach (IdlRow bridgeRow in bridges)
        {
            string name = bridgeRow.GetString("name");
            if (cache.Bridges.ContainsKey(name))
            {
                continue;
            }
            var bridge = new Bridge(name, bridgeRow, null, 0);
            cache.Bridges.Add(name, bridge);
            txn.Verify(bridgeRow, "ports");
            foreach (IdlRow portRow in Rows(context, "Port", bridgeRow["ports"]))
            {
                if (portRow["fake_bridge"] is { Count: 1 } fake && fake.Keys[0].Boolean && TagOf(portRow) is int vlan)
                {
                    cache.Bridges.TryAdd(portRow.GetString("name"), new Bridge(portRow.GetString("name"), portRow, bridge, vlan));
                }
            }
        }
        foreach (IdlRow bridgeRow in bridges)
        {
            Bridge bridge = cache.Bridges[bridgeRow.GetString("name")];
            if (bridge.Row != bridgeRow)
            {
                continue;
            }
            foreach (IdlRow portRow in Rows(context, "Port", bridgeRow["ports"]))
            {
                string portName = portRow.GetString("name");
                if (cache.Ports.ContainsKey(portName))
                {
                    continue;
                }
                Bridge owner = bridge;
                if (TagOf(portRow) is int tag)
                {
                    Bridge? vlanBridge = cache.Bridges.Values.FirstOrDefault(b => b.Parent == bridge && b.Vlan == tag);
                    if (vlanBridge is not null)
                    {
                        owner = vlanBridge;
                    }
                }
                var port = new Port(portName, portRow, owner);
                cache.Ports.Add(portName, port);
                txn.Verify(portRow, "interfaces");
                foreach (IdlRow ifaceRow in Rows(context, "Interface", portRow["interfaces"]))
                {
                    cache.Interfaces.TryAdd(ifaceRow.GetString("name"), new Interface(ifaceRow.GetString("name"), ifaceRow, port));
                }
            }
        }
        return cache;
    }

    public Bridge? FindBridge(string name, bool mustExist)
    {
        if (Bridges.TryGetValue(name, out Bridge? bridge))
        {
            return bridge;
        }
        return mustExist ? throw new VsctlException($"no bridge named {name}") : null;
    }

    public Bridge FindRealBridge(string name)
    {
        Bridge bridge = FindBridge(name, mustExist: true)!;
        return bridge.IsFake ? throw new VsctlException($"{name} is a fake bridge") : bridge;
    }

    public Port? FindPort(string name, bool mustExist)
    {
        if (Ports.TryGetValue(name, out Port? port))
        {
            return port;
        }
        return mustExist ? throw new VsctlException($"no port named {name}") : null;
    }

    public Interface? FindInterface(string name, bool mustExist)
    {
        if (Interfaces.TryGetValue(name, out Interface? iface))
        {
            return iface;
        }
        return mustExist ? throw new VsctlException($"no interface named {name}") : null;
    }

    /// <summary>Fails with ovs-vsctl's wording when <paramref name="name"/> is already a bridge, port or interface.</summary>
    public void CheckConflicts(string name, string message)
    {
        if (Bridges.ContainsKey(name))
        {
            throw new VsctlException($"{message} because a bridge named {name} already exists");
        }
        if (Ports.TryGetValue(name, out Port? port))
        {
            throw new VsctlException($"{message} because a port named {name} already exists on bridge {port.Bridge.Name}");
        }
        if (Interfaces.TryGetValue(name, out Interface? iface))
        {
            throw new VsctlException($"{message} because an interface named {name} already exists on bridge {iface.Port.Bridge.Name}");
        }
    }

    public IEnumerable<Port> PortsOf(Bridge bridge) => Ports.Values.Where(p => p.Bridge == bridge);

    private static int? TagOf(IdlRow port)
    {
        Datum tag = port["tag"];
        return tag.Count == 1 && tag.Keys[0].Integer is >= 0 and <= 4095 ? (int)tag.Keys[0].Integer : null;
    }

    private static IEnumerable<IdlRow> Rows(VsctlContext context, string table, Datum references)
    {
        IdlTable rows = context.Rows(table);
        foreach (Atom atom in references.Keys)
        {
            if (rows.Find(atom.Uuid) is { } row)
            {
                yield return row;
            }
        }
    }
}
