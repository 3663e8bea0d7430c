// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.JsonRpc;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Transactions;

namespace SharpSwitch.Ovsdb.Server;

/// <summary>
/// The OVSDB server protocol as a sans-I/O engine: it takes one incoming message at a time (with the current time)
/// and answers by queueing messages on sessions. Transport, timers and threads live in <see cref="OvsdbServer"/>.
/// The caller must not call it concurrently.
/// </summary>
public sealed class OvsdbServerEngine
{
    private delegate void MethodHandler(OvsdbSession session, JsonElement id, JsonElement @params, long now);

    private readonly Dictionary<string, ServedDatabase> _databases = new(StringComparer.Ordinal);
    private readonly List<OvsdbSession> _sessions = [];
    private readonly LockTable _locks = new();
    private readonly Dictionary<string, MethodHandler> _methods;
    private readonly Action<string> _log;

    /// <summary>Creates an engine serving the given databases plus <c>_Server</c>.</summary>
    public OvsdbServerEngine(IEnumerable<ServedDatabase> databases, Action<string>? log = null)
    {
        _log = log ?? (_ => { });
        foreach (ServedDatabase database in databases)
        {
            _databases.Add(database.Name, database);
        }
        _databases.Add(ServerDatabase.Name, new ServedDatabase(ServerDatabase.Build(_databases.Values.Select(d => d.Database.Schema))));
        ServerId = Guid.NewGuid();
        // Methods are data: one entry per JSON-RPC method the server implements.
        _methods = new Dictionary<string, MethodHandler>(StringComparer.Ordinal)
        {
            ["list_dbs"] = ListDbs,
            ["get_schema"] = GetSchema,
            ["get_server_id"] = GetServerId,
            ["transact"] = Transact,
            ["monitor"] = (s, id, p, now) => StartMonitor(s, id, p, MonitorVersion.V1, "monitor"),
            ["monitor_cond"] = (s, id, p, now) => StartMonitor(s, id, p, MonitorVersion.V2, "monitor_cond"),
            ["monitor_cond_since"] = (s, id, p, now) => StartMonitor(s, id, p, MonitorVersion.V3, "monitor_cond_since"),
            ["monitor_cond_change"] = MonitorCondChange,
            ["monitor_cancel"] = MonitorCancel,
            ["lock"] = (s, id, p, now) => Lock(s, id, p, steal: false),
            ["steal"] = (s, id, p, now) => Lock(s, id, p, steal: true),
            ["unlock"] = Unlock,
            ["set_db_change_aware"] = SetDbChangeAware,
            ["echo"] = (s, id, p, now) => s.Send(JsonRpcMessage.CreateReply(id, p)),
        };
    }

    /// <summary>The id <c>get_server_id</c> returns.</summary>
    public Guid ServerId { get; }

    /// <summary>The served databases, <c>_Server</c> included.</summary>
    public IReadOnlyDictionary<string, ServedDatabase> Databases => _databases;

    /// <summary>The earliest time at which a blocked <c>wait</c> must time out, or null.</summary>
    public long? NextDeadlineMs => _sessions.SelectMany(s => s.Pending).Select(p => p.DeadlineMs).Where(d => d is not null).Min();

