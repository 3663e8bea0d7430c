// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Idl;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>The bridge, port and interface commands of ovs-vsctl, which work on names through the <see cref="BridgeCache"/>.</summary>
internal static class BridgeCommands
{
    public static BridgeCache Cache(VsctlContext context)
    {
        return context.Run.Cache ??= BridgeCache.Build(context);
    }

    public static void AddBridge(VsctlContext context)
    {
        if (context.Args.Count == 2)
        {
            throw new VsctlException("'add-br' command takes exactly 1 or 3 arguments");
        }
        string name = context.Args[0];
        string? parentName = context.Args.Count == 3 ? context.Args[1] : null;
        int vlan = 0;
        if (parentName is not null)
        {
            vlan = ParseCInt(context.Args[2]);
            if (vlan is < 0 or > 4095)
            {
                throw new VsctlException("add-br: vlan must be between 0 and 4095");
            }
        }
        BridgeCache cache = Cache(context);
        if (context.HasOption("--may-exist") && cache.FindBridge(name, mustExist: false) is { } existing)
        {
            if (parentName is null && existing.IsFake)
            {
                throw new VsctlException($"\"--may-exist add-br {name}\" but {name} is a VLAN bridge for VLAN {existing.Vlan}");
            }
            if (parentName is not null && !existing.IsFake)
            {
                throw new VsctlException($"\"--may-exist add-br {name} {parentName} {vlan}\" but {name} is not a VLAN bridge");
            }
            if (parentName is not null && existing.Parent!.Name != parentName)
            {
                throw new VsctlException($"\"--may-exist add-br {name} {parentName} {vlan}\" but {name} has the wrong parent {existing.Parent.Name}");
            }
            if (parentName is not null && existing.Vlan != vlan)
            {
                throw new VsctlException($"\"--may-exist add-br {name} {parentName} {vlan}\" but {name} is a VLAN bridge for the wrong VLAN {existing.Vlan}");
            }
            return;
        }
        cache.CheckConflicts(name, $"cannot create a bridge named {name}");
        IdlTransaction txn = context.Transaction;
        IdlRow iface = txn.Insert("Interface");
        txn.Write(iface, "name", context.StringValue(iface, "name", name));
        txn.Write(iface, "type", context.StringValue(iface, "type", "internal"));
        IdlRow port = txn.Insert("Port");
        txn.Write(port, "name", context.StringValue(port, "name", name));
        txn.Write(port, "interfaces", context.References(port, "interfaces", [iface]));
        BridgeCache.Bridge bridge;
        if (parentName is null)
        {
            IdlRow bridgeRow = txn.Insert("Bridge");
            txn.Write(bridgeRow, "name", context.StringValue(bridgeRow, "name", name));
            txn.Write(bridgeRow, "ports", context.References(bridgeRow, "ports", [port]));
            AddReference(context, context.OpenVSwitch, "bridges", bridgeRow);
            bridge = new BridgeCache.Bridge(name, bridgeRow, null, 0);
        }
        else
        {
            BridgeCache.Bridge? parent = cache.FindBridge(parentName, mustExist: false);
            if (parent is { IsFake: true })
            {
                throw new VsctlException("cannot create bridge with fake bridge as parent");
            }
            if (parent is null)
            {
                throw new VsctlException($"parent bridge {parentName} does not exist");
            }
            txn.Write(port, "fake_bridge", context.Single(port, "fake_bridge", Atom.FromBoolean(true)));
            txn.Write(port, "tag", context.Single(port, "tag", Atom.FromInteger(vlan)));
            AddReference(context, parent.Row, "ports", port);
            bridge = new BridgeCache.Bridge(name, port, parent, vlan);
        }
        cache.Bridges.Add(name, bridge);
        var cachedPort = new BridgeCache.Port(name, port, bridge);
        cache.Ports.Add(name, cachedPort);
        cache.Interfaces.Add(name, new BridgeCache.Interface(name, iface, cachedPort));
        context.Run.NewInterfaces.Add((iface, name));
    }

