// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.JsonRpc;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Idl;

/// <summary>
/// A set of row changes to commit as one OVSDB <c>transact</c>, built the way the C IDL builds it: <c>wait</c>
/// operations (timeout 0) guarding every verified column, an <c>insert</c> with a <c>uuid-name</c> per new row
/// (references to new rows become <c>named-uuid</c>, forward references included), an <c>update</c> with the
/// changed columns of each modified row, a <c>delete</c> for deleted rows of root tables (other rows are left to
/// the server's garbage collection), <c>mutate</c> + <c>select</c> for an increment, comments and a lock assertion.
/// </summary>
public sealed class IdlTransaction : IDisposable
{
    private readonly OvsdbIdl _idl;
    private readonly List<IdlRow> _touched = [];
    private readonly Dictionary<IdlRow, Dictionary<string, Datum>> _writes = [];
    private readonly Dictionary<Guid, IdlRow> _inserted = [];
    private readonly HashSet<IdlRow> _deleted = [];
    private readonly Dictionary<IdlRow, SortedSet<string>> _verified = [];
    private readonly List<string> _emptyTables = [];
    private readonly List<string> _comments = [];
    private (IdlRow Row, string Column)? _increment;
    private bool _finished;

    internal IdlTransaction(OvsdbIdl idl)
    {
        _idl = idl;
    }

    /// <summary>
    /// Inserts a new, empty row into <paramref name="table"/> and returns it for writing. Its provisional uuid is
    /// <paramref name="provisionalUuid"/> when given (so that references made before the insert can point at it),
    /// otherwise a fresh one; the server assigns the real uuid at commit.
    /// </summary>
    public IdlRow Insert(string table, Guid? provisionalUuid = null)
    {
        CheckOpen();
        IdlTable target = _idl.GetTable(table);
        var row = new IdlRow(target, provisionalUuid ?? Guid.NewGuid(), isNew: true);
        _inserted.Add(row.Uuid, row);
        Touch(row);
        return row;
    }

    /// <summary>Sets a whole column. Writing an existing row's current value is dropped, as in OVS.</summary>
    public void Write(IdlRow row, string column, Datum value)
    {
        CheckOpen();
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(value);
        ColumnSchema schema = row.Table.Schema.FindColumn(column) ?? throw new ArgumentException($"table {row.Table.Name} has no column {column}", nameof(column));
        if (schema.IsReserved)
        {
            throw new ArgumentException($"column {column} cannot be written", nameof(column));
        }
        if (_deleted.Contains(row))
        {
            throw new InvalidOperationException($"{row} was deleted in this transaction");
        }
        Datum typed = value.WithType(schema.Type);
        if (!_writes.TryGetValue(row, out Dictionary<string, Datum>? columns))
        {
            columns = new Dictionary<string, Datum>(StringComparer.Ordinal);
            _writes.Add(row, columns);
        }
        if (!row.IsNew && typed.Equals(row.GetCommitted(column)))
        {
            columns.Remove(column);
        }
        else
        {
            columns[column] = typed;
        }
        Touch(row);
    }

    /// <summary>Deletes a row (a row inserted by this transaction simply disappears).</summary>
    public void Delete(IdlRow row)
    {
        CheckOpen();
        ArgumentNullException.ThrowIfNull(row);
        _writes.Remove(row);
        if (row.IsNew)
        {
            _inserted.Remove(row.Uuid);
            _touched.Remove(row);
            return;
        }
        _deleted.Add(row);
        Touch(row);
    }

    /// <summary>
    /// Makes the commit fail with <see cref="IdlTransactionStatus.TryAgain"/> if the column changed on the server
    /// since it was read: a <c>wait</c> operation with the value this replica holds.
    /// </summary>
    public void Verify(IdlRow row, string column)
    {
        CheckOpen();
        ArgumentNullException.ThrowIfNull(row);
        if (row.IsNew)
        {
            return;
        }
        _ = row.Table.Schema.FindColumn(column) ?? throw new ArgumentException($"table {row.Table.Name} has no column {column}", nameof(column));
        if (!_verified.TryGetValue(row, out SortedSet<string>? columns))
        {
            columns = new SortedSet<string>(StringComparer.Ordinal);
            _verified.Add(row, columns);
        }
        columns.Add(column);
    }

    /// <summary>Makes the commit fail with TryAgain unless <paramref name="table"/> is still empty on the server.</summary>
    public void VerifyTableEmpty(string table)
    {
        CheckOpen();
        _emptyTables.Add(_idl.GetTable(table).Name);
    }

    /// <summary>
    /// Adds 1 to an integer column on the server (<c>mutate +=</c>) and reads the new value back (<c>select</c>),
    /// like <c>ovsdb_idl_txn_increment</c>; ovs-vsctl uses it on <c>Open_vSwitch.next_cfg</c>. The increment alone
    /// does not make a transaction count as a change.
    /// </summary>
    public void Increment(IdlRow row, string column)
    {
        CheckOpen();
        ArgumentNullException.ThrowIfNull(row);
        _increment = (row, column);
    }

