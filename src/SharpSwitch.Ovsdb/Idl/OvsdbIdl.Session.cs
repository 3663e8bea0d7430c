// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.JsonRpc;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Idl;

public sealed partial class OvsdbIdl
{
    private static readonly string[] s_serverColumns = ["name", "model", "connected", "leader", "schema", "cid", "index"];

    private readonly Dictionary<string, ServerRow> _serverRows = new(StringComparer.Ordinal);
    private bool _schemaFromServer;
    private Exception? _lastFailure;
    private string? _pendingSkip;
    private string? _catchUp;

    /// <summary>The state of the connection state machine, for diagnostics.</summary>
    public IdlSessionState SessionState
    {
        get
        {
            lock (_machine)
            {
                return _machine.State;
            }
        }
    }

    /// <summary>
    /// The first connection: tries the remotes in turn until one can be followed. Gives up with the last error when
    /// a whole round only failed, unless <see cref="IdlOptions.RetryInitialConnection"/> asks to keep trying.
    /// </summary>
    private async Task ConnectFirstAsync(CancellationToken cancellationToken)
    {
        Report(() => _machine.Start(Now));
        while (true)
        {
            switch (SessionState)
            {
                case IdlSessionState.Connecting:
                    if (await AttemptAsync(cancellationToken).ConfigureAwait(false) is not null)
                    {
                        return;
                    }
                    break;
                case IdlSessionState.Backoff:
                    bool onlyFailures;
                    lock (_machine)
                    {
                        onlyFailures = _machine.LastRoundOnlyFailures;
                    }
                    if (onlyFailures && !_options.RetryInitialConnection && _lastFailure is { } failure)
                    {
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                    }
                    await BackoffAsync(null, cancellationToken).ConfigureAwait(false);
                    break;
                case IdlSessionState.Idle:
                case IdlSessionState.Checking:
                case IdlSessionState.Active:
                case IdlSessionState.Stopped:
                default:
                    throw new InvalidOperationException($"unexpected connection state {SessionState} while connecting");
            }
        }
    }

