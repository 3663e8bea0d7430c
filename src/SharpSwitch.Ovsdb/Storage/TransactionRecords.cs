// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Transactions;

namespace SharpSwitch.Ovsdb.Storage;

/// <summary>
/// Converts between committed change sets and the JSON of transaction records, as OVS 3.1 writes them:
/// <c>{"&lt;table&gt;":{"&lt;uuid&gt;":row|null},"_date":ms,"_comment":"...","_is_diff":true}</c>. New rows carry
/// their non-default persistent columns; modified rows carry only changed persistent columns, as diffs.
/// Ephemeral columns are never written.
/// </summary>
internal static class TransactionRecords
{
    /// <summary>Writes a change set as record JSON, or returns null when nothing persistent changed.</summary>
    public static byte[]? Serialize(ChangeSet changes, long dateMs, string? commentOverride = null)
    {
        using var stream = new MemoryStream();
        bool wroteAny = false;
        using (var writer = new Utf8JsonWriter(stream, JsonText.CompactWriter))
        {
            writer.WriteStartObject();
            foreach (IGrouping<TableSchema, RowChange> table in changes.Changes.GroupBy(c => c.Table))
            {
                bool tableOpen = false;
                foreach (RowChange change in table)
                {
                    var columns = new List<(ColumnSchema Column, Datum Value)>();
                    if (change.New is not null)
                    {
                        foreach (ColumnSchema column in table.Key.Columns)
                        {
                            if (column.Ephemeral)
                            {
                                continue;
                            }
                            Datum value = change.New.Get(column);
                            if (change.Old is null)
                            {
                                if (!value.IsDefault)
                                {
                                    columns.Add((column, value));
                                }
                            }
                            else
                            {
                                Datum old = change.Old.Get(column);
                                if (!old.Equals(value))
                                {
                                    columns.Add((column, column.Type.Max == 1 ? value : value.DiffFrom(old)));
                                }
                            }
                        }
                        if (change.Old is not null && columns.Count == 0)
                        {
                            // Only ephemeral columns changed: there is nothing to persist for this row.
                            continue;
                        }
                    }
                    if (!tableOpen)
                    {
                        writer.WritePropertyName(table.Key.Name);
                        writer.WriteStartObject();
                        tableOpen = true;
                    }
                    writer.WritePropertyName(change.Uuid.ToString("D"));
                    if (change.New is null)
                    {
                        writer.WriteNullValue();
                    }
                    else
                    {
                        writer.WriteStartObject();
                        foreach ((ColumnSchema column, Datum value) in columns)
                        {
                            writer.WritePropertyName(column.Name);
                            value.WriteJson(writer);
                        }
                        writer.WriteEndObject();
                    }
                    wroteAny = true;
                }
                if (tableOpen)
                {
                    writer.WriteEndObject();
                }
            }
            writer.WriteNumber("_date", dateMs);
            string? comment = commentOverride ?? changes.Comment;
            if (!string.IsNullOrEmpty(comment))
            {
                writer.WriteString("_comment", comment);
            }
            writer.WriteBoolean("_is_diff", true);
            writer.WriteEndObject();
        }
        return wroteAny ? stream.ToArray() : null;
    }

    /// <summary>Writes the whole database as one snapshot record (used by compaction).</summary>
    public static byte[] Snapshot(Database database, long dateMs, string comment)
    {
        var changes = new List<RowChange>();
        foreach (TableSchema table in database.Schema.Tables)
        {
            foreach (Row row in database.Rows(table).Values)
            {
                changes.Add(new RowChange(table, row.Uuid, null, row));
            }
        }
        return Serialize(new ChangeSet(changes, comment), dateMs) ?? EmptySnapshot(dateMs, comment);
    }

    private static byte[] EmptySnapshot(long dateMs, string comment)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, JsonText.CompactWriter))
        {
            writer.WriteStartObject();
            writer.WriteNumber("_date", dateMs);
            writer.WriteString("_comment", comment);
            writer.WriteBoolean("_is_diff", true);
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>
    /// Replays one record onto the database. A row object whose uuid is unknown is an insert; otherwise its
    /// columns are diffs (or full values in files written without <c>_is_diff</c>).
    /// </summary>
    public static void Replay(Database database, JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new OvsdbException("syntax error", "transaction record is not a JSON object");
        }
        bool isDiff = record.TryGetProperty("_is_diff", out JsonElement diffFlag) && diffFlag.ValueKind == JsonValueKind.True;
        var changes = new List<RowChange>();
        foreach (JsonProperty tableJson in record.EnumerateObject())
        {
            if (tableJson.Name.StartsWith('_'))
            {
                continue;
            }
            TableSchema table = database.Schema.FindTable(tableJson.Name)
                ?? throw new OvsdbException("syntax error", $"No table named {tableJson.Name}.");
            if (tableJson.Value.ValueKind != JsonValueKind.Object)
            {
                throw new OvsdbException("syntax error", $"table {table.Name} in transaction record is not an object");
            }
            foreach (JsonProperty rowJson in tableJson.Value.EnumerateObject())
            {
                if (!Atom.TryParseUuid(rowJson.Name, out Guid uuid))
                {
                    throw new OvsdbException("syntax error", $"\"{rowJson.Name}\" is not a valid UUID");
                }
                Row? old = database.Find(table, uuid);
                if (rowJson.Value.ValueKind == JsonValueKind.Null)
                {
                    if (old is not null)
                    {
                        changes.Add(new RowChange(table, uuid, old, null));
                    }
                    continue;
                }
                if (rowJson.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new OvsdbException("syntax error", $"row {uuid} in transaction record is not an object or null");
                }
                Row row = old ?? Row.CreateDefault(table, uuid);
                Datum[] values = row.CopyValues();
                foreach (JsonProperty columnJson in rowJson.Value.EnumerateObject())
                {
                    ColumnSchema column = table.FindColumn(columnJson.Name) is { IsReserved: false } found
                        ? found
                        : throw new OvsdbException("syntax error", $"No column {columnJson.Name} in table {table.Name}.");
                    bool applyDiff = old is not null && isDiff && column.Type.Max > 1 && !values[column.Ordinal].IsDefault;
                    if (applyDiff)
                    {
                        Datum diff = Datum.FromJson(columnJson.Value, column.Type.WithoutSizeLimits());
                        values[column.Ordinal] = values[column.Ordinal].ApplyDiff(diff).WithType(column.Type);
                    }
                    else
                    {
                        values[column.Ordinal] = Datum.FromJson(columnJson.Value, column.Type.WithoutSizeLimits()).WithType(column.Type);
                    }
                }
                Row updated = old is null ? row.WithValues(values) : row.WithValues(values).WithVersion(Guid.NewGuid());
                changes.Add(new RowChange(table, uuid, old, updated));
            }
        }
        database.Apply(new ChangeSet(changes, null));
    }
}
