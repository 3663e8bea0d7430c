// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Idl;

public sealed partial class OvsdbIdl
{
    /// <summary>Replaces the whole replica with the initial contents of a new monitor.</summary>
    private void ApplyReset(JsonElement updates, int version, List<IdlRowChange> changes)
    {
        var before = new HashSet<(string, Guid)>();
        foreach (IdlTable table in _tables.Values)
        {
            foreach (IdlRow row in table.Rows)
            {
                before.Add((table.Name, row.Uuid));
            }
            table.Clear();
        }
        ApplyTableUpdates(updates, version, changes);
        foreach (IdlRowChange change in changes)
        {
            before.Remove((change.Table, change.Uuid));
        }
        foreach ((string table, Guid uuid) in before)
        {
            changes.Add(new IdlRowChange(table, uuid, IdlChangeKind.Delete, []));
        }
    }

    /// <summary>
    /// Applies <c>&lt;table-updates&gt;</c> (version 1: <c>old</c>/<c>new</c> with whole values) or
    /// <c>&lt;table-updates2&gt;</c> (version 2, used by <c>update2</c> and <c>update3</c>: <c>initial</c>,
    /// <c>insert</c>, <c>modify</c> with diffs, <c>delete</c>).
    /// </summary>
    private void ApplyTableUpdates(JsonElement updates, int version, List<IdlRowChange> changes)
    {
        if (updates.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        foreach (JsonProperty tableUpdate in updates.EnumerateObject())
        {
            if (FindTable(tableUpdate.Name) is not { } table || tableUpdate.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            foreach (JsonProperty rowUpdate in tableUpdate.Value.EnumerateObject())
            {
                if (!Atom.TryParseUuid(rowUpdate.Name, out Guid uuid) || rowUpdate.Value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }
                IdlRowChange? change = version == 1
                    ? ApplyRowUpdate1(table, uuid, rowUpdate.Value)
                    : ApplyRowUpdate2(table, uuid, rowUpdate.Value);
                if (change is not null)
                {
                    changes.Add(change);
                }
            }
        }
    }

    private static IdlRowChange? ApplyRowUpdate1(IdlTable table, Guid uuid, JsonElement update)
    {
        if (update.TryGetProperty("new", out JsonElement newValues) && newValues.ValueKind == JsonValueKind.Object)
        {
            IdlRow? row = table.FindCommitted(uuid);
            IdlChangeKind kind = row is null ? IdlChangeKind.Insert : IdlChangeKind.Modify;
            row ??= table.AddCommitted(uuid);
            List<string> columns = SetColumns(row, newValues, asDiff: false);
            return new IdlRowChange(table.Name, uuid, kind, columns);
        }
        return Delete(table, uuid);
    }

    private static IdlRowChange? ApplyRowUpdate2(IdlTable table, Guid uuid, JsonElement update)
    {
        foreach (JsonProperty member in update.EnumerateObject())
        {
            switch (member.Name)
            {
                case "initial" or "insert":
                    {
                        IdlRow? row = table.FindCommitted(uuid);
                        if (row is null)
                        {
                            row = table.AddCommitted(uuid);
                        }
                        else
                        {
                            row.ClearCommitted();
                        }
                        List<string> columns = member.Value.ValueKind == JsonValueKind.Object ? SetColumns(row, member.Value, asDiff: false) : [];
                        return new IdlRowChange(table.Name, uuid, IdlChangeKind.Insert, columns);
                    }
                case "modify":
                    {
                        if (table.FindCommitted(uuid) is not { } row || member.Value.ValueKind != JsonValueKind.Object)
                        {
                            // A modify for a row we never saw means the replica is out of step; the server's next
                            // full update repairs it, so the stray diff is dropped rather than guessed at.
                            return null;
                        }
                        return new IdlRowChange(table.Name, uuid, IdlChangeKind.Modify, SetColumns(row, member.Value, asDiff: true));
                    }
                case "delete":
                    return Delete(table, uuid);
            }
        }
        return null;
    }

    private static IdlRowChange? Delete(IdlTable table, Guid uuid)
    {
        if (table.FindCommitted(uuid) is null)
        {
            return null;
        }
        table.RemoveCommitted(uuid);
        return new IdlRowChange(table.Name, uuid, IdlChangeKind.Delete, []);
    }

    /// <summary>
    /// Stores the columns of a row object. A diff replaces the value of a column holding at most one element and is
    /// applied as a toggle to sets and maps, as update2 specifies.
    /// </summary>
    private static List<string> SetColumns(IdlRow row, JsonElement values, bool asDiff)
    {
        var changed = new List<string>();
        foreach (JsonProperty column in values.EnumerateObject())
        {
            ColumnSchema? schema = row.Table.Schema.FindColumn(column.Name);
            if (schema is null || schema.IsReserved)
            {
                continue;
            }
            Datum value;
            if (asDiff && (schema.Type.IsMap || schema.Type.Max > 1))
            {
                Datum diff = Datum.FromJson(column.Value, schema.Type.Unconstrained());
                value = row.GetCommitted(column.Name).ApplyDiff(diff.WithType(schema.Type));
            }
            else
            {
                value = Datum.FromJson(column.Value, schema.Type.Unconstrained()).WithType(schema.Type);
            }
            row.SetCommitted(column.Name, value);
            changed.Add(column.Name);
        }
        return changed;
    }
}
