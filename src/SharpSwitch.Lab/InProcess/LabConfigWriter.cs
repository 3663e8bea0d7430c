// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Lab.InProcess;

/// <summary>
/// Turns a scenario's switch node into OVSDB transactions, writing the rows <c>ovs-vsctl</c> writes for
/// <c>init</c>, <c>add-br</c>, <c>add-port</c> and <c>add-bond</c> followed by <c>-- set ...</c> of the scenario's
/// columns and keys. Nothing else configures a lab switch, so what the lab runs is what an operator's commands build.
/// </summary>
internal static class LabConfigWriter
{
    /// <summary>
    /// <c>ovs-vsctl init</c>: inserts the <c>Open_vSwitch</c> root row when the database has none (it then starts with
    /// <c>next_cfg</c> 0).
    /// </summary>
    public static async Task InitAsync(OvsdbIdl client, CancellationToken cancellationToken)
    {
        if (client.GetTable("Open_vSwitch").Rows.Any())
        {
            return;
        }
        using IdlTransaction transaction = client.CreateTransaction();
        transaction.Insert("Open_vSwitch");
        IdlCommitResult result = await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Check(result, "init");
    }

    /// <summary>
    /// Adds every bridge, port and bond of <paramref name="spec"/> in one transaction that also increments
    /// <c>Open_vSwitch.next_cfg</c>, as one <c>ovs-vsctl</c> invocation chaining the commands with <c>--</c> does.
    /// Returns the new <c>next_cfg</c>, which the daemon must report back in <c>cur_cfg</c>.
    /// </summary>
    public static async Task<long> WriteSwitchAsync(OvsdbIdl client, SwitchSpec spec, CancellationToken cancellationToken)
    {
        using IdlTransaction transaction = client.CreateTransaction();
        IdlRow root = client.GetTable("Open_vSwitch").Rows.First();
        var bridges = new List<Guid>(RowUuids(root, "bridges"));
        foreach (BridgeSpec bridgeSpec in spec.Bridges)
        {
            bridges.Add(AddBridge(transaction, spec.Name, bridgeSpec));
        }
        transaction.Write(root, "bridges", UuidSet(root, "bridges", bridges));
        transaction.Increment(root, "next_cfg");
        transaction.AddComment($"lab: configure switch {spec.Name}");
        IdlCommitResult result = await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Check(result, $"configure {spec.Name}");
        return result.IncrementedValue ?? throw new InvalidOperationException($"lab: the database did not return next_cfg for {spec.Name}");
    }

    private static Guid AddBridge(IdlTransaction transaction, string switchName, BridgeSpec spec)
    {
        // add-br BRIDGE: the bridge, its local port and that port's internal interface.
        IdlRow bridge = transaction.Insert("Bridge");
        Set(transaction, bridge, "name", spec.Name);
        // The lab's bridge address is derived from the switch and bridge names (other_config:hwaddr, as an operator
        // pins it), so that two switches with a bridge of the same name never share a MAC or a LACP system id.
        SetMap(transaction, bridge, "other_config", new Dictionary<string, string>
        {
            ["hwaddr"] = LabTopology.DeriveMac(switchName + "/" + spec.Name).ToString(),
        });
        var ports = new List<Guid> { AddPort(transaction, spec.Name, [(spec.Name, "internal", null)]).Uuid };
        foreach (PortSpec port in spec.Ports)
        {
            // add-port BRIDGE PORT -- set interface PORT type=dummy|internal -- set port PORT tag=.. trunks=.. vlan_mode=..
            IdlRow row = AddPort(transaction, port.Name, [(port.Name, port.Internal ? "internal" : "dummy", null)]);
            SetVlan(transaction, row, port.Tag, port.Trunks, port.VlanMode);
            ports.Add(row.Uuid);
        }
        foreach (BondSpec bond in spec.Bonds)
        {
            // add-bond BRIDGE BOND IFACE... -- set port BOND bond_mode=.. lacp=.. bond_updelay=.. other_config:..
            IdlRow port = AddPort(transaction, bond.Name, [.. bond.Interfaces.Select(m => (m.Name, "dummy", (IReadOnlyDictionary<string, string>?)m.OtherConfig))]);
            if (bond.BondMode is not null)
            {
                Set(transaction, port, "bond_mode", bond.BondMode);
            }
            if (bond.Lacp is not null)
            {
                Set(transaction, port, "lacp", bond.Lacp);
            }
            SetInteger(transaction, port, "bond_updelay", bond.UpdelayMs);
            SetInteger(transaction, port, "bond_downdelay", bond.DowndelayMs);
            if (bond.OtherConfig.Count > 0)
            {
                SetMap(transaction, port, "other_config", bond.OtherConfig);
            }
            SetVlan(transaction, port, bond.Tag, bond.Trunks, bond.VlanMode);
            ports.Add(port.Uuid);
        }
        transaction.Write(bridge, "ports", UuidSet(bridge, "ports", ports));
        return bridge.Uuid;
    }