    public static void DeleteBridge(VsctlContext context)
    {
        BridgeCache cache = Cache(context);
        BridgeCache.Bridge? bridge = cache.FindBridge(context.Args[0], mustExist: !context.HasOption("--if-exists"));
        if (bridge is null)
        {
            return;
        }
        if (bridge.IsFake)
        {
            foreach (BridgeCache.Port port in cache.PortsOf(bridge).ToList())
            {
                DeletePortRows(context, cache, port);
            }
            cache.Bridges.Remove(bridge.Name);
            return;
        }
        foreach (BridgeCache.Bridge child in cache.Bridges.Values.Where(b => b.Parent == bridge).ToList())
        {
            foreach (BridgeCache.Port port in cache.PortsOf(child).ToList())
            {
                DeletePortRows(context, cache, port);
            }
            cache.Bridges.Remove(child.Name);
        }
        foreach (BridgeCache.Port port in cache.PortsOf(bridge).ToList())
        {
            DeletePortRows(context, cache, port);
        }
        RemoveReference(context, context.OpenVSwitch, "bridges", bridge.Row);
        context.Transaction.Delete(bridge.Row);
        cache.Bridges.Remove(bridge.Name);
    }

    public static void ListBridges(VsctlContext context)
    {
        bool real = context.HasOption("--real");
        bool fake = context.HasOption("--fake");
        if (!real && !fake)
        {
            real = fake = true;
        }
        foreach (BridgeCache.Bridge bridge in Cache(context).Bridges.Values.Where(b => b.IsFake ? fake : real).OrderBy(b => b.Name, StringComparer.Ordinal))
        {
            context.Output.Append(bridge.Name).Append('\n');
        }
    }

    public static void BridgeExists(VsctlContext context)
    {
        if (Cache(context).FindBridge(context.Args[0], mustExist: false) is null)
        {
            throw new VsctlExitException(2);
        }
    }

