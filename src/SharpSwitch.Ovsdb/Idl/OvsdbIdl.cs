// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Collections.Concurrent;
using System.Text.Json;
using SharpSwitch.JsonRpc;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Idl;

/// <summary>
/// A client-side replica of one OVSDB database, following the C IDL of OVS: it connects, learns the schema from
/// the <c>_Server</c> database (or with <c>get_schema</c> when the server has no <c>_Server</c>), monitors the chosen
/// tables with <c>monitor_cond_since</c> (falling back to <c>monitor_cond</c> and then <c>monitor</c>), and keeps the
/// rows up to date. Like the C IDL it is single-threaded from the user's point of view: messages from the server
/// are queued as they arrive and take effect only when the user calls <see cref="Run"/>, so the rows never change
/// under the user's feet. A lost connection is re-established with backoff and the replica resynchronised.
/// </summary>
public sealed partial class OvsdbIdl : IAsyncDisposable
{
    private const string ServerDatabase = "_Server";
    private const string ZeroUuid = "00000000-0000-0000-0000-000000000000";

    private readonly JsonRpcAddress _remote;
    private readonly IdlOptions _options;
    private readonly ConcurrentQueue<IdlEvent> _events = new();
    private readonly object _gate = new();
    private readonly List<JsonRpcMessage> _held = [];
    private readonly CancellationTokenSource _disposed = new();
    private readonly Dictionary<string, IdlTable> _tables = new(StringComparer.Ordinal);
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private JsonRpcSession? _session;
    private bool _established;
    private Task? _maintenance;
    private long _sequence;
    private readonly JsonElement _monitorId;

    private OvsdbIdl(JsonRpcAddress remote, IdlOptions options, DatabaseSchema schema)
    {
        _remote = remote;
        _options = options;
        Schema = schema;
        _monitorId = JsonSerializer.SerializeToElement(new[] { "monid", options.Database });
    }

    /// <summary>The schema of the replicated database.</summary>
    public DatabaseSchema Schema { get; }

    /// <summary>The remote this replica connects to.</summary>
    public string Remote => _remote.Text;

    /// <summary>Increases every time <see cref="Run"/> applies a change; lets callers notice that anything changed.</summary>
    public long SequenceNumber => Interlocked.Read(ref _sequence);

    /// <summary>True while a connection with an established monitor is up.</summary>
    public bool IsConnected { get; private set; }

    /// <summary>True while this client owns <see cref="IdlOptions.LockName"/> (as last reported by <see cref="Run"/>).</summary>
    public bool HasLock { get; private set; }

    /// <summary>The last connection problem, for diagnostics; null when none happened.</summary>
    public string? LastError { get; private set; }

    /// <summary>Raised by <see cref="Run"/> with every row change it applied.</summary>
    public event Action<IReadOnlyList<IdlRowChange>>? Changed;

    /// <summary>Raised by <see cref="Run"/> when the server grants (<c>true</c>) or steals (<c>false</c>) the lock.</summary>
    public event Action<bool>? LockChanged;

    /// <summary>The monitored tables.</summary>
    public IEnumerable<IdlTable> Tables => _tables.Values;

    internal IdlTransaction? CurrentTransaction { get; set; }

    internal IdlOptions Options => _options;

