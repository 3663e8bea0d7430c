// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Transactions;

namespace SharpSwitch.Ovsdb.Server;

/// <summary>The three monitor protocols: <c>monitor</c>/<c>update</c>, <c>monitor_cond</c>/<c>update2</c> and <c>monitor_cond_since</c>/<c>update3</c>.</summary>
internal enum MonitorVersion
{
    V1 = 1,
    V2 = 2,
    V3 = 3,
}

/// <summary>What one monitor watches in one table.</summary>
internal sealed class TableMonitor(TableSchema table, IReadOnlyList<ColumnSchema> columns, bool initial, bool insert, bool delete, bool modify, Condition condition)
{
    public TableSchema Table { get; } = table;

    public IReadOnlyList<ColumnSchema> Columns { get; } = columns;

    public bool Initial { get; } = initial;

    public bool Insert { get; } = insert;

    public bool Delete { get; } = delete;

    public bool Modify { get; } = modify;

    public Condition Condition { get; set; } = condition;
}

/// <summary>
/// One monitor of one session: which tables and columns it covers, under which conditions, and how it turns
/// committed changes into <c>update</c>, <c>update2</c> or <c>update3</c> contents. Columns whose values did not
/// change never produce a notification.
/// </summary>
internal sealed class Monitor
{
    public static readonly string ZeroUuid = Guid.Empty.ToString("D");

    public Monitor(JsonElement id, MonitorVersion version, ServedDatabase database, IReadOnlyDictionary<string, TableMonitor> tables)
    {
        Id = id;
        Version = version;
        Database = database;
        Tables = tables;
    }

    public JsonElement Id { get; set; }

    public MonitorVersion Version { get; }

    public ServedDatabase Database { get; }

    public IReadOnlyDictionary<string, TableMonitor> Tables { get; }