    private static IdlRow AddPort(IdlTransaction transaction, string name, IReadOnlyList<(string Name, string Type, IReadOnlyDictionary<string, string>? OtherConfig)> interfaces)
    {
        IdlRow port = transaction.Insert("Port");
        Set(transaction, port, "name", name);
        var uuids = new List<Guid>();
        foreach ((string interfaceName, string type, IReadOnlyDictionary<string, string>? otherConfig) in interfaces)
        {
            IdlRow row = transaction.Insert("Interface");
            Set(transaction, row, "name", interfaceName);
            Set(transaction, row, "type", type);
            if (otherConfig is { Count: > 0 })
            {
                SetMap(transaction, row, "other_config", otherConfig);
            }
            uuids.Add(row.Uuid);
        }
        transaction.Write(port, "interfaces", UuidSet(port, "interfaces", uuids));
        return port;
    }

    private static void SetVlan(IdlTransaction transaction, IdlRow port, int? tag, IReadOnlyList<int> trunks, VlanMode mode)
    {
        if (tag is int value)
        {
            SetInteger(transaction, port, "tag", value);
        }
        if (trunks.Count > 0)
        {
            ColumnType type = TypeOf(port, "trunks");
            transaction.Write(port, "trunks", new Datum(type, [.. trunks.Select(t => Atom.FromInteger(t))], null));
        }
        if (VsctlScript.VlanModeName(mode) is string modeName)
        {
            Set(transaction, port, "vlan_mode", modeName);
        }
    }

    private static IEnumerable<Guid> RowUuids(IdlRow row, string column) => row.Get(column).Keys.Select(k => k.Uuid);

    private static Datum UuidSet(IdlRow row, string column, IEnumerable<Guid> uuids) =>
        new(TypeOf(row, column), [.. uuids.Select(Atom.FromUuid)], null);

    private static ColumnType TypeOf(IdlRow row, string column) =>
        (row.Table.Schema.FindColumn(column) ?? throw new InvalidOperationException($"the schema has no {row.Table.Name}.{column}")).Type;

    private static void Set(IdlTransaction transaction, IdlRow row, string column, string value) =>
        transaction.Write(row, column, new Datum(TypeOf(row, column), [Atom.FromString(value)], null));

    private static void SetInteger(IdlTransaction transaction, IdlRow row, string column, long value) =>
        transaction.Write(row, column, new Datum(TypeOf(row, column), [Atom.FromInteger(value)], null));

    private static void SetMap(IdlTransaction transaction, IdlRow row, string column, IReadOnlyDictionary<string, string> map) =>
        transaction.Write(row, column, new Datum(TypeOf(row, column), [.. map.Keys.Select(Atom.FromString)], [.. map.Values.Select(Atom.FromString)]));

    private static void Check(IdlCommitResult result, string what)
    {
        if (result.Status is not (IdlTransactionStatus.Success or IdlTransactionStatus.Unchanged))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"lab: the database refused to {what}: {result.Status} {result.Error}"));
        }
    }
}
