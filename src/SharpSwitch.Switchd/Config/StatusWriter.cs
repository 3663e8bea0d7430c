// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Globalization;
using SharpSwitch.Bonding;
using SharpSwitch.Datapath;
using SharpSwitch.NetDev;
using SharpSwitch.NetDev.Linux;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Switchd.Netdevs;

namespace SharpSwitch.Switchd.Config;

/// <summary>
/// Writes what the switch knows back into the database, as ovs-vswitchd does: interface status and counters,
/// bridge datapath ids, the active member of every bond (<c>Port.bond_active_slave</c>), bond and failback state in
/// <c>Port.status</c> (SharpSwitch's addition), and <c>Open_vSwitch.cur_cfg</c> once a <c>next_cfg</c> is applied.
/// Only values that differ from the replica are written, so an idle switch sends nothing.
/// </summary>
internal sealed class StatusWriter
{
    /// <summary>
    /// Every column <see cref="Write"/> may change. The daemon treats a change confined to these as the echo of its own
    /// write rather than new configuration; a column written but missing here would cost a full reconciliation each
    /// time it changes, which is why <see cref="Set"/> checks it in debug builds.
    /// </summary>
    internal static readonly HashSet<(string Table, string Column)> WrittenColumns =
    [
        ("Open_vSwitch", "cur_cfg"), ("Open_vSwitch", "iface_types"), ("Open_vSwitch", "datapath_types"),
        ("Bridge", "datapath_id"), ("Bridge", "datapath_version"),
        ("Port", "bond_active_slave"), ("Port", "status"),
        ("Interface", "ofport"), ("Interface", "error"), ("Interface", "mac_in_use"), ("Interface", "mtu"),
        ("Interface", "admin_state"), ("Interface", "link_state"), ("Interface", "link_resets"), ("Interface", "ifindex"),
        ("Interface", "link_speed"), ("Interface", "duplex"), ("Interface", "statistics"), ("Interface", "lacp_current"),
    ];

    private readonly Dictionary<string, (bool LinkUp, long Resets)> _linkHistory = new(StringComparer.Ordinal);

    /// <summary>Adds the status updates to <paramref name="transaction"/>; returns the number of changed columns.</summary>
    public int Write(IdlTransaction transaction, OvsdbIdl idl, Datapath.Datapath datapath, NetdevRegistry netdevs,
        IReadOnlyDictionary<string, string> interfaceErrors, bool includeStatistics, long? appliedCfg)
    {
        int changes = 0;
        var interfaces = new Dictionary<string, (INetDev Device, int OfPort)>(StringComparer.Ordinal);
        foreach (Bridge bridge in datapath.Bridges)
        {
            interfaces[bridge.Name] = (bridge.LocalNetDev, 65534);
            foreach (BridgePort port in bridge.Ports)
            {
                foreach (PortInterface portInterface in port.Interfaces)
                {
                    interfaces[portInterface.Name] = (portInterface.Device, portInterface.OfPort);
                }
            }
        }

        // OVS writes lacp_current only for interfaces under LACP: true unless the member is defaulted (so an expired
        // member still reads true), and leaves the column empty otherwise.
        var lacpCurrent = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (Bridge bridge in datapath.Bridges)
        {
            foreach (Lacp lacp in bridge.LacpObjects)
            {
                foreach (LacpMember member in lacp.Members)
                {
                    lacpCurrent[member.Name] = member.Status != LacpMemberStatus.Defaulted;
                }
            }
        }

        foreach (IdlRow row in idl.GetTable("Interface").Rows)
        {
            string name = RowValues.String(row, "name");
            if (interfaces.TryGetValue(name, out var found))
            {
                // A bridge's own port that could not be a TAP runs in-process; its row still says why, as OVS's would.
                string? localError = found.OfPort == 65534 && interfaceErrors.TryGetValue(name, out string? e) ? e : null;
                changes += WriteInterface(transaction, row, name, found.Device, found.OfPort, includeStatistics, localError);
                changes += Set(transaction, row, "lacp_current", RowValues.BooleanDatum(row, "lacp_current", lacpCurrent.TryGetValue(name, out bool current) ? current : null));
            }
            else if (interfaceErrors.TryGetValue(name, out string? error))
            {
                changes += Set(transaction, row, "ofport", RowValues.IntegerDatum(row, "ofport", -1));
                changes += Set(transaction, row, "error", RowValues.StringDatum(row, "error", error));
            }
        }

        var bonds = new Dictionary<string, Bond>(StringComparer.Ordinal);
        foreach (Bridge bridge in datapath.Bridges)
        {
            foreach (BridgePort port in bridge.Ports)
            {
                if (port.Bond is Bond bond)
                {
                    bonds[port.Name] = bond;
                }
            }
        }
        foreach (IdlRow row in idl.GetTable("Port").Rows)
        {
            if (bonds.TryGetValue(RowValues.String(row, "name"), out Bond? bond))
            {
                string activeMac = bond.ActiveMember?.Mac.ToString() ?? "00:00:00:00:00:00";
                changes += Set(transaction, row, "bond_active_slave", RowValues.StringDatum(row, "bond_active_slave", activeMac));
                changes += Set(transaction, row, "status", RowValues.StringMapDatum(row, "status", BondStatus(bond)));
            }
        }

        foreach (IdlRow row in idl.GetTable("Bridge").Rows)
        {
            if (datapath.TryGetBridge(RowValues.String(row, "name"), out Bridge bridge))
            {
                string datapathId = "0000" + bridge.LocalNetDev.Mac.ToString().Replace(":", "", StringComparison.Ordinal);
                changes += Set(transaction, row, "datapath_id", RowValues.StringDatum(row, "datapath_id", datapathId));
                changes += Set(transaction, row, "datapath_version", RowValues.StringDatum(row, "datapath_version", "<built-in>"));
            }
        }

        if (idl.GetTable("Open_vSwitch").Rows.FirstOrDefault() is IdlRow root)
        {
            changes += Set(transaction, root, "iface_types", RowValues.StringSetDatum(root, "iface_types", NetdevRegistry.SupportedTypes));
            changes += Set(transaction, root, "datapath_types", RowValues.StringSetDatum(root, "datapath_types", ["dummy", "netdev"]));
            if (appliedCfg is long cfg)
            {
                changes += Set(transaction, root, "cur_cfg", RowValues.IntegerDatum(root, "cur_cfg", cfg));
            }
        }
        return changes;
    }

