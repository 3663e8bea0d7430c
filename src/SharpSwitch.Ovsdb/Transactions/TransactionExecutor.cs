// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Transactions;

/// <summary>What the executor needs to know about the session and the clock.</summary>
/// <param name="OwnsLock">Answers whether the session holds a lock, for <c>assert</c>.</param>
/// <param name="NowMs">The current time in milliseconds (virtual in tests).</param>
/// <param name="StartedMs">When the request first arrived; a blocked <c>wait</c> times out relative to it.</param>
public sealed record TransactionContext(Func<string, bool> OwnsLock, long NowMs, long StartedMs);

/// <summary>The outcome of executing a <c>transact</c> request.</summary>
public sealed class TransactResult
{
    internal TransactResult(JsonArray? reply, ChangeSet? changes, long? retryDeadlineMs, bool mustWait)
    {
        Reply = reply;
        Changes = changes;
        RetryDeadlineMs = retryDeadlineMs;
        MustWait = mustWait;
    }

    /// <summary>The result array, aligned with the operations; null while the request must wait.</summary>
    public JsonArray? Reply { get; }

    /// <summary>The checked changes to make durable and apply, or null when the transaction failed or must wait.</summary>
    public ChangeSet? Changes { get; }

    /// <summary>True when a <c>wait</c> with a timeout is not yet satisfied: retry after the next commit.</summary>
    public bool MustWait { get; }

    /// <summary>When waiting, the time at which the request fails with "timed out"; null for no limit.</summary>
    public long? RetryDeadlineMs { get; }
}

/// <summary>
/// Runs the operations of one <c>transact</c> request against a database (RFC 7047 section 5.2 with OVS's
/// behaviour): each operation's result in order, <c>null</c> after the first failure, and an extra element when
/// the commit itself fails. The executor never touches the database; the caller makes
/// <see cref="TransactResult.Changes"/> durable and then applies it.
/// </summary>
public static class TransactionExecutor
{
    private sealed class WaitPending(long? deadline) : Exception
    {
        public long? Deadline { get; } = deadline;
    }

    /// <summary>Executes the operations (the <c>transact</c> params after the database name).</summary>
    public static TransactResult Execute(Database database, IReadOnlyList<JsonElement> operations, TransactionContext context)
    {
        var txn = new Transaction(database);
        var symbols = new SymbolTable();
        var results = new JsonArray();
        bool failed = false;
        for (int i = 0; i < operations.Count; i++)
        {
            if (failed)
            {
                results.Add(null);
                continue;
            }
            try
            {
                results.Add(ExecuteOne(txn, symbols, operations[i], i + 1, operations.Count, context));
            }
            catch (WaitPending pending)
            {
                return new TransactResult(null, null, pending.Deadline, mustWait: true);
            }
            catch (OvsdbException error)
            {
                results.Add((JsonNode)error.ToJson());
                failed = true;
            }
            catch (InvalidOperationException)
            {
                // System.Text.Json refuses member names and strings that escape lone surrogates.
                results.Add((JsonNode)OvsdbException.SyntaxError(null, $"ovsdb operation {i + 1} of {operations.Count} contains a string that is not valid Unicode").ToJson());
                failed = true;
            }
        }
        if (failed)
        {
            return new TransactResult(results, null, null, mustWait: false);
        }
        try
        {
            ChangeSet changes = CommitChecker.Check(txn);
            return new TransactResult(results, changes, null, mustWait: false);
        }
        catch (OvsdbException error)
        {
            results.Add((JsonNode)error.ToJson());
            return new TransactResult(results, null, null, mustWait: false);
        }
    }

