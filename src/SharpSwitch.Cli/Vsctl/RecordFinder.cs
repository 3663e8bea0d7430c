// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>
/// Finds the row a command names: by uuid, or by the table's "row id", which is a name column of the table itself
/// or of a table that refers to it (a QoS row is named by the Port that uses it; the Open_vSwitch row is ".").
/// </summary>
internal static class RecordFinder
{
    /// <summary>How a record of a table may be named: rows of <c>Table</c> whose <c>NameColumn</c> equals the name, then follow <c>ReferenceColumn</c>.</summary>
    private sealed record RowId(string Table, string? NameColumn, string? ReferenceColumn);

    private static readonly Dictionary<string, RowId[]> s_rowIds = new(StringComparer.Ordinal)
    {
        ["Open_vSwitch"] = [new("Open_vSwitch", null, null)],
        ["Bridge"] = [new("Bridge", "name", null)],
        ["Port"] = [new("Port", "name", null)],
        ["Interface"] = [new("Interface", "name", null)],
        ["Controller"] = [new("Bridge", "name", "controller")],
        ["Manager"] = [new("Manager", "target", null)],
        ["Mirror"] = [new("Mirror", "name", null)],
        ["NetFlow"] = [new("Bridge", "name", "netflow")],
        ["QoS"] = [new("Port", "name", "qos")],
        ["SSL"] = [new("Open_vSwitch", null, "ssl")],
        ["sFlow"] = [new("Bridge", "name", "sflow")],
        ["IPFIX"] = [new("Bridge", "name", "ipfix")],
        ["AutoAttach"] = [new("Bridge", "name", "auto_attach")],
        ["Flow_Table"] = [new("Flow_Table", "name", null)],
        ["Flow_Sample_Collector_Set"] = [new("Flow_Sample_Collector_Set", "id", null)],
    };

    public static IdlRow? Find(OvsdbIdl idl, TableSchema table, string record, bool mustExist)
    {
        IdlTable rows = idl.GetTable(table.Name);
        IdlRow? row = null;
        if (Atom.TryParseUuid(record, out Guid uuid))
        {
            row = rows.Find(uuid);
        }
        if (row is null && s_rowIds.TryGetValue(table.Name, out RowId[]? ids))
        {
            foreach (RowId id in ids)
            {
                row = FindById(idl, table, id, record);
                if (row is not null)
                {
                    break;
                }
            }
        }
        if (row is null && mustExist)
        {
            throw new VsctlException($"no row \"{record}\" in table {table.Name}");
        }
        return row;
    }

    private static IdlRow? FindById(OvsdbIdl idl, TableSchema table, RowId id, string record)
    {
        IdlTable referrers = idl.GetTable(id.Table);
        IdlRow? referrer;
        if (id.NameColumn is null)
        {
            if (record != ".")
            {
                return null;
            }
            List<IdlRow> all = [.. referrers.Rows];
            referrer = all.Count == 1 ? all[0] : null;
        }
        else
        {
            ColumnSchema nameColumn = referrers.Schema.FindColumn(id.NameColumn)!;
            Atom wanted;
            try
            {
                wanted = Atom.ParseOvsString(record, nameColumn.Type.Key);
            }
            catch (SharpSwitch.Ovsdb.OvsdbException)
            {
                return null;
            }
            List<IdlRow> matches = [.. referrers.Rows.Where(r => r[id.NameColumn] is { Count: 1 } value && value.Keys[0] == wanted)];
            if (matches.Count > 1)
            {
                throw new VsctlException($"multiple rows in {referrers.Name} match \"{record}\"");
            }
            referrer = matches.Count == 1 ? matches[0] : null;
        }
        if (referrer is null)
        {
            return null;
        }
        if (id.ReferenceColumn is null)
        {
            return referrer;
        }
        Datum reference = referrer[id.ReferenceColumn];
        return reference.Count == 1 && reference.Keys[0].Type == AtomType.Uuid ? idl.GetTable(table.Name).Find(reference.Keys[0].Uuid) : null;
    }
}