    /// <summary>Adds a <c>comment</c> operation (the server logs it with the transaction).</summary>
    public void AddComment(string comment)
    {
        CheckOpen();
        _comments.Add(comment);
    }

    /// <summary>
    /// Sends the transaction and waits for the outcome. Afterwards the transaction is closed and the replica has
    /// applied the server's update for it (the server sends that update before the reply).
    /// </summary>
    public async Task<IdlCommitResult> CommitAsync(CancellationToken cancellationToken = default)
    {
        CheckOpen();
        IdlCommitResult result;
        try
        {
            result = await CommitCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Close();
        }
        _idl.Run();
        return result;
    }

    /// <summary>Abandons the transaction if it was not committed.</summary>
    public void Dispose()
    {
        Close();
    }

    internal bool IsDeleted(IdlRow row) => _deleted.Contains(row);

    internal bool TryGetWritten(IdlRow row, string column, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Datum? value)
    {
        value = null;
        return _writes.TryGetValue(row, out Dictionary<string, Datum>? columns) && columns.TryGetValue(column, out value);
    }

    internal IEnumerable<IdlRow> InsertedRows(IdlTable table) => _touched.Where(r => r.IsNew && r.Table == table && _inserted.ContainsKey(r.Uuid)).ToArray();

    internal IdlRow? FindInserted(IdlTable table, Guid uuid) => _inserted.TryGetValue(uuid, out IdlRow? row) && row.Table == table ? row : null;