    /// <summary>Parses the monitor-requests object of any monitor method.</summary>
    public static Dictionary<string, TableMonitor> ParseRequests(JsonElement requests, DatabaseSchema schema, MonitorVersion version)
    {
        if (requests.ValueKind != JsonValueKind.Object)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(requests), "monitor-requests must be an object");
        }
        var tables = new Dictionary<string, TableMonitor>(StringComparer.Ordinal);
        foreach (JsonProperty tableJson in requests.EnumerateObject())
        {
            TableSchema table = schema.FindTable(tableJson.Name)
                ?? throw new OvsdbException("syntax error", $"no table named {tableJson.Name}");
            var list = tableJson.Value.ValueKind == JsonValueKind.Array ? tableJson.Value.EnumerateArray().ToList() : [tableJson.Value];
            var columns = new List<ColumnSchema>();
            bool initial = false, insert = false, delete = false, modify = false;
            Condition condition = Condition.Always;
            bool conditionSet = false;
            foreach (JsonElement request in list)
            {
                if (request.ValueKind != JsonValueKind.Object)
                {
                    throw OvsdbException.SyntaxError(JsonText.Sorted(request), "monitor-request must be an object");
                }
                foreach (JsonProperty member in request.EnumerateObject())
                {
                    if (member.Name is not ("columns" or "select" or "where") || (member.Name == "where" && version == MonitorVersion.V1))
                    {
                        throw OvsdbException.SyntaxError(JsonText.Sorted(request), $"Parsing monitor request failed: Member '{member.Name}' is present but not allowed here.");
                    }
                }
                if (request.TryGetProperty("columns", out JsonElement columnsJson))
                {
                    if (columnsJson.ValueKind != JsonValueKind.Array)
                    {
                        throw OvsdbException.SyntaxError(JsonText.Sorted(columnsJson), "array of column names expected");
                    }
                    foreach (JsonElement name in columnsJson.EnumerateArray())
                    {
                        ColumnSchema? column = name.ValueKind == JsonValueKind.String ? table.FindColumn(name.GetString()!) : null;
                        if (column is null)
                        {
                            throw OvsdbException.SyntaxError(JsonText.Sorted(columnsJson), $"{(name.ValueKind == JsonValueKind.String ? name.GetString() : JsonText.Compact(name))} is not a valid column name");
                        }
                        if (!columns.Contains(column))
                        {
                            columns.Add(column);
                        }
                    }
                }
                else
                {
                    foreach (ColumnSchema column in table.Columns.Where(c => !columns.Contains(c)))
                    {
                        columns.Add(column);
                    }
                }
                bool i = true, n = true, d = true, m = true;
                if (request.TryGetProperty("select", out JsonElement select))
                {
                    if (select.ValueKind != JsonValueKind.Object)
                    {
                        throw OvsdbException.SyntaxError(JsonText.Sorted(select), "select must be an object");
                    }
                    i = ReadFlag(select, "initial");
                    n = ReadFlag(select, "insert");
                    d = ReadFlag(select, "delete");
                    m = ReadFlag(select, "modify");
                }
                initial |= i;
                insert |= n;
                delete |= d;
                modify |= m;
                if (request.TryGetProperty("where", out JsonElement where) && !conditionSet)
                {
                    condition = Condition.Parse(where, table, null);
                    conditionSet = true;
                }
            }
            tables[table.Name] = new TableMonitor(table, columns, initial, insert, delete, modify, condition);
        }
        return tables;
    }

    private static bool ReadFlag(JsonElement select, string name)
    {
        if (!select.TryGetProperty(name, out JsonElement value))
        {
            return true;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw OvsdbException.SyntaxError(JsonText.Sorted(select), $"\"{name}\" must be a boolean"),
        };
    }

    /// <summary>
    /// The initial contents for the monitor reply. The matching rows are picked now, and written straight from the
    /// (immutable) rows when the reply is sent: as a tree of nodes, the initial contents of a monitor on a bridge with
    /// 1000 ports, which every ovs-vsctl sets up, were most of what the server allocated per request.
    /// </summary>
    public JsonNode Initial()
    {
        var tables = new List<(TableMonitor Table, Row[] Rows)>();
        foreach (TableMonitor table in Tables.Values)
        {
            if (!table.Initial)
            {
                continue;
            }
            Row[] rows = [.. Database.Database.Rows(table.Table).Values.Where(table.Condition.Matches)];
            if (rows.Length > 0)
            {
                tables.Add((table, rows));
            }
        }
        return WrittenJson.Node(new InitialRows(tables, Version));
    }

    /// <summary>Writes <c>{"TABLE": {"UUID": {"new"|"initial": {COLUMN: VALUE, ...}}, ...}, ...}</c>.</summary>
    private sealed class InitialRows(List<(TableMonitor Table, Row[] Rows)> tables, MonitorVersion version) : IJsonWritable
    {
        public void WriteJson(Utf8JsonWriter writer)
        {
            Span<char> uuid = stackalloc char[36];
            writer.WriteStartObject();
            foreach ((TableMonitor table, Row[] rows) in tables)
            {
                writer.WritePropertyName(table.Table.Name);
                writer.WriteStartObject();
                foreach (Row row in rows)
                {
                    row.Uuid.TryFormat(uuid, out int written, "D");
                    writer.WritePropertyName(uuid[..written]);
                    writer.WriteStartObject();
                    // Version 1 sends every monitored column as "new"; later versions only those not at their default.
                    writer.WritePropertyName(version == MonitorVersion.V1 ? "new" : "initial");
                    row.WriteJson(writer, table.Columns, skipDefaults: version != MonitorVersion.V1);
                    writer.WriteEndObject();
                }
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
    }

    /// <summary>The table-updates for a committed change set, or null when nothing this monitor watches changed.</summary>
    public JsonObject? Updates(ChangeSet changes)
    {
        if (changes.IsEmpty)
        {
            return null;
        }
        var updates = new JsonObject();
        foreach (RowChange change in changes.Changes)
        {
            if (!Tables.TryGetValue(change.Table.Name, out TableMonitor? table))
            {
                continue;
            }
            JsonObject? update = RowUpdate(table, change.Old, change.New);
            if (update is null)
            {
                continue;
            }
            if (updates[table.Table.Name] is not JsonObject rows)
            {
                rows = [];
                updates[table.Table.Name] = rows;
            }
            rows[change.Uuid.ToString("D")] = update;
        }
        return updates.Count == 0 ? null : updates;
    }

    private JsonObject? RowUpdate(TableMonitor table, Row? old, Row? current)
    {
        bool oldMatches = old is not null && table.Condition.Matches(old);
        bool newMatches = current is not null && table.Condition.Matches(current);
        if (!oldMatches && newMatches)
        {
            if (!table.Insert)
            {
                return null;
            }
            return Version == MonitorVersion.V1
                ? new JsonObject { ["new"] = current!.ToJson(table.Columns) }
                : new JsonObject { ["insert"] = NonDefault(current!, table.Columns) };
        }
        if (oldMatches && !newMatches)
        {
            if (!table.Delete)
            {
                return null;
            }
            return Version == MonitorVersion.V1
                ? new JsonObject { ["old"] = old!.ToJson(table.Columns) }
                : new JsonObject { ["delete"] = null };
        }
        if (!oldMatches || !table.Modify)
        {
            return null;
        }
        var changed = table.Columns.Where(c => !old!.Get(c).Equals(current!.Get(c))).ToList();
        if (changed.Count == 0)
        {
            return null;
        }
        if (Version == MonitorVersion.V1)
        {
            return new JsonObject { ["new"] = current!.ToJson(table.Columns), ["old"] = old!.ToJson(changed) };
        }
        var diff = new JsonObject();
        foreach (ColumnSchema column in changed)
        {
            Datum before = old!.Get(column);
            Datum after = current!.Get(column);
            diff[column.Name] = (column.Type.Max == 1 ? after : after.DiffFrom(before)).ToJson();
        }
        return new JsonObject { ["modify"] = diff };
    }

    private static JsonObject NonDefault(Row row, IEnumerable<ColumnSchema> columns)
    {
        var json = new JsonObject();
        foreach (ColumnSchema column in columns)
        {
            Datum value = row.Get(column);
            if (!value.IsDefault)
            {
                json[column.Name] = value.ToJson();
            }
        }
        return json;
    }

    /// <summary>
    /// Replaces the conditions (<c>monitor_cond_change</c>) and returns the resulting update: rows that stop matching
    /// are deleted, rows that start matching are inserted.
    /// </summary>
    public JsonObject ChangeConditions(IReadOnlyDictionary<string, Condition> conditions)
    {
        var updates = new JsonObject();
        foreach ((string tableName, Condition condition) in conditions)
        {
            TableMonitor table = Tables[tableName];
            Condition before = table.Condition;
            table.Condition = condition;
            var rows = new JsonObject();
            foreach (Row row in Database.Database.Rows(table.Table).Values)
            {
                bool was = before.Matches(row);
                bool now = condition.Matches(row);
                if (was && !now)
                {
                    rows[row.Uuid.ToString("D")] = new JsonObject { ["delete"] = null };
                }
                else if (!was && now)
                {
                    rows[row.Uuid.ToString("D")] = new JsonObject { ["insert"] = NonDefault(row, table.Columns) };
                }
            }
            if (rows.Count > 0)
            {
                updates[table.Table.Name] = rows;
            }
        }
        return updates;
    }
}