    private static JsonNode ExecuteOne(Transaction txn, SymbolTable symbols, JsonElement operation, int number, int count, TransactionContext context)
    {
        if (operation.ValueKind != JsonValueKind.Object)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(operation), $"ovsdb operation {number} of {count} is not an object");
        }
        var reader = new OperationReader(operation, number, count);
        string op = reader.RequiredString("op");
        JsonNode result = op switch
        {
            "insert" => Insert(txn, symbols, reader),
            "select" => Select(txn, symbols, reader),
            "update" => Update(txn, symbols, reader),
            "mutate" => Mutate(txn, symbols, reader),
            "delete" => Delete(txn, symbols, reader),
            "wait" => Wait(txn, symbols, reader, context),
            "commit" => Commit(reader),
            "abort" => Abort(reader),
            "comment" => Comment(txn, reader),
            "assert" => Assert(reader, context),
            _ => throw new OvsdbException("unknown operation", $"No operation \"{op}\"", JsonText.Sorted(operation)),
        };
        reader.Finish();
        return result;
    }

    private static void CheckWritable(Transaction txn, string op)
    {
        if (txn.Database.ReadOnlyReason is string reason)
        {
            throw new OvsdbException("not allowed", $"{op} operation not allowed on table in {reason}");
        }
    }

    private static JsonNode Insert(Transaction txn, SymbolTable symbols, OperationReader reader)
    {
        TableSchema table = reader.Table(txn.Database.Schema);
        JsonElement? uuidName = reader.Optional("uuid-name", JsonValueKind.String);
        JsonElement? explicitUuid = reader.Optional("uuid", JsonValueKind.String);
        JsonElement? rowJson = reader.Optional("row", JsonValueKind.Object);
        CheckWritable(txn, "insert");
        Guid uuid;
        if (explicitUuid is JsonElement given)
        {
            if (!Atom.TryParseUuid(given.GetString()!, out uuid))
            {
                throw reader.Error("Type mismatch for member 'uuid'.");
            }
        }
        else
        {
            uuid = Guid.NewGuid();
        }
        if (uuidName is JsonElement nameJson)
        {
            string name = nameJson.GetString()!;
            if (!Identifiers.IsId(name))
            {
                throw reader.Error("Type mismatch for member 'uuid-name'.");
            }
            SymbolTable.Symbol symbol = symbols.Insert(name);
            if (symbol.Created)
            {
                throw new OvsdbException("duplicate uuid-name", "This \"uuid-name\" appeared on an earlier \"insert\" operation.", JsonText.Sorted(nameJson));
            }
            symbol.Created = true;
            if (explicitUuid is not null)
            {
                symbol.Uuid = uuid;
            }
            else
            {
                uuid = symbol.Uuid;
            }
        }
        if (txn.UuidInUse(table, uuid))
        {
            throw new OvsdbException("duplicate uuid", $"This UUID would duplicate a UUID already present within the table or deleted within the same transaction.", JsonText.Sorted(explicitUuid ?? reader.Operation));
        }
        Row row = Row.CreateDefault(table, uuid);
        if (rowJson is JsonElement values)
        {
            row = ApplyRowJson(row, values, symbols, allowReserved: false);
        }
        txn.Put(row);
        return new JsonObject { ["uuid"] = new JsonArray("uuid", uuid.ToString("D")) };
    }

    private static Row ApplyRowJson(Row row, JsonElement json, SymbolTable? symbols, bool allowReserved)
    {
        Datum[] values = row.CopyValues();
        foreach (JsonProperty property in json.EnumerateObject())
        {
            ColumnSchema? column = row.Table.FindColumn(property.Name);
            if (column is null || (column.IsReserved && !allowReserved))
            {
                throw new OvsdbException("unknown column", $"No column {property.Name} in table {row.Table.Name}.", JsonText.Sorted(json));
            }
            if (column.IsReserved)
            {
                continue;
            }
            values[column.Ordinal] = Datum.FromJson(property.Value, column.Type, symbols);
        }
        return row.WithValues(values);
    }

    private static IEnumerable<Row> Query(Transaction txn, TableSchema table, Condition condition)
    {
        if (condition.PinnedUuid() is Guid uuid)
        {
            Row? row = txn.Find(table, uuid);
            return row is not null && condition.Matches(row) ? [row] : [];
        }
        return txn.Scan(table).Where(condition.Matches).ToList();
    }

    private static IReadOnlyList<ColumnSchema> ParseColumns(JsonElement? json, TableSchema table)
    {
        if (json is not JsonElement list)
        {
            return [TableSchema.UuidColumn, TableSchema.VersionColumn, .. table.Columns];
        }
        var columns = new List<ColumnSchema>();
        foreach (JsonElement name in list.EnumerateArray())
        {
            ColumnSchema? column = name.ValueKind == JsonValueKind.String ? table.FindColumn(name.GetString()!) : null;
            if (column is null)
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(list), $"{(name.ValueKind == JsonValueKind.String ? name.GetString() : JsonText.Compact(name))} is not a valid column name");
            }
            if (!columns.Contains(column))
            {
                columns.Add(column);
            }
        }
        return columns;
    }

    private static JsonNode Select(Transaction txn, SymbolTable symbols, OperationReader reader)
    {
        TableSchema table = reader.Table(txn.Database.Schema);
        Condition condition = Condition.Parse(reader.Required("where", JsonValueKind.Array), table, symbols);
        IReadOnlyList<ColumnSchema> columns = ParseColumns(reader.Optional("columns", JsonValueKind.Array), table);
        var rows = new JsonArray();
        foreach (Row row in Query(txn, table, condition))
        {
            rows.Add((JsonNode)row.ToJson(columns));
        }
        return new JsonObject { ["rows"] = rows };
    }

    private static JsonNode Update(Transaction txn, SymbolTable symbols, OperationReader reader)
    {
        TableSchema table = reader.Table(txn.Database.Schema);
        Condition condition = Condition.Parse(reader.Required("where", JsonValueKind.Array), table, symbols);
        JsonElement rowJson = reader.Required("row", JsonValueKind.Object);
        CheckWritable(txn, "update");
        var updates = new List<(ColumnSchema Column, Datum Value)>();
        foreach (JsonProperty property in rowJson.EnumerateObject())
        {
            ColumnSchema? column = table.FindColumn(property.Name);
            if (column is null || column.IsReserved)
            {
                throw new OvsdbException("unknown column", $"No column {property.Name} in table {table.Name}.", JsonText.Sorted(rowJson));
            }
            updates.Add((column, Datum.FromJson(property.Value, column.Type, symbols)));
        }
        foreach ((ColumnSchema column, Datum _) in updates)
        {
            if (!column.Mutable)
            {
                throw new OvsdbException("constraint violation", $"Cannot update immutable column {column.Name} in table {table.Name}.", JsonText.Sorted(reader.Operation));
            }
        }
        int count = 0;
        foreach (Row row in Query(txn, table, condition))
        {
            Datum[] values = row.CopyValues();
            foreach ((ColumnSchema column, Datum value) in updates)
            {
                values[column.Ordinal] = value;
            }
            txn.Put(row.WithValues(values));
            count++;
        }
        return new JsonObject { ["count"] = count };
    }

    private static JsonNode Mutate(Transaction txn, SymbolTable symbols, OperationReader reader)
    {
        TableSchema table = reader.Table(txn.Database.Schema);
        Condition condition = Condition.Parse(reader.Required("where", JsonValueKind.Array), table, symbols);
        IReadOnlyList<Mutation> mutations = Mutation.ParseList(reader.Required("mutations", JsonValueKind.Array), table, symbols);
        CheckWritable(txn, "mutate");
        int count = 0;
        foreach (Row row in Query(txn, table, condition))
        {
            Datum[] values = row.CopyValues();
            foreach (Mutation mutation in mutations)
            {
                values[mutation.Column.Ordinal] = mutation.Apply(values[mutation.Column.Ordinal]);
            }
            txn.Put(row.WithValues(values));
            count++;
        }
        return new JsonObject { ["count"] = count };
    }

    private static JsonNode Delete(Transaction txn, SymbolTable symbols, OperationReader reader)
    {
        TableSchema table = reader.Table(txn.Database.Schema);
        Condition condition = Condition.Parse(reader.Required("where", JsonValueKind.Array), table, symbols);
        CheckWritable(txn, "delete");
        int count = 0;
        foreach (Row row in Query(txn, table, condition).ToList())
        {
            txn.Delete(table, row.Uuid);
            count++;
        }
        return new JsonObject { ["count"] = count };
    }

    private static JsonNode Wait(Transaction txn, SymbolTable symbols, OperationReader reader, TransactionContext context)
    {
        TableSchema table = reader.Table(txn.Database.Schema);
        JsonElement? timeoutJson = reader.Optional("timeout", JsonValueKind.Number);
        Condition condition = Condition.Parse(reader.Required("where", JsonValueKind.Array), table, symbols);
        // ovs-vsctl leaves "columns" out when it only checks that a table is empty; then every column counts.
        JsonElement? columnsJson = reader.Optional("columns", JsonValueKind.Array);
        IReadOnlyList<ColumnSchema> columns = columnsJson is null ? table.Columns : ParseColumns(columnsJson, table);
        string until = reader.RequiredString("until");
        JsonElement rowsJson = reader.Required("rows", JsonValueKind.Array);
        if (until is not ("==" or "!="))
        {
            throw reader.Error($"\"until\" must be \"==\" or \"!=\"");
        }
        long? timeout = null;
        if (timeoutJson is JsonElement t)
        {
            if (!JsonText.IsIntegerToken(t) || !t.TryGetInt64(out long ms) || ms < 0)
            {
                throw reader.Error("Type mismatch for member 'timeout'.");
            }
            timeout = ms;
        }
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonElement rowJson in rowsJson.EnumerateArray())
        {
            if (rowJson.ValueKind != JsonValueKind.Object)
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(rowJson), "Object expected");
            }
            Row parsed = ApplyRowJson(Row.CreateDefault(table, Guid.Empty), rowJson, symbols, allowReserved: true);
            expected.Add(Project(parsed, columns, rowJson));
        }
        var actual = new HashSet<string>(StringComparer.Ordinal);
        foreach (Row row in Query(txn, table, condition))
        {
            actual.Add(Project(row, columns, null));
        }
        bool holds = actual.SetEquals(expected) == (until == "==");
        if (holds)
        {
            return new JsonObject();
        }
        if (timeout == 0)
        {
            throw new OvsdbException("timed out", "\"where\" clause test failed");
        }
        long elapsed = context.NowMs - context.StartedMs;
        if (timeout is long limit && elapsed >= limit)
        {
            throw new OvsdbException("timed out", $"\"wait\" timed out after {elapsed} ms");
        }
        throw new WaitPending(timeout is long l ? context.StartedMs + l : null);
    }

    private static string Project(Row row, IReadOnlyList<ColumnSchema> columns, JsonElement? given)
    {
        var parts = new List<string>();
        foreach (ColumnSchema column in columns)
        {
            if (column.IsReserved && given is JsonElement g)
            {
                parts.Add(g.TryGetProperty(column.Name, out JsonElement value) ? JsonText.Compact(Datum.FromJson(value, column.Type).ToJson()) : "");
                continue;
            }
            parts.Add(JsonText.Compact(row.Get(column).ToJson()));
        }
        return string.Join('\u0001', parts);
    }

    private static JsonNode Commit(OperationReader reader)
    {
        reader.Required("durable", JsonValueKind.True, JsonValueKind.False);
        // Every commit is made durable with fsync before its reply, so "durable" needs nothing extra.
        return new JsonObject();
    }

    private static JsonNode Abort(OperationReader reader)
    {
        reader.Finish();
        throw new OvsdbException("aborted", "aborted by request");
    }

    private static JsonNode Comment(Transaction txn, OperationReader reader)
    {
        txn.AddComment(reader.RequiredString("comment"));
        return new JsonObject();
    }

    private static JsonNode Assert(OperationReader reader, TransactionContext context)
    {
        string lockName = reader.RequiredId("lock");
        if (!context.OwnsLock(lockName))
        {
            throw new OvsdbException("not owner", $"Asserted lock {lockName} not held.");
        }
        return new JsonObject();
    }
}