    public static void BridgeToVlan(VsctlContext context)
    {
        BridgeCache.Bridge bridge = Cache(context).FindBridge(context.Args[0], mustExist: true)!;
        context.Output.Append(bridge.Vlan.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    public static void BridgeToParent(VsctlContext context)
    {
        BridgeCache.Bridge bridge = Cache(context).FindBridge(context.Args[0], mustExist: true)!;
        context.Output.Append((bridge.Parent ?? bridge).Name).Append('\n');
    }

    public static void ListPorts(VsctlContext context)
    {
        BridgeCache cache = Cache(context);
        BridgeCache.Bridge bridge = cache.FindBridge(context.Args[0], mustExist: true)!;
        foreach (string name in cache.PortsOf(bridge).Select(p => p.Name).Where(n => n != bridge.Name).Order(StringComparer.Ordinal))
        {
            context.Output.Append(name).Append('\n');
        }
    }

    public static void ListInterfaces(VsctlContext context)
    {
        BridgeCache cache = Cache(context);
        BridgeCache.Bridge bridge = cache.FindBridge(context.Args[0], mustExist: true)!;
        foreach (string name in cache.Interfaces.Values.Where(i => i.Port.Bridge == bridge).Select(i => i.Name).Where(n => n != bridge.Name).Order(StringComparer.Ordinal))
        {
            context.Output.Append(name).Append('\n');
        }
    }

    public static void InterfaceToBridge(VsctlContext context)
    {
        BridgeCache.Interface iface = Cache(context).FindInterface(context.Args[0], mustExist: true)!;
        context.Output.Append(iface.Port.Bridge.Name).Append('\n');
    }

    public static void PortToBridge(VsctlContext context)
    {
        BridgeCache.Port port = Cache(context).FindPort(context.Args[0], mustExist: true)!;
        context.Output.Append(port.Bridge.Name).Append('\n');
    }

    public static void AddPort(VsctlContext context)
    {
        AddPortWithInterfaces(context, context.Args[0], context.Args[1], [context.Args[1]], [.. context.Args.Skip(2)], fakeInterface: false);
    }

    public static void AddBond(VsctlContext context)
    {
        List<string> interfaces = [];
        int index = 2;
        while (index < context.Args.Count && !context.Args[index].Contains('=', StringComparison.Ordinal))
        {
            interfaces.Add(context.Args[index++]);
        }
        if (interfaces.Count < 2)
        {
            throw new VsctlException($"add-bond requires at least 2 interfaces, but only {interfaces.Count} were specified");
        }
        AddPortWithInterfaces(context, context.Args[0], context.Args[1], interfaces, [.. context.Args.Skip(index)], context.HasOption("--fake-iface"));
    }

    public static void AddBondInterface(VsctlContext context)
    {
        BridgeCache cache = Cache(context);
        BridgeCache.Port port = cache.FindPort(context.Args[0], mustExist: true)!;
        string name = context.Args[1];
        if (context.HasOption("--may-exist") && cache.FindInterface(name, mustExist: false) is { } existing)
        {
            if (existing.Port != port)
            {
                throw new VsctlException($"{name} already exists on port {existing.Port.Name}");
            }
            return;
        }
        cache.CheckConflicts(name, $"cannot create an interface named {name}");
        IdlRow iface = context.Transaction.Insert("Interface");
        context.Transaction.Write(iface, "name", context.StringValue(iface, "name", name));
        AddReference(context, port.Row, "interfaces", iface);
        cache.Interfaces.Add(name, new BridgeCache.Interface(name, iface, port));
        context.Run.NewInterfaces.Add((iface, name));
    }

    public static void DeleteBondInterface(VsctlContext context)
    {
        BridgeCache cache = Cache(context);
        string name = context.Args[^1];
        BridgeCache.Interface? iface = cache.FindInterface(name, mustExist: !context.HasOption("--if-exists"));
        if (iface is null)
        {
            return;
        }
        if (context.Args.Count == 2)
        {
            BridgeCache.Port port = cache.FindPort(context.Args[0], mustExist: true)!;
            if (port != iface.Port)
            {
                throw new VsctlException($"port {port.Name} does not have an interface {name}");
            }
        }
        if (cache.Interfaces.Values.Count(i => i.Port == iface.Port) == 1)
        {
            throw new VsctlException($"cannot delete last interface from port {iface.Port.Name}");
        }
        RemoveReference(context, iface.Port.Row, "interfaces", iface.Row);
        context.Transaction.Delete(iface.Row);
        cache.Interfaces.Remove(name);
    }

    public static void DeletePort(VsctlContext context)
    {
        BridgeCache cache = Cache(context);
        string target = context.Args[^1];
        bool ifExists = context.HasOption("--if-exists");
        BridgeCache.Port? port;
        if (!context.HasOption("--with-iface"))
        {
            port = cache.FindPort(target, mustExist: !ifExists);
        }
        else
        {
            port = cache.FindPort(target, mustExist: false) ?? cache.FindInterface(target, mustExist: false)?.Port;
            if (port is null && !ifExists)
            {
                throw new VsctlException($"no port or interface named {target}");
            }
        }
        if (port is null)
        {
            return;
        }
        if (context.Args.Count == 2)
        {
            BridgeCache.Bridge bridge = cache.FindBridge(context.Args[0], mustExist: true)!;
            if (port.Bridge != bridge)
            {
                if (port.Bridge.Parent == bridge)
                {
                    throw new VsctlException($"bridge {context.Args[0]} does not have a port {context.Args[1]} (although its child bridge {port.Bridge.Name} does)");
                }
                throw new VsctlException($"bridge {context.Args[0]} does not have a port {context.Args[1]}");
            }
        }
        DeletePortRows(context, cache, port);
    }

    private static void AddPortWithInterfaces(VsctlContext context, string bridgeName, string portName, List<string> interfaceNames, List<string> settings, bool fakeInterface)
    {
        BridgeCache cache = Cache(context);
        if (context.HasOption("--may-exist") && cache.FindPort(portName, mustExist: false) is { } existing)
        {
            string command = interfaceNames.Count == 1 ? "add-port" : "add-bond";
            if (existing.Bridge.Name != bridgeName)
            {
                throw new VsctlException($"\"--may-exist {command} {bridgeName} {portName}\" but {portName} is actually attached to bridge {existing.Bridge.Name}");
            }
            List<string> want = [.. interfaceNames.Order(StringComparer.Ordinal)];
            List<string> have = [.. cache.Interfaces.Values.Where(i => i.Port == existing).Select(i => i.Name).Order(StringComparer.Ordinal)];
            if (!want.SequenceEqual(have))
            {
                throw new VsctlException($"\"--may-exist {command} {bridgeName} {portName}\" but {portName} actually has interface(s) {string.Join(", ", have)}");
            }
            return;
        }
        cache.CheckConflicts(portName, $"cannot create a port named {portName}");
        foreach (string name in interfaceNames)
        {
            cache.CheckConflicts(name, $"cannot create an interface named {name}");
        }
        BridgeCache.Bridge bridge = cache.FindBridge(bridgeName, mustExist: true)!;
        IdlTransaction txn = context.Transaction;
        var interfaces = new List<IdlRow>();
        foreach (string name in interfaceNames)
        {
            IdlRow iface = txn.Insert("Interface");
            txn.Write(iface, "name", context.StringValue(iface, "name", name));
            interfaces.Add(iface);
        }
        IdlRow port = txn.Insert("Port");
        txn.Write(port, "name", context.StringValue(port, "name", portName));
        txn.Write(port, "interfaces", context.References(port, "interfaces", interfaces));
        if (fakeInterface)
        {
            txn.Write(port, "bond_fake_iface", context.Single(port, "bond_fake_iface", Atom.FromBoolean(true)));
        }
        if (bridge.IsFake)
        {
            txn.Write(port, "tag", context.Single(port, "tag", Atom.FromInteger(bridge.Vlan)));
        }
        foreach (string setting in settings)
        {
            DatabaseCommands.SetColumn(context, port, setting);
        }
        AddReference(context, bridge.Real.Row, "ports", port);
        var cachedPort = new BridgeCache.Port(portName, port, bridge);
        cache.Ports.Add(portName, cachedPort);
        for (int i = 0; i < interfaces.Count; i++)
        {
            cache.Interfaces.Add(interfaceNames[i], new BridgeCache.Interface(interfaceNames[i], interfaces[i], cachedPort));
            context.Run.NewInterfaces.Add((interfaces[i], interfaceNames[i]));
        }
    }

    private static void DeletePortRows(VsctlContext context, BridgeCache cache, BridgeCache.Port port)
    {
        foreach (BridgeCache.Interface iface in cache.Interfaces.Values.Where(i => i.Port == port).ToList())
        {
            context.Transaction.Delete(iface.Row);
            cache.Interfaces.Remove(iface.Name);
        }
        RemoveReference(context, port.Bridge.Real.Row, "ports", port.Row);
        context.Transaction.Delete(port.Row);
        cache.Ports.Remove(port.Name);
    }

    private static void AddReference(VsctlContext context, IdlRow row, string column, IdlRow target)
    {
        Datum current = row[column];
        context.Transaction.Write(row, column, current.Union(Datum.Single(current.Type, Atom.FromUuid(target.Uuid))));
    }

    private static void RemoveReference(VsctlContext context, IdlRow row, string column, IdlRow target)
    {
        if (row.IsDeleted)
        {
            return;
        }
        Datum current = row[column];
        context.Transaction.Write(row, column, current.Subtract(Datum.Single(current.Type, Atom.FromUuid(target.Uuid))));
    }

    /// <summary>Reads an integer the way C's atoi does: leading digits with an optional sign, 0 when there are none.</summary>
    private static int ParseCInt(string text)
    {
        int i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
        int start = i;
        if (i < text.Length && text[i] is '+' or '-')
        {
            i++;
        }
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }
        return long.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? (int)Math.Clamp(value, int.MinValue, int.MaxValue)
            : 0;
    }
}