    /// <summary>
    /// What the server holds, counted the way OVS's <c>memory/show</c> counts it: <c>cells</c> is rows times columns
    /// over every database (the reserved <c>_uuid</c> and <c>_version</c> included, one atom each), <c>atoms</c> the
    /// atoms in those cells (a map pair counts two), <c>monitors</c>, <c>n-weak-refs</c> the weak references between
    /// rows, and <c>sessions</c>, which OVS leaves out while there are none.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, long>> MemoryReport()
    {
        long cells = 0;
        long atoms = 0;
        long weakRefs = 0;
        foreach (ServedDatabase served in _databases.Values)
        {
            foreach (Schema.TableSchema table in served.Database.Schema.Tables)
            {
                IReadOnlyList<Schema.ColumnSchema> columns = table.Columns;
                foreach (Row row in served.Database.Rows(table).Values)
                {
                    cells += 2;
                    atoms += 2;
                    foreach (Schema.ColumnSchema column in columns)
                    {
                        Datum datum = row.Get(column);
                        cells++;
                        atoms += datum.IsMap ? 2L * datum.Count : datum.Count;
                        if (IsWeak(column.Type.Key) || IsWeak(column.Type.Value))
                        {
                            weakRefs += datum.Count;
                        }
                    }
                }
            }
        }
        long sessions = _sessions.Count;
        var report = new List<KeyValuePair<string, long>>
        {
            new("atoms", atoms),
            new("cells", cells),
            new("monitors", _sessions.Sum(s => (long)s.Monitors.Count)),
            new("n-weak-refs", weakRefs),
        };
        if (sessions > 0)
        {
            report.Add(new("sessions", sessions));
        }
        return report;

        static bool IsWeak(Schema.BaseType? type) => type is { IsReference: true, RefType: Schema.RefType.Weak };
    }

    /// <summary>Registers a new client.</summary>
    public void Connect(OvsdbSession session) => _sessions.Add(session);

    /// <summary>Forgets a client: its monitors, blocked requests and locks.</summary>
    public void Disconnect(OvsdbSession session)
    {
        session.Closed = true;
        _sessions.Remove(session);
        session.Pending.Clear();
        session.Monitors.Clear();
        foreach ((OvsdbSession next, string name) in _locks.UnlockAll(session))
        {
            Notify(next, "locked", new JsonArray(name));
        }
    }

    /// <summary>
    /// Handles one message from a client. The engine keeps nothing of <paramref name="message"/> after it returns
    /// (whatever outlives the call is copied), so the caller may then dispose a leased message.
    /// </summary>
    public void Receive(OvsdbSession session, JsonRpcMessage message, long now)
    {
        switch (message.Kind)
        {
            case JsonRpcMessageKind.Request:
                JsonElement id = message.Id!.Value;
                JsonElement @params = message.Params!.Value;
                if (!_methods.TryGetValue(message.Method!, out MethodHandler? handler))
                {
                    session.Send(JsonRpcMessage.CreateError(id, "unknown method"));
                    return;
                }
                try
                {
                    handler(session, id, @params, now);
                }
                catch (OvsdbException error)
                {
                    session.Send(JsonRpcMessage.CreateError(id, ToElement(error.ToJson())));
                }
                catch (InvalidOperationException)
                {
                    // Strings escaping lone surrogates cannot be read as .NET strings; answer instead of crashing.
                    session.Send(JsonRpcMessage.CreateError(id, ToElement(OvsdbException.SyntaxError(null, "request contains a string that is not valid Unicode").ToJson())));
                }
                break;
            case JsonRpcMessageKind.Notification:
                if (message.Method == "cancel")
                {
                    Cancel(session, message.Params!.Value);
                }
                break;
            default:
                // Replies from clients (to echo probes, say) need nothing from the server.
                break;
        }
    }

    /// <summary>Times out blocked <c>wait</c> operations whose deadline has passed.</summary>
    public void Tick(long now)
    {
        RetryPending(now);
    }

    /// <summary>Compacts every file-backed database now (<c>ovsdb-server/compact</c>).</summary>
    public void Compact(string? name = null)
    {
        foreach (ServedDatabase database in _databases.Values)
        {
            if (database.File is not null && (name is null || name == database.Name))
            {
                database.File.Compact();
                CompactionCount++;
            }
        }
    }

    /// <summary>
    /// How many compactions have succeeded, automatic or asked for; the I/O shell compares it around each call to
    /// know when to apply <c>ovsdb-server/memory-trim-on-compaction</c>.
    /// </summary>
    public long CompactionCount { get; private set; }

    private static JsonElement ToElement(JsonNode? node) => JsonText.ToElement(node);