    private async Task<IdlCommitResult> CommitCoreAsync(CancellationToken cancellationToken)
    {
        if (_idl.Options.LockName is not null && !_idl.HasLock)
        {
            return new IdlCommitResult(IdlTransactionStatus.NotLocked);
        }
        var ops = new JsonArray();
        foreach ((IdlRow row, SortedSet<string> columns) in _verified)
        {
            var values = new JsonObject();
            foreach (string column in columns)
            {
                values[column] = DatumToJson(row.GetCommitted(column));
            }
            ops.Add((JsonNode)new JsonObject
            {
                ["op"] = "wait",
                ["table"] = row.Table.Name,
                ["timeout"] = 0,
                ["where"] = WhereUuid(row),
                ["until"] = "==",
                ["columns"] = new JsonArray([.. columns.Select(c => JsonValue.Create(c))]),
                ["rows"] = new JsonArray(values),
            });
        }
        foreach (string table in _emptyTables)
        {
            ops.Add((JsonNode)new JsonObject { ["op"] = "wait", ["table"] = table, ["timeout"] = 0, ["where"] = new JsonArray(), ["until"] = "==", ["rows"] = new JsonArray() });
        }
        bool anyUpdates = false;
        var insertIndexes = new Dictionary<int, Guid>();
        foreach (IdlRow row in _touched)
        {
            if (row.IsNew)
            {
                var values = new JsonObject();
                foreach ((string column, Datum value) in _writes.GetValueOrDefault(row) ?? [])
                {
                    values[column] = DatumToJson(value);
                }
                insertIndexes.Add(ops.Count, row.Uuid);
                ops.Add((JsonNode)new JsonObject { ["op"] = "insert", ["table"] = row.Table.Name, ["uuid-name"] = UuidName(row.Uuid), ["row"] = values });
                anyUpdates = true;
            }
            else if (_deleted.Contains(row))
            {
                if (row.Table.Schema.IsRoot)
                {
                    ops.Add((JsonNode)new JsonObject { ["op"] = "delete", ["table"] = row.Table.Name, ["where"] = WhereUuid(row) });
                    anyUpdates = true;
                }
            }
            else if (_writes.TryGetValue(row, out Dictionary<string, Datum>? columns) && columns.Count > 0)
            {
                var values = new JsonObject();
                foreach ((string column, Datum value) in columns)
                {
                    values[column] = DatumToJson(value);
                }
                ops.Add((JsonNode)new JsonObject { ["op"] = "update", ["table"] = row.Table.Name, ["where"] = WhereUuid(row), ["row"] = values });
                anyUpdates = true;
            }
        }
        if (!anyUpdates)
        {
            return new IdlCommitResult(IdlTransactionStatus.Unchanged);
        }
        int incrementSelect = -1;
        if (_increment is { } increment)
        {
            ops.Add((JsonNode)new JsonObject
            {
                ["op"] = "mutate",
                ["table"] = increment.Row.Table.Name,
                ["where"] = WhereUuid(increment.Row),
                ["mutations"] = new JsonArray(new JsonArray(increment.Column, "+=", 1)),
            });
            incrementSelect = ops.Count;
            ops.Add((JsonNode)new JsonObject
            {
                ["op"] = "select",
                ["table"] = increment.Row.Table.Name,
                ["where"] = WhereUuid(increment.Row),
                ["columns"] = new JsonArray(increment.Column),
            });
        }
        foreach (string comment in _comments)
        {
            ops.Add((JsonNode)new JsonObject { ["op"] = "comment", ["comment"] = comment });
        }
        if (_idl.Options.LockName is { } lockName)
        {
            ops.Add((JsonNode)new JsonObject { ["op"] = "assert", ["lock"] = lockName });
        }
        ops.Insert(0, _idl.Options.Database);
        JsonArray @params = ops;
        JsonRpcMessage reply;
        try
        {
            reply = await _idl.TransactAsync(JsonText.ToElement(@params), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The connection went away with the request unanswered: the transaction may or may not have been
            // committed. The caller must wait for the replica to follow a server again and rebuild the transaction
            // from it, so that verified columns decide whether it still applies; it is never resent blindly.
            return new IdlCommitResult(IdlTransactionStatus.TryAgain) { ConnectionLost = true };
        }
        if (reply.Kind == JsonRpcMessageKind.Error || reply.Result is not { ValueKind: JsonValueKind.Array } results)
        {
            return new IdlCommitResult(IdlTransactionStatus.TryAgain);
        }
        return Interpret(results, @params.Count - 1, insertIndexes, incrementSelect);
    }

    private IdlCommitResult Interpret(JsonElement results, int operationCount, Dictionary<int, Guid> insertIndexes, int incrementSelect)
    {
        int hard = 0, soft = 0, notLocked = 0;
        string? firstHardError = null;
        int index = 0;
        foreach (JsonElement result in results.EnumerateArray())
        {
            if (result.ValueKind == JsonValueKind.Object && result.TryGetProperty("error", out JsonElement error) && error.ValueKind == JsonValueKind.String)
            {
                switch (error.GetString())
                {
                    case "timed out":
                        soft++;
                        break;
                    case "cluster error":
                        // The Raft commit failed (leadership lost, server shutting down): nothing of it was applied
                        // by this server's reply, and a rebuilt transaction decides afresh, as with a failed verify.
                        soft++;
                        break;
                    case "not owner":
                        notLocked++;
                        break;
                    case "aborted":
                        break;
                    default:
                        hard++;
                        firstHardError ??= JsonText.Sorted(result);
                        break;
                }
            }
            index++;
        }
        if (index < operationCount && hard + soft + notLocked == 0)
        {
            // A reply shorter than the request without any error is not something a correct server sends.
            hard++;
            firstHardError = "reply has too few operation results";
        }
        if (hard > 0)
        {
            return new IdlCommitResult(IdlTransactionStatus.Error, firstHardError);
        }
        if (notLocked > 0)
        {
            return new IdlCommitResult(IdlTransactionStatus.NotLocked);
        }
        if (soft > 0)
        {
            return new IdlCommitResult(IdlTransactionStatus.TryAgain);
        }
        var inserted = new Dictionary<Guid, Guid>();
        foreach ((int opIndex, Guid provisional) in insertIndexes)
        {
            JsonElement result = results[opIndex];
            if (result.TryGetProperty("uuid", out JsonElement uuid) && uuid.ValueKind == JsonValueKind.Array && uuid.GetArrayLength() == 2
                && Atom.TryParseUuid(uuid[1].GetString() ?? "", out Guid real))
            {
                inserted[provisional] = real;
            }
        }
        long? incremented = null;
        if (incrementSelect >= 0 && results[incrementSelect].TryGetProperty("rows", out JsonElement rows)
            && rows.ValueKind == JsonValueKind.Array && rows.GetArrayLength() == 1
            && rows[0].TryGetProperty(_increment!.Value.Column, out JsonElement value) && value.TryGetInt64(out long number))
        {
            incremented = number;
        }
        return new IdlCommitResult(IdlTransactionStatus.Success, null, incremented, inserted);
    }

    private JsonNode DatumToJson(Datum datum)
    {
        if (datum.IsMap)
        {
            var pairs = new JsonArray();
            for (int i = 0; i < datum.Count; i++)
            {
                pairs.Add((JsonNode)new JsonArray(AtomToJson(datum.Keys[i]), AtomToJson(datum.Values![i])));
            }
            return new JsonArray("map", pairs);
        }
        if (datum.Count == 1)
        {
            return AtomToJson(datum.Keys[0]);
        }
        return new JsonArray("set", new JsonArray([.. datum.Keys.Select(AtomToJson)]));
    }

    private JsonNode AtomToJson(Atom atom)
    {
        if (atom.Type == AtomType.Uuid && _inserted.ContainsKey(atom.Uuid))
        {
            return new JsonArray("named-uuid", UuidName(atom.Uuid));
        }
        return atom.ToJson();
    }

    private JsonArray WhereUuid(IdlRow row)
    {
        JsonNode uuid = row.IsNew ? new JsonArray("named-uuid", UuidName(row.Uuid)) : new JsonArray("uuid", row.Uuid.ToString("D"));
        return new JsonArray(new JsonArray("_uuid", "==", uuid));
    }

    private static string UuidName(Guid uuid) => "row" + uuid.ToString("D").Replace('-', '_');

    private void Touch(IdlRow row)
    {
        if (!_touched.Contains(row))
        {
            _touched.Add(row);
        }
    }

    private void CheckOpen()
    {
        if (_finished)
        {
            throw new InvalidOperationException("the transaction has already been committed or abandoned");
        }
    }

    private void Close()
    {
        if (!_finished)
        {
            _finished = true;
            if (_idl.CurrentTransaction == this)
            {
                _idl.CurrentTransaction = null;
            }
        }
    }
}