    private int WriteInterface(IdlTransaction transaction, IdlRow row, string name, INetDev device, int ofPort, bool includeStatistics,
        string? localError = null)
    {
        int changes = 0;
        bool linkUp = device.Carrier;
        long resets = 0;
        if (_linkHistory.TryGetValue(name, out var history))
        {
            resets = history.Resets + (history.LinkUp != linkUp ? 1 : 0);
        }
        _linkHistory[name] = (linkUp, resets);
        // A real interface that is missing (or refused) reports as OVS reports it: no OpenFlow port, and the reason.
        string? error = (device as ILinuxNetDev)?.Error ?? localError;
        changes += Set(transaction, row, "ofport", RowValues.IntegerDatum(row, "ofport", error is null ? ofPort : -1));
        changes += Set(transaction, row, "error", RowValues.StringDatum(row, "error", error));
        changes += Set(transaction, row, "mac_in_use", RowValues.StringDatum(row, "mac_in_use", device.Mac.ToString()));
        changes += Set(transaction, row, "mtu", RowValues.IntegerDatum(row, "mtu", device.Mtu));
        changes += Set(transaction, row, "admin_state", RowValues.StringDatum(row, "admin_state", device.AdminUp ? "up" : "down"));
        changes += Set(transaction, row, "link_state", RowValues.StringDatum(row, "link_state", linkUp ? "up" : "down"));
        changes += Set(transaction, row, "link_resets", RowValues.IntegerDatum(row, "link_resets", resets));
        changes += Set(transaction, row, "ifindex", RowValues.IntegerDatum(row, "ifindex", (device as ILinuxNetDev)?.IfIndex ?? 0));
        if (device is ILinuxNetDev linux)
        {
            changes += Set(transaction, row, "link_speed", RowValues.IntegerDatum(row, "link_speed", linux.LinkSpeedBps));
            changes += Set(transaction, row, "duplex", RowValues.StringDatum(row, "duplex", linux.Duplex));
        }
        if (includeStatistics || row.Get("statistics").Count == 0)
        {
            InterfaceStatistics statistics = device.Counters.Snapshot();
            changes += Set(transaction, row, "statistics", RowValues.IntegerMapDatum(row, "statistics", StatisticsMap(statistics)));
        }
        return changes;
    }

    /// <summary>
    /// The statistics keys OVS reports for dummy interfaces are only the four packet/byte counters; SharpSwitch
    /// reports the full set of system-interface keys, because its dummies count drops and errors too.
    /// </summary>
    internal static IEnumerable<KeyValuePair<string, long>> StatisticsMap(InterfaceStatistics s)
    {
        yield return new("collisions", s.Collisions);
        yield return new("rx_bytes", s.RxBytes);
        yield return new("rx_crc_err", s.RxCrcErrors);
        yield return new("rx_dropped", s.RxDropped);
        yield return new("rx_errors", s.RxErrors);
        yield return new("rx_frame_err", s.RxFrameErrors);
        yield return new("rx_missed_errors", s.RxMissedErrors);
        yield return new("rx_multicast_packets", s.RxMulticastPackets);
        yield return new("rx_over_err", s.RxOverErrors);
        yield return new("rx_packets", s.RxPackets);
        yield return new("tx_bytes", s.TxBytes);
        yield return new("tx_dropped", s.TxDropped);
        yield return new("tx_errors", s.TxErrors);
        yield return new("tx_packets", s.TxPackets);
    }

    /// <summary>SharpSwitch's bond state, mirrored into <c>Port.status</c> (OVS 3.1 leaves that column empty for bonds).</summary>
    internal static IEnumerable<KeyValuePair<string, string>> BondStatus(Bond bond)
    {
        yield return new("bond_active_member", bond.ActiveMember?.Name ?? "");
        yield return new("bond_failback_policy", bond.Settings.EffectiveFailback.ToString().ToLowerInvariant());
        yield return new("bond_failovers", bond.Counters.Failovers.ToString(CultureInfo.InvariantCulture));
        yield return new("bond_failbacks", bond.Counters.Failbacks.ToString(CultureInfo.InvariantCulture));
        yield return new("bond_flaps", bond.Counters.Flaps.ToString(CultureInfo.InvariantCulture));
        if (bond.Counters.LastActiveChangeReason is string reason)
        {
            yield return new("bond_last_change_reason", reason);
        }
    }

    private static int Set(IdlTransaction transaction, IdlRow row, string column, Datum value)
    {
        Debug.Assert(WrittenColumns.Contains((row.Table.Name, column)), $"{row.Table.Name}.{column} is written as status but not listed in WrittenColumns");
        if (row.Table.Schema.FindColumn(column) is null || row.Get(column).Equals(value))
        {
            return 0;
        }
        transaction.Write(row, column, value);
        return 1;
    }
}