    // Replies and notifications carry their JsonNode bodies to the connection, which serializes them straight into
    // pooled segments: converting a ~250 KB monitor update to a JsonElement here first cost a copy of the text and a
    // token table, large objects that stayed on the heap until the next full collection. The engine never touches a
    // node again after sending it, which is what lets another thread write it.
    private static void Reply(OvsdbSession session, JsonElement id, JsonNode result) =>
        session.Send(JsonRpcMessage.CreateReply(id, result));

    private static void Notify(OvsdbSession session, string method, JsonArray @params) =>
        session.Send(JsonRpcMessage.CreateNotification(method, @params));

    private ServedDatabase LookupDatabase(JsonElement @params, string method)
    {
        if (@params.GetArrayLength() == 0 || @params[0].ValueKind != JsonValueKind.String)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(@params), $"{method} request params must begin with <db-name>");
        }
        string name = @params[0].GetString()!;
        return _databases.TryGetValue(name, out ServedDatabase? database)
            ? database
            : throw new OvsdbException("unknown database", $"{method} request specifies unknown database {name}", JsonText.Sorted(@params));
    }

    private void ListDbs(OvsdbSession session, JsonElement id, JsonElement @params, long now)
    {
        var names = new JsonArray();
        foreach (string name in _databases.Keys.Order(StringComparer.Ordinal))
        {
            names.Add((JsonNode)JsonValue.Create(name));
        }
        Reply(session, id, names);
    }

    private void GetSchema(OvsdbSession session, JsonElement id, JsonElement @params, long now)
    {
        // The Python IDL sends its own UUID as an extra parameter; only the first one matters.
        ServedDatabase database = LookupDatabase(@params, "get_schema");
        session.Send(JsonRpcMessage.CreateReply(id, database.SchemaJson));
    }

    private void GetServerId(OvsdbSession session, JsonElement id, JsonElement @params, long now) =>
        Reply(session, id, JsonValue.Create(ServerId.ToString("D")));

    private void SetDbChangeAware(OvsdbSession session, JsonElement id, JsonElement @params, long now)
    {
        if (@params.GetArrayLength() != 1 || @params[0].ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(@params), "set_db_change_aware request params must be <boolean>");
        }
        session.DbChangeAware = @params[0].ValueKind == JsonValueKind.True;
        Reply(session, id, new JsonObject());
    }

    private void Transact(OvsdbSession session, JsonElement id, JsonElement @params, long now)
    {
        ServedDatabase database = LookupDatabase(@params, "transact");
        var operations = @params.EnumerateArray().Skip(1).ToList();
        var pending = new PendingTransact(id, database, operations, now, null);
        if (!TryComplete(session, pending, now, out PendingTransact? blocked))
        {
            session.Pending.Add(blocked!);
        }
    }

    /// <summary>Runs a transaction; commits, notifies and replies when it finishes, else returns the blocked form.</summary>
    private bool TryComplete(OvsdbSession session, PendingTransact request, long now, out PendingTransact? blocked)
    {
        blocked = null;
        TransactResult result = TransactionExecutor.Execute(request.Database.Database, request.Operations,
            new TransactionContext(name => _locks.Owns(session, name), now, request.StartedMs));
        if (result.MustWait)
        {
            blocked = request.Detach() with { DeadlineMs = result.RetryDeadlineMs };
            return false;
        }
        JsonArray reply = result.Reply!;
        if (result.Changes is { IsEmpty: false } changes)
        {
            try
            {
                request.Database.File?.Commit(changes);
            }
            catch (OvsdbException error)
            {
                _log($"{request.Database.Name}: commit failed: {error.Message}");
                reply.Add((JsonNode)error.ToJson());
                Reply(session, request.Id, reply);
                return true;
            }
            request.Database.Database.Apply(changes);
            // Every monitor hears about the commit before the writer gets its reply: the IDLs rely on that order.
            NotifyMonitors(request.Database, changes);
            Reply(session, request.Id, reply);
            CompactIfDue(request.Database);
            RetryPending(now);
            return true;
        }
        Reply(session, request.Id, reply);
        return true;
    }

    private void CompactIfDue(ServedDatabase database)
    {
        if (database.File is { ShouldCompact: true } file)
        {
            try
            {
                file.Compact();
                CompactionCount++;
            }
            catch (IOException e)
            {
                _log($"{database.Name}: compaction failed: {e.Message}");
            }
        }
    }

    private bool _retrying;

    private void RetryPending(long now)
    {
        if (_retrying)
        {
            return;
        }
        _retrying = true;
        try
        {
            bool progress = true;
            while (progress)
            {
                progress = false;
                foreach (OvsdbSession session in _sessions.ToList())
                {
                    foreach (PendingTransact request in session.Pending.ToList())
                    {
                        if (!session.Pending.Remove(request))
                        {
                            continue;
                        }
                        if (TryComplete(session, request, now, out PendingTransact? blocked))
                        {
                            progress = true;
                        }
                        else
                        {
                            session.Pending.Add(blocked!);
                        }
                    }
                }
            }
        }
        finally
        {
            _retrying = false;
        }
    }

    private void Cancel(OvsdbSession session, JsonElement @params)
    {
        if (@params.GetArrayLength() != 1)
        {
            return;
        }
        PendingTransact? request = session.Pending.FirstOrDefault(p => JsonElement.DeepEquals(p.Id, @params[0]));
        if (request is null)
        {
            return;
        }
        session.Pending.Remove(request);
        // OVS 3.1 answers a canceled request only for sessions that declared themselves change-aware.
        if (session.DbChangeAware)
        {
            session.Send(JsonRpcMessage.CreateError(request.Id, "canceled"));
        }
    }

    private void NotifyMonitors(ServedDatabase database, ChangeSet changes)
    {
        foreach (OvsdbSession session in _sessions)
        {
            foreach (Monitor monitor in session.Monitors)
            {
                if (monitor.Database != database || monitor.Updates(changes) is not JsonObject updates)
                {
                    continue;
                }
                SendUpdate(session, monitor, updates);
            }
        }
    }

    private static void SendUpdate(OvsdbSession session, Monitor monitor, JsonObject updates)
    {
        JsonNode? monitorId = JsonNode.Parse(monitor.Id.GetRawText());
        switch (monitor.Version)
        {
            case MonitorVersion.V1:
                Notify(session, "update", new JsonArray(monitorId, updates));
                break;
            case MonitorVersion.V2:
                Notify(session, "update2", new JsonArray(monitorId, updates));
                break;
            default:
                Notify(session, "update3", new JsonArray(monitorId, Monitor.ZeroUuid, updates));
                break;
        }
    }

    private void StartMonitor(OvsdbSession session, JsonElement id, JsonElement @params, MonitorVersion version, string method)
    {
        ServedDatabase database = LookupDatabase(@params, method);
        int expected = version == MonitorVersion.V3 ? 4 : 3;
        if (@params.GetArrayLength() != expected)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(@params), "invalid parameters");
        }
        JsonElement monitorId = @params[1].Clone();
        if (session.FindMonitor(monitorId) is not null)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(monitorId), "duplicate monitor ID");
        }
        if (version == MonitorVersion.V3 && (@params[3].ValueKind != JsonValueKind.String || !Atom.TryParseUuid(@params[3].GetString()!, out _)))
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(@params[3]), "last-txn-id must be a UUID");
        }
        var tables = Monitor.ParseRequests(@params[2], database.Database.Schema, version);
        var monitor = new Monitor(monitorId, version, database, tables);
        session.Monitors.Add(monitor);
        JsonNode initial = monitor.Initial();
        // A standalone server keeps no transaction history, so monitor_cond_since always starts from scratch.
        Reply(session, id, version == MonitorVersion.V3 ? new JsonArray(false, Monitor.ZeroUuid, initial) : initial);
    }

    private void MonitorCondChange(OvsdbSession session, JsonElement id, JsonElement @params, long now)
    {
        if (@params.GetArrayLength() != 3)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(@params), "monitor_cond_change request params must be [<monitor-id>, <new-monitor-id>, <monitor-cond-update-requests>]");
        }
        Monitor? monitor = session.FindMonitor(@params[0]);
        if (monitor is null)
        {
            session.Send(JsonRpcMessage.CreateError(id, "unknown monitor"));
            return;
        }
        if (monitor.Version == MonitorVersion.V1)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(@params[0]), "monitor_cond_change is not supported on a \"monitor\" monitor");
        }
        JsonElement newId = @params[1].Clone();
        if (!JsonElement.DeepEquals(newId, monitor.Id) && session.FindMonitor(newId) is not null)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(newId), "duplicate monitor ID");
        }
        if (@params[2].ValueKind != JsonValueKind.Object)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(@params[2]), "monitor-cond-change-requests must be an object");
        }
        var conditions = new Dictionary<string, Condition>(StringComparer.Ordinal);
        foreach (JsonProperty table in @params[2].EnumerateObject())
        {
            if (!monitor.Tables.TryGetValue(table.Name, out TableMonitor? tableMonitor))
            {
                throw new OvsdbException("syntax error", $"no table named {table.Name}");
            }
            JsonElement request = table.Value.ValueKind == JsonValueKind.Array && table.Value.GetArrayLength() > 0 ? table.Value[0] : table.Value;
            if (request.ValueKind == JsonValueKind.Object && request.TryGetProperty("where", out JsonElement where))
            {
                conditions[table.Name] = Condition.Parse(where, tableMonitor.Table, null);
            }
        }
        monitor.Id = newId;
        JsonObject updates = monitor.ChangeConditions(conditions);
        if (updates.Count > 0)
        {
            SendUpdate(session, monitor, updates);
        }
        Reply(session, id, new JsonObject());
    }

    private void MonitorCancel(OvsdbSession session, JsonElement id, JsonElement @params, long now)
    {
        Monitor? monitor = @params.GetArrayLength() == 1 ? session.FindMonitor(@params[0]) : null;
        if (monitor is null)
        {
            session.Send(JsonRpcMessage.CreateError(id, "unknown monitor"));
            return;
        }
        session.Monitors.Remove(monitor);
        Reply(session, id, new JsonObject());
    }

    private static string LockName(JsonElement @params)
    {
        if (@params.GetArrayLength() != 1 || @params[0].ValueKind != JsonValueKind.String || !Schema.Identifiers.IsId(@params[0].GetString()!))
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(@params), "lock request params must be <id>");
        }
        return @params[0].GetString()!;
    }

    private void Lock(OvsdbSession session, JsonElement id, JsonElement @params, bool steal)
    {
        string name = LockName(@params);
        if (_locks.IsWaiting(session, name))
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(@params), steal ? "must issue \"unlock\" before new \"steal\"" : "must issue \"unlock\" before new \"lock\"");
        }
        if (steal)
        {
            OvsdbSession? victim = _locks.Steal(session, name);
            Reply(session, id, new JsonObject { ["locked"] = true });
            if (victim is not null && victim != session)
            {
                Notify(victim, "stolen", new JsonArray(name));
            }
            return;
        }
        bool locked = _locks.Lock(session, name);
        Reply(session, id, new JsonObject { ["locked"] = locked });
    }

    private void Unlock(OvsdbSession session, JsonElement id, JsonElement @params, long now)
    {
        string name = LockName(@params);
        if (!_locks.IsWaiting(session, name))
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(@params), "unlock: \"unlock\" without \"lock\" or \"steal\"");
        }
        OvsdbSession? next = _locks.Unlock(session, name);
        Reply(session, id, new JsonObject());
        if (next is not null)
        {
            Notify(next, "locked", new JsonArray(name));
        }
    }
}