    /// <summary>
    /// One attempt on the current remote: connect, read the server's <c>_Server</c> row for the database, skip the
    /// server if it is unsuitable, otherwise start the monitor. Returns the session when the replica now follows it,
    /// or null after reporting why not (the machine has then moved on to the next remote or to backoff).
    /// </summary>
    private async Task<JsonRpcSession?> AttemptAsync(CancellationToken cancellationToken)
    {
        JsonRpcAddress address;
        lock (_machine)
        {
            address = _remotes.Addresses[_machine.CurrentIndex];
        }
        JsonRpcConnection connection;
        try
        {
            // IdlOptions.Connect (the lab's in-process pipe) replaces the socket dial; everything after it is the same.
            connection = _options.Connect is { } connect
                ? await connect(cancellationToken).ConfigureAwait(false)
                : await JsonRpcConnection.ConnectAsync(address, JsonRpcConnectionOptions.ForAddress(address, _options.TimeProvider), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException)
        {
            _lastFailure = ex;
            LastError = ex.Message;
            Report(() => _machine.Failed(Now, ex.Message));
            return null;
        }
        Report(() => _machine.Connected(Now));
        lock (_gate)
        {
            _established = false;
            _held.Clear();
            _serverRows.Clear();
            _pendingSkip = null;
            _currentConnection = connection;
        }
        var session = new JsonRpcSession(connection, message => OnIncoming(connection, message), _options.FirstRequestId);
        _attempt = session;
        try
        {
            (DatabaseSchema schema, bool fromServer, ServerDatabaseInfo? info) = await CheckServerAsync(session, cancellationToken).ConfigureAwait(false);
            string? skip;
            lock (_machine)
            {
                skip = _machine.Evaluate(info);
            }
            if (skip is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
                _attempt = null;
                Report(() => _machine.Skip(Now, skip));
                return null;
            }
            if (Schema is null)
            {
                Schema = schema;
                BuildTables();
            }
            _schemaFromServer = fromServer;
            await EstablishMonitorAsync(session, cancellationToken).ConfigureAwait(false);
            _session = session;
            _attempt = null;
            Report(() => _machine.Established(Now, _catchUp));
        }
        catch (Exception ex) when (ex is IOException or OvsdbException or JsonRpcProtocolException)
        {
            _lastFailure = ex;
            LastError = ex.Message;
            await session.DisposeAsync().ConfigureAwait(false);
            _attempt = null;
            Report(() => _machine.Failed(Now, ex.Message));
            return null;
        }
        // A _Server update may have arrived while the monitor was being set up; judge the latest row once more.
        RecheckServer(connection);
        return session;
    }

    /// <summary>
    /// Reads the server's <c>Database</c> row for our database from its <c>_Server</c> database (<c>get_schema</c>
    /// and <c>monitor_cond</c> on <c>_Server</c>, as the C IDL does), which gives the schema and the cluster state;
    /// the monitor stays on, so later changes (a lost leadership, a new index) arrive as updates. When the server has
    /// no <c>_Server</c>, or no row for the database, the schema comes from <c>get_schema</c> on the database itself.
    /// </summary>
    private async Task<(DatabaseSchema Schema, bool FromServer, ServerDatabaseInfo? Info)> CheckServerAsync(JsonRpcSession session, CancellationToken cancellationToken)
    {
        string database = _options.Database;
        JsonRpcMessage serverSchema = await session.RequestAsync("get_schema", Params(ServerDatabase), cancellationToken).ConfigureAwait(false);
        if (serverSchema.Kind == JsonRpcMessageKind.Reply)
        {
            var request = new JsonObject
            {
                ["Database"] = new JsonArray(new JsonObject { ["columns"] = new JsonArray([.. s_serverColumns.Select(c => JsonValue.Create(c))]) }),
            };
            JsonRpcMessage monitor = await session.RequestAsync("monitor_cond", Params(ServerDatabase, new JsonArray("monid", ServerDatabase), request), cancellationToken).ConfigureAwait(false);
            if (monitor.Kind == JsonRpcMessageKind.Reply && monitor.Result is { ValueKind: JsonValueKind.Object } result)
            {
                ServerRow? row;
                lock (_gate)
                {
                    ApplyServerUpdates(result);
                    row = FindServerRow();
                }
                if (row is { Schema: { } schemaText })
                {
                    return (DatabaseSchema.Parse(schemaText), true, row.ToInfo());
                }
            }
        }
        JsonRpcMessage direct = await session.RequestAsync("get_schema", Params(database), cancellationToken).ConfigureAwait(false);
        if (direct.Kind == JsonRpcMessageKind.Error)
        {
            throw ErrorFromJson(direct.Error!.Value);
        }
        return (DatabaseSchema.Parse(direct.Result!.Value), false, null);
    }

    /// <summary>A later change of the server's <c>_Server</c> rows: drop the server when it is no longer suitable.</summary>
    private void OnServerUpdate(JsonRpcConnection connection, JsonElement updates)
    {
        lock (_gate)
        {
            ApplyServerUpdates(updates);
        }
        RecheckServer(connection);
    }

    private void RecheckServer(JsonRpcConnection connection)
    {
        ServerRow? row;
        lock (_gate)
        {
            if (!ReferenceEquals(connection, _currentConnection))
            {
                return;
            }
            row = FindServerRow();
        }
        string? skip;
        lock (_machine)
        {
            if (_machine.State != IdlSessionState.Active)
            {
                return;
            }
            skip = row is null ? null : _machine.Evaluate(row.ToInfo());
        }
        if (skip is not null)
        {
            lock (_gate)
            {
                _pendingSkip = skip;
            }
            // The maintenance loop sees the closed connection and moves on with this reason.
            connection.Close(skip);
        }
    }

    /// <summary>Applies <c>&lt;table-updates2&gt;</c> of the <c>_Server</c> monitor to the copy of its rows.</summary>
    private void ApplyServerUpdates(JsonElement updates)
    {
        if (updates.ValueKind != JsonValueKind.Object || !updates.TryGetProperty("Database", out JsonElement rows) || rows.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        foreach (JsonProperty row in rows.EnumerateObject())
        {
            if (row.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            foreach (JsonProperty change in row.Value.EnumerateObject())
            {
                switch (change.Name)
                {
                    case "initial" or "insert":
                        _serverRows[row.Name] = ServerRow.From(new ServerRow(), change.Value);
                        break;
                    case "modify":
                        if (_serverRows.TryGetValue(row.Name, out ServerRow? existing))
                        {
                            ServerRow.From(existing, change.Value);
                        }
                        break;
                    case "delete":
                        _serverRows.Remove(row.Name);
                        break;
                }
            }
        }
    }

    private ServerRow? FindServerRow()
    {
        foreach (ServerRow row in _serverRows.Values)
        {
            if (row.Name == _options.Database)
            {
                return row;
            }
        }
        return null;
    }

    /// <summary>
    /// Starts the data monitor: <c>monitor_cond_since</c> when the schema came from <c>_Server</c>, asking for the
    /// changes since the last transaction this replica saw (so a new server, or the same one back, only sends what is
    /// missing), otherwise <c>monitor_cond</c>; each falls back to the older method when the server answers "unknown
    /// method". The initial contents are queued for <see cref="Run"/> ahead of any update that arrived in the meantime.
    /// </summary>
    private async Task EstablishMonitorAsync(JsonRpcSession session, CancellationToken cancellationToken)
    {
        var requests = new JsonObject();
        foreach (IdlTable table in _tables.Values)
        {
            requests[table.Name] = new JsonArray(new JsonObject { ["columns"] = new JsonArray([.. table.MonitoredColumns.Select(c => JsonValue.Create(c))]) });
        }
        JsonNode monitorId = new JsonArray("monid", _options.Database);
        JsonElement updates;
        int version;
        JsonRpcMessage reply;
        if (_schemaFromServer)
        {
            string since = LastTransactionId ?? ZeroUuid;
            reply = await session.RequestAsync("monitor_cond_since", Params(_options.Database, monitorId, requests, since), cancellationToken).ConfigureAwait(false);
            if (reply.Kind == JsonRpcMessageKind.Reply)
            {
                JsonElement result = reply.Result!.Value;
                if (result.ValueKind != JsonValueKind.Array || result.GetArrayLength() != 3)
                {
                    throw new OvsdbException("syntax error", "monitor_cond_since reply is not a 3-element array");
                }
                bool found = result[0].ValueKind == JsonValueKind.True && since != ZeroUuid;
                string? last = result[1].ValueKind == JsonValueKind.String ? result[1].GetString() : null;
                _catchUp = found ? $"resumed after transaction {since}"
                    : since == ZeroUuid ? "full copy" : $"full copy (transaction {since} unknown to this server)";
                await FinishEstablishingAsync(session, result[2], 2, clear: !found, last, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (!IsUnknownMethod(reply))
            {
                throw ErrorFromJson(reply.Error!.Value);
            }
        }
        _catchUp = "full copy";
        reply = await session.RequestAsync("monitor_cond", Params(_options.Database, monitorId, requests), cancellationToken).ConfigureAwait(false);
        if (reply.Kind == JsonRpcMessageKind.Reply)
        {
            updates = reply.Result!.Value;
            version = 2;
        }
        else if (IsUnknownMethod(reply))
        {
            reply = await session.RequestAsync("monitor", Params(_options.Database, monitorId, requests), cancellationToken).ConfigureAwait(false);
            if (reply.Kind != JsonRpcMessageKind.Reply)
            {
                throw ErrorFromJson(reply.Error!.Value);
            }
            updates = reply.Result!.Value;
            version = 1;
        }
        else
        {
            throw ErrorFromJson(reply.Error!.Value);
        }
        await FinishEstablishingAsync(session, updates, version, clear: true, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task FinishEstablishingAsync(JsonRpcSession session, JsonElement initial, int version, bool clear, string? lastTransactionId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _lastTransactionId = lastTransactionId;
            Enqueue(new IdlEvent.Reset(initial.Clone(), version, clear));
            _established = true;
            foreach (JsonRpcMessage held in _held)
            {
                QueueUpdate(held);
            }
            _held.Clear();
        }
        if (_options.LockName is { } lockName)
        {
            JsonRpcMessage reply = await session.RequestAsync("lock", Params(lockName), cancellationToken).ConfigureAwait(false);
            bool locked = reply.Kind == JsonRpcMessageKind.Reply && reply.Result is { ValueKind: JsonValueKind.Object } result
                && result.TryGetProperty("locked", out JsonElement value) && value.ValueKind == JsonValueKind.True;
            Enqueue(new IdlEvent.Lock(locked));
        }
    }

    /// <summary>
    /// Waits for the followed connection to end, reports it, and finds another server (or the same one back) while
    /// that is wanted. A server dropped because it stopped being suitable counts as a skip, not a loss.
    /// </summary>
    private async Task MaintainAsync()
    {
        CancellationToken stop = _disposed.Token;
        JsonRpcSession session = _session!;
        try
        {
            while (true)
            {
                string reason = await session.Completion.ConfigureAwait(false);
                string? skip;
                lock (_gate)
                {
                    skip = _pendingSkip;
                    _pendingSkip = null;
                }
                if (ReferenceEquals(_session, session))
                {
                    _session = null;
                }
                if (!_options.Reconnect || stop.IsCancellationRequested)
                {
                    Report(() => _machine.Stop(Now, stop.IsCancellationRequested ? "closed by this client" : $"connection lost ({reason}); reconnection is off"));
                    Enqueue(new IdlEvent.Disconnected(reason));
                    return;
                }
                Report(() => skip is null ? _machine.Lost(Now, reason) : _machine.Skip(Now, skip));
                // The backoff timer starts before the disconnection is reported, so whoever sees the report (a test
                // advancing a fake clock, say) knows that the reconnection is already scheduled.
                Task? wait = StartBackoffTimer(stop);
                Enqueue(new IdlEvent.Disconnected(skip ?? reason));
                session = await ReconnectAsync(wait, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Report(() => _machine.Stop(Now, "closed by this client"));
        }
    }

    /// <summary>Tries remotes, backing off between rounds, until one is followed.</summary>
    private async Task<JsonRpcSession> ReconnectAsync(Task? wait, CancellationToken stop)
    {
        while (true)
        {
            switch (SessionState)
            {
                case IdlSessionState.Connecting:
                    if (await AttemptAsync(stop).ConfigureAwait(false) is { } session)
                    {
                        return session;
                    }
                    wait = StartBackoffTimer(stop);
                    break;
                case IdlSessionState.Backoff:
                    await BackoffAsync(wait, stop).ConfigureAwait(false);
                    wait = null;
                    break;
                case IdlSessionState.Idle:
                case IdlSessionState.Checking:
                case IdlSessionState.Active:
                case IdlSessionState.Stopped:
                default:
                    throw new InvalidOperationException($"unexpected connection state {SessionState} while reconnecting");
            }
        }
    }

    private Task? StartBackoffTimer(CancellationToken stop)
    {
        lock (_machine)
        {
            if (_machine.State != IdlSessionState.Backoff || _machine.RetryAt is not { } at)
            {
                return null;
            }
            TimeSpan delay = at - Now;
            return delay > TimeSpan.Zero ? Task.Delay(delay, _options.TimeProvider, stop) : Task.CompletedTask;
        }
    }

    /// <summary>Waits out the backoff (on <paramref name="wait"/> when it is already running) and starts the next round.</summary>
    private async Task BackoffAsync(Task? wait, CancellationToken stop)
    {
        while (true)
        {
            wait ??= StartBackoffTimer(stop) ?? Task.CompletedTask;
            await wait.ConfigureAwait(false);
            wait = null;
            IdlTransition? transition;
            lock (_machine)
            {
                transition = _machine.State == IdlSessionState.Backoff ? _machine.RetryDue(Now) : null;
                if (_machine.State != IdlSessionState.Backoff)
                {
                    stop.ThrowIfCancellationRequested();
                }
            }
            if (transition is not null)
            {
                _options.OnTransition?.Invoke(transition);
                return;
            }
            if (SessionState != IdlSessionState.Backoff)
            {
                return;
            }
        }
    }

    private DateTimeOffset Now => _options.TimeProvider.GetUtcNow();

    /// <summary>Feeds one input to the state machine under its lock and reports the transition outside it.</summary>
    private void Report(Func<IdlTransition> input)
    {
        IdlTransition transition;
        lock (_machine)
        {
            transition = input();
        }
        LastTransition = transition;
        _options.OnTransition?.Invoke(transition);
    }

    /// <summary>The most recent step of the connection state machine.</summary>
    public IdlTransition? LastTransition { get; private set; }

    private static bool IsUnknownMethod(JsonRpcMessage reply)
    {
        return reply.Kind == JsonRpcMessageKind.Error && reply.Error is { ValueKind: JsonValueKind.String } error && error.GetString() == "unknown method";
    }

    /// <summary>Turns an OVSDB error (a string, or an object with error/details/syntax) into an exception.</summary>
    internal static OvsdbException ErrorFromJson(JsonElement error)
    {
        if (error.ValueKind == JsonValueKind.String)
        {
            return new OvsdbException(error.GetString()!, "");
        }
        if (error.ValueKind == JsonValueKind.Object)
        {
            string tag = error.TryGetProperty("error", out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : "error";
            string details = error.TryGetProperty("details", out JsonElement d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "";
            string? syntax = error.TryGetProperty("syntax", out JsonElement s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            return new OvsdbException(tag, details, syntax);
        }
        return new OvsdbException("error", JsonText.Compact(error));
    }

    private static JsonElement Params(params object[] items)
    {
        var array = new JsonArray();
        foreach (object item in items)
        {
            array.Add(item switch
            {
                JsonNode node => node.DeepClone(),
                string text => JsonValue.Create(text),
                _ => throw new ArgumentException("unsupported parameter type", nameof(items)),
            });
        }
        return JsonText.ToElement(array);
    }

    /// <summary>The columns of one <c>_Server</c> <c>Database</c> row that matter for choosing a server.</summary>
    private sealed class ServerRow
    {
        // A monitor's initial row leaves out every column that holds its type's default (false, "", the empty set),
        // so the defaults here must be those: a follower's row simply has no "leader" member.
        public string? Name { get; private set; }

        public string Model { get; private set; } = "";

        public bool Connected { get; private set; }

        public bool Leader { get; private set; }

        public long? Index { get; private set; }

        public string? Schema { get; private set; }

        public ServerDatabaseInfo ToInfo() => new(Model, Connected, Leader, Index);

        /// <summary>Stores the columns present in <paramref name="values"/> (a whole row or a modify diff).</summary>
        public static ServerRow From(ServerRow row, JsonElement values)
        {
            if (values.ValueKind != JsonValueKind.Object)
            {
                return row;
            }
            foreach (JsonProperty column in values.EnumerateObject())
            {
                JsonElement value = Unwrap(column.Value);
                switch (column.Name)
                {
                    case "name":
                        row.Name = value.ValueKind == JsonValueKind.String ? value.GetString() : row.Name;
                        break;
                    case "model":
                        row.Model = value.ValueKind == JsonValueKind.String ? value.GetString()! : row.Model;
                        break;
                    case "connected":
                        row.Connected = value.ValueKind == JsonValueKind.True;
                        break;
                    case "leader":
                        row.Leader = value.ValueKind == JsonValueKind.True;
                        break;
                    case "index":
                        row.Index = value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long index) ? index : null;
                        break;
                    case "schema":
                        row.Schema = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                        break;
                }
            }
            return row;
        }

        /// <summary>
        /// Optional columns arrive as the bare value or as <c>["set",[]]</c> / <c>["set",[x]]</c>; this returns the
        /// value, or an undefined element for the empty set.
        /// </summary>
        private static JsonElement Unwrap(JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 2 && value[0].ValueKind == JsonValueKind.String
                && value[0].GetString() == "set" && value[1].ValueKind == JsonValueKind.Array)
            {
                return value[1].GetArrayLength() == 1 ? value[1][0] : default;
            }
            return value;
        }
    }
}