    /// <summary>
    /// Connects to <paramref name="remote"/> (e.g. <c>unix:/var/run/openvswitch/db.sock</c>), fetches the schema,
    /// starts monitoring and returns once the initial contents are queued (call <see cref="Run"/> to see them).
    /// The first connection attempt is not retried: a failure throws (a <see cref="System.Net.Sockets.SocketException"/>
    /// for connection problems, an <see cref="OvsdbException"/> when the server does not serve the database), the
    /// way ovs-vsctl gives up at once. Later disconnections are retried in the background when
    /// <see cref="IdlOptions.Reconnect"/> is set.
    /// </summary>
    public static async Task<OvsdbIdl> ConnectAsync(string remote, IdlOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new IdlOptions();
        JsonRpcAddress address = JsonRpcAddress.Parse(remote);
        var connection = await JsonRpcConnection.ConnectAsync(address, JsonRpcConnectionOptions.ForAddress(address, options.TimeProvider), cancellationToken).ConfigureAwait(false);
        var box = new SessionBox();
        var session = new JsonRpcSession(connection, message => box.Idl?.OnIncoming(message), options.FirstRequestId);
        OvsdbIdl idl;
        try
        {
            idl = await CreateAsync(address, options, session, box, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        idl._maintenance = Task.Run(() => idl.MaintainAsync(session));
        return idl;
    }

    /// <summary>Finds a monitored table by name.</summary>
    public IdlTable? FindTable(string name) => _tables.GetValueOrDefault(name);

    /// <summary>A monitored table by name; throws when the table is not monitored.</summary>
    public IdlTable GetTable(string name) => FindTable(name) ?? throw new ArgumentException($"table {name} is not monitored", nameof(name));

    /// <summary>
    /// Applies every update received since the last call. Returns true when anything changed (the sequence number
    /// then has increased). Must not be called while a transaction is open.
    /// </summary>
    public bool Run()
    {
        if (CurrentTransaction is not null)
        {
            throw new InvalidOperationException("cannot apply updates while a transaction is open");
        }
        var changes = new List<IdlRowChange>();
        bool any = false;
        while (_events.TryDequeue(out IdlEvent? item))
        {
            switch (item)
            {
                case IdlEvent.Reset reset:
                    ApplyReset(reset.Updates, reset.Version, changes);
                    IsConnected = true;
                    any = true;
                    break;
                case IdlEvent.Update update:
                    ApplyTableUpdates(update.Updates, update.Version, changes);
                    break;
                case IdlEvent.Lock lockEvent:
                    HasLock = lockEvent.Held;
                    LockChanged?.Invoke(lockEvent.Held);
                    any = true;
                    break;
                case IdlEvent.Disconnected disconnected:
                    IsConnected = false;
                    HasLock = false;
                    LastError = disconnected.Reason;
                    any = true;
                    break;
            }
        }
        if (changes.Count > 0 || any)
        {
            Interlocked.Increment(ref _sequence);
            foreach (IdlRowChange change in changes)
            {
                if (FindTable(change.Table)?.FindCommitted(change.Uuid) is { } row)
                {
                    row.ChangeSequence = _sequence;
                }
            }
            if (changes.Count > 0)
            {
                Changed?.Invoke(changes);
            }
            return true;
        }
        return false;
    }

    /// <summary>Completes when there is something for <see cref="Run"/> to apply (or at once if there already is).</summary>
    public Task WaitForUpdatesAsync(CancellationToken cancellationToken = default)
    {
        Task signal;
        lock (_gate)
        {
            if (!_events.IsEmpty)
            {
                return Task.CompletedTask;
            }
            signal = _signal.Task;
        }
        return signal.WaitAsync(cancellationToken);
    }

    /// <summary>Starts a transaction; only one may be open at a time.</summary>
    public IdlTransaction CreateTransaction()
    {
        if (CurrentTransaction is not null)
        {
            throw new InvalidOperationException("a transaction is already open");
        }
        var transaction = new IdlTransaction(this);
        CurrentTransaction = transaction;
        return transaction;
    }

    /// <summary>Closes the connection and stops reconnecting.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }
        _disposed.Cancel();
        JsonRpcSession? session = _session;
        if (session is not null)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
        if (_maintenance is not null)
        {
            try
            {
                await _maintenance.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Cancellation is how the maintenance loop stops.
            }
        }
        _disposed.Dispose();
    }

    /// <summary>Sends a <c>transact</c> request and returns the reply; throws <see cref="IOException"/> when disconnected.</summary>
    internal async Task<JsonRpcMessage> TransactAsync(JsonElement @params, CancellationToken cancellationToken)
    {
        JsonRpcSession session = _session ?? throw new IOException("not connected");
        return await session.RequestAsync("transact", @params, cancellationToken).ConfigureAwait(false);
    }

    private void BuildTables()
    {
        foreach (TableSchema table in Schema.Tables)
        {
            IReadOnlyCollection<string>? wanted = null;
            if (_options.Tables is { } selection)
            {
                if (!selection.TryGetValue(table.Name, out wanted))
                {
                    continue;
                }
            }
            List<string> columns = wanted is null
                ? [.. table.Columns.Select(c => c.Name)]
                : [.. wanted.Where(c => table.FindColumn(c) is { IsReserved: false })];
            _tables.Add(table.Name, new IdlTable(this, table, columns));
        }
    }

    private void Enqueue(IdlEvent item)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            _events.Enqueue(item);
            signal = _signal;
            _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        signal.TrySetResult();
    }

    private void OnIncoming(JsonRpcMessage message)
    {
        if (message.Kind != JsonRpcMessageKind.Notification || message.Params is not { } @params)
        {
            return;
        }
        switch (message.Method)
        {
            case "update" or "update2" or "update3":
                lock (_gate)
                {
                    if (!_established)
                    {
                        _held.Add(message);
                        return;
                    }
                }
                QueueUpdate(message);
                break;
            case "locked" or "stolen":
                if (@params.GetArrayLength() == 1 && @params[0].ValueKind == JsonValueKind.String && @params[0].GetString() == _options.LockName)
                {
                    Enqueue(new IdlEvent.Lock(message.Method == "locked"));
                }
                break;
            case "monitor_canceled":
                // The database went away or was converted: start over on a new connection, as the C IDL does.
                _session?.Connection.Close("monitor canceled by the server");
                break;
        }
    }

    private void QueueUpdate(JsonRpcMessage message)
    {
        JsonElement @params = message.Params!.Value;
        int length = @params.GetArrayLength();
        if (length < 2 || !JsonElement.DeepEquals(@params[0], _monitorId))
        {
            return;
        }
        switch (message.Method)
        {
            case "update":
                Enqueue(new IdlEvent.Update(@params[1].Clone(), 1));
                break;
            case "update2":
                Enqueue(new IdlEvent.Update(@params[1].Clone(), 2));
                break;
            case "update3" when length >= 3:
                Enqueue(new IdlEvent.Update(@params[2].Clone(), 2));
                break;
        }
    }

    private sealed class SessionBox
    {
        public OvsdbIdl? Idl { get; set; }
    }

    /// <summary>What the receive side hands to <see cref="Run"/>.</summary>
    private abstract record IdlEvent
    {
        public sealed record Reset(JsonElement Updates, int Version) : IdlEvent;

        public sealed record Update(JsonElement Updates, int Version) : IdlEvent;

        public sealed record Lock(bool Held) : IdlEvent;

        public sealed record Disconnected(string Reason) : IdlEvent;
    }
}
