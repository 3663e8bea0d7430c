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

    private bool _schemaFromServer;

    /// <summary>
    /// Learns the data schema the way the C IDL does: from the <c>schema</c> column of the <c>_Server</c> database's
    /// row for <paramref name="database"/> (after <c>get_schema _Server</c> and <c>monitor_cond _Server</c>), or,
    /// when the server has no <c>_Server</c> database, with <c>get_schema</c> on the database itself.
    /// </summary>
    private static async Task<(DatabaseSchema Schema, bool FromServer)> FetchSchemaAsync(JsonRpcSession session, string database, CancellationToken cancellationToken)
    {
        JsonRpcMessage serverSchema = await session.RequestAsync("get_schema", Params(ServerDatabase), cancellationToken).ConfigureAwait(false);
        if (serverSchema.Kind == JsonRpcMessageKind.Reply)
        {
            var request = new JsonObject
            {
                ["Database"] = new JsonArray(new JsonObject { ["columns"] = new JsonArray([.. s_serverColumns.Select(c => JsonValue.Create(c))]) }),
            };
            JsonRpcMessage monitor = await session.RequestAsync("monitor_cond", Params(ServerDatabase, new JsonArray("monid", ServerDatabase), request), cancellationToken).ConfigureAwait(false);
            if (monitor.Kind == JsonRpcMessageKind.Reply && monitor.Result is { ValueKind: JsonValueKind.Object } result
                && result.TryGetProperty("Database", out JsonElement rows) && rows.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty row in rows.EnumerateObject())
                {
                    if (row.Value.TryGetProperty("initial", out JsonElement initial)
                        && initial.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String && name.GetString() == database
                        && initial.TryGetProperty("schema", out JsonElement schemaText) && schemaText.ValueKind == JsonValueKind.String)
                    {
                        return (DatabaseSchema.Parse(schemaText.GetString()!), true);
                    }
                }
            }
        }
        JsonRpcMessage direct = await session.RequestAsync("get_schema", Params(database), cancellationToken).ConfigureAwait(false);
        if (direct.Kind == JsonRpcMessageKind.Error)
        {
            throw ErrorFromJson(direct.Error!.Value);
        }
        return (DatabaseSchema.Parse(direct.Result!.Value), false);
    }

    private static async Task<OvsdbIdl> CreateAsync(JsonRpcAddress address, IdlOptions options, JsonRpcSession session, SessionBox box, CancellationToken cancellationToken)
    {
        (DatabaseSchema schema, bool fromServer) = await FetchSchemaAsync(session, options.Database, cancellationToken).ConfigureAwait(false);
        var idl = new OvsdbIdl(address, options, schema) { _schemaFromServer = fromServer };
        idl.BuildTables();
        box.Idl = idl;
        idl._session = session;
        await idl.EstablishMonitorAsync(session, cancellationToken).ConfigureAwait(false);
        return idl;
    }

    /// <summary>
    /// Starts the data monitor: <c>monitor_cond_since</c> when the schema came from <c>_Server</c>, otherwise
    /// <c>monitor_cond</c>; each falls back to the older method when the server answers "unknown method". The
    /// initial contents are queued for <see cref="Run"/> ahead of any update that arrived in the meantime.
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
            reply = await session.RequestAsync("monitor_cond_since", Params(_options.Database, monitorId, requests, ZeroUuid), cancellationToken).ConfigureAwait(false);
            if (reply.Kind == JsonRpcMessageKind.Reply)
            {
                JsonElement result = reply.Result!.Value;
                if (result.ValueKind != JsonValueKind.Array || result.GetArrayLength() != 3)
                {
                    throw new OvsdbException("syntax error", "monitor_cond_since reply is not a 3-element array");
                }
                await FinishEstablishingAsync(session, result[2], 2, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (!IsUnknownMethod(reply))
            {
                throw ErrorFromJson(reply.Error!.Value);
            }
        }
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
        await FinishEstablishingAsync(session, updates, version, cancellationToken).ConfigureAwait(false);
    }

    private async Task FinishEstablishingAsync(JsonRpcSession session, JsonElement initial, int version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Enqueue(new IdlEvent.Reset(initial.Clone(), version));
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

    /// <summary>Waits for the connection to end, reports it, and reconnects with backoff while that is wanted.</summary>
    private async Task MaintainAsync(JsonRpcSession session)
    {
        var backoff = new ReconnectBackoff();
        CancellationToken stop = _disposed.Token;
        while (true)
        {
            string reason = await session.Completion.ConfigureAwait(false);
            if (!_options.Reconnect || stop.IsCancellationRequested)
            {
                Enqueue(new IdlEvent.Disconnected(reason));
                return;
            }
            // The backoff timer starts before the disconnection is reported, so whoever sees the report (a test
            // advancing a fake clock, say) knows that the reconnection is already scheduled.
            Task wait = Task.Delay(backoff.NextDelayAfterDisconnect(), _options.TimeProvider, stop);
            Enqueue(new IdlEvent.Disconnected(reason));
            while (true)
            {
                await wait.ConfigureAwait(false);
                JsonRpcSession? next = null;
                try
                {
                    JsonRpcConnection connection = _options.Connect is { } connect
                        ? await connect(stop).ConfigureAwait(false)
                        : await JsonRpcConnection.ConnectAsync(_remote, JsonRpcConnectionOptions.ForAddress(_remote, _options.TimeProvider), stop).ConfigureAwait(false);
                    lock (_gate)
                    {
                        _established = false;
                        _held.Clear();
                    }
                    next = new JsonRpcSession(connection, OnIncoming, _options.FirstRequestId);
                    _session = next;
                    (_, bool fromServer) = await FetchSchemaAsync(next, _options.Database, stop).ConfigureAwait(false);
                    _schemaFromServer = fromServer;
                    await EstablishMonitorAsync(next, stop).ConfigureAwait(false);
                    backoff.Connected();
                    session = next;
                    break;
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OvsdbException or JsonRpcProtocolException)
                {
                    LastError = ex.Message;
                    if (next is not null)
                    {
                        await next.DisposeAsync().ConfigureAwait(false);
                    }
                    wait = Task.Delay(backoff.NextDelayAfterFailure(), _options.TimeProvider, stop);
                }
            }
        }
    }

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
}
