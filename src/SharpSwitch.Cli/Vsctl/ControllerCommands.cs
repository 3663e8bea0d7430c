// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Idl;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>
/// ovs-vsctl's shorthand commands for a bridge's fail mode, controllers and external ids, and for the switch's
/// managers. They act on the real bridge behind a fake (VLAN) bridge, except external ids, which a fake bridge keeps
/// on its own port under a <c>fake-bridge-</c> prefix.
/// </summary>
internal static class ControllerCommands
{
    private const string FakeBridgePrefix = "fake-bridge-";

    public static void GetFailMode(VsctlContext context)
    {
        IdlRow bridge = RealBridgeRow(context);
        context.Transaction.Verify(bridge, "fail_mode");
        Datum mode = bridge["fail_mode"];
        if (mode.Count == 1)
        {
            context.Output.Append(mode.Keys[0].String).Append('\n');
        }
    }

    public static void SetFailMode(VsctlContext context)
    {
        IdlRow bridge = RealBridgeRow(context);
        string mode = context.Args[1];
        if (mode is not ("standalone" or "secure"))
        {
            throw new VsctlException("fail-mode must be \"standalone\" or \"secure\"");
        }
        context.Transaction.Write(bridge, "fail_mode", context.StringValue(bridge, "fail_mode", mode));
    }

    public static void DeleteFailMode(VsctlContext context)
    {
        IdlRow bridge = RealBridgeRow(context);
        context.Transaction.Write(bridge, "fail_mode", Datum.Empty(bridge["fail_mode"].Type));
    }

    public static void GetController(VsctlContext context)
    {
        IdlRow bridge = RealBridgeRow(context);
        context.Transaction.Verify(bridge, "controller");
        PrintTargets(context, "Controller", bridge["controller"]);
    }

    public static void DeleteController(VsctlContext context)
    {
        IdlRow bridge = RealBridgeRow(context);
        ReplaceTargets(context, bridge, "controller", "Controller", []);
    }

    public static void SetController(VsctlContext context)
    {
        IdlRow bridge = RealBridgeRow(context);
        ReplaceTargets(context, bridge, "controller", "Controller", context.Args.Skip(1));
    }

    public static void GetManager(VsctlContext context)
    {
        context.Transaction.Verify(context.OpenVSwitch, "manager_options");
        PrintTargets(context, "Manager", context.OpenVSwitch["manager_options"]);
    }

    public static void DeleteManager(VsctlContext context)
    {
        ReplaceTargets(context, context.OpenVSwitch, "manager_options", "Manager", []);
    }

    public static void SetManager(VsctlContext context)
    {
        ReplaceTargets(context, context.OpenVSwitch, "manager_options", "Manager", context.Args);
    }

    public static void SetExternalId(VsctlContext context)
    {
        (IdlRow row, string prefix) = ExternalIdsRow(context);
        string key = prefix + context.Args[1];
        Datum current = row["external_ids"];
        var keyOnly = new Datum(new Ovsdb.Schema.ColumnType(current.Type.Key, null, 0, Ovsdb.Schema.ColumnType.Unlimited), [Atom.FromString(key)], null);
        Datum updated = current.Subtract(keyOnly);
        if (context.Args.Count > 2)
        {
            updated = updated.Union(new Datum(current.Type, [Atom.FromString(key)], [Atom.FromString(context.Args[2])]));
        }
        context.Transaction.Verify(row, "external_ids");
        context.Transaction.Write(row, "external_ids", updated);
    }

    public static void GetExternalId(VsctlContext context)
    {
        (IdlRow row, string prefix) = ExternalIdsRow(context);
        context.Transaction.Verify(row, "external_ids");
        Datum ids = row["external_ids"];
        if (context.Args.Count > 1)
        {
            if (ids.TryGetValue(Atom.FromString(prefix + context.Args[1]), out Atom value))
            {
                context.Output.Append(value.String).Append('\n');
            }
            return;
        }
        for (int i = 0; i < ids.Count; i++)
        {
            string key = ids.Keys[i].String;
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                context.Output.Append(key[prefix.Length..]).Append('=').Append(ids.Values![i].String).Append('\n');
            }
        }
    }

    private static IdlRow RealBridgeRow(VsctlContext context)
    {
        return BridgeCommands.Cache(context).FindBridge(context.Args[0], mustExist: true)!.Real.Row;
    }

    private static (IdlRow Row, string Prefix) ExternalIdsRow(VsctlContext context)
    {
        BridgeCache.Bridge bridge = BridgeCommands.Cache(context).FindBridge(context.Args[0], mustExist: true)!;
        return bridge.IsFake ? (bridge.Row, FakeBridgePrefix) : (bridge.Row, "");
    }

    private static void PrintTargets(VsctlContext context, string table, Datum references)
    {
        IdlTable rows = context.Rows(table);
        var targets = new List<string>();
        foreach (Atom reference in references.Keys)
        {
            if (rows.Find(reference.Uuid) is { } row)
            {
                targets.Add(row.GetString("target"));
            }
        }
        foreach (string target in targets.Order(StringComparer.Ordinal))
        {
            context.Output.Append(target).Append('\n');
        }
    }

    /// <summary>Deletes the rows <paramref name="column"/> refers to and points it at new rows with the given targets.</summary>
    private static void ReplaceTargets(VsctlContext context, IdlRow owner, string column, string table, IEnumerable<string> targets)
    {
        IdlTable rows = context.Rows(table);
        foreach (Atom reference in owner[column].Keys)
        {
            if (rows.Find(reference.Uuid) is { } old)
            {
                context.Transaction.Delete(old);
            }
        }
        var created = new List<IdlRow>();
        foreach (string target in targets)
        {
            IdlRow row = context.Transaction.Insert(table);
            context.Transaction.Write(row, "target", context.StringValue(row, "target", target));
            created.Add(row);
        }
        context.Transaction.Write(owner, column, context.References(owner, column, created));
    }
}
