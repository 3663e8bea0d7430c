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

    private readonly JsonRpcRemoteList _remotes;
    private readonly IdlOptions _options;
    private readonly IdlSessionMachine _machine;
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
    private readonly JsonElement _serverMonitorId;
    private JsonRpcConnection? _currentConnection;
    private JsonRpcSession? _attempt;
    private string? _lastTransactionId;

    private OvsdbIdl(JsonRpcRemoteList remotes, IdlOptions options)
    {
        _remotes = remotes;
        _options = options;
        _machine = new IdlSessionMachine([.. remotes.Addresses.Select(a => a.Text)], options.LeaderOnly, new ReconnectBackoff(options.MinBackoff, options.MaxBackoff));
        _monitorId = JsonValues.StringArray(["monid", options.Database]);
        _serverMonitorId = JsonValues.StringArray(["monid", ServerDatabase]);
    }

    /// <summary>The schema of the replicated database (learned from the first server this replica followed).</summary>
    public DatabaseSchema Schema { get; private set; } = null!;

    /// <summary>The remote this replica follows (or is trying), one of <see cref="Remotes"/>.</summary>
    public string Remote => _machine.CurrentRemote;

    /// <summary>Every remote of the list, in the (shuffled) order they are tried.</summary>
    public IReadOnlyList<string> Remotes => [.. _remotes.Addresses.Select(a => a.Text)];

    /// <summary>
    /// Increases each time <see cref="Run"/> applies the start of a new monitor, i.e. once per (re)connection. A
    /// caller whose transaction was cut off by a lost connection waits for this to move before trying again.
    /// </summary>
    public long ConnectionGeneration { get; private set; }

    /// <summary>The highest Raft index accepted from any server of a clustered database (0 until one is seen).</summary>
    public long MinIndex => _machine.MinIndex;

    /// <summary>
    /// The id of the last transaction the replica has received (from <c>monitor_cond_since</c> and <c>update3</c>);
    /// a reconnection asks the next server for the changes since then. Null until a server has reported one.
    /// </summary>
    public string? LastTransactionId
    {
        get
        {
            lock (_gate)
            {
                return _lastTransactionId;
            }
        }
    }

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
    /// Connects to <paramref name="remote"/> (e.g. <c>unix:/var/run/openvswitch/db.sock</c>, or a comma-separated
    /// list of servers of a cluster), fetches the schema, starts monitoring and returns once the initial contents are
    /// queued (call <see cref="Run"/> to see them). The remotes are tried in turn, skipping clustered servers that are
    /// not the leader (see <see cref="IdlOptions.LeaderOnly"/>), out of their cluster or behind. When a whole round
    /// only failed (no server reachable, or none serving the database) this throws the last error (a
    /// <see cref="System.Net.Sockets.SocketException"/> for connection problems, an <see cref="OvsdbException"/> when
    /// the server does not serve the database), the way ovs-vsctl gives up at once, unless
    /// <see cref="IdlOptions.RetryInitialConnection"/> is set. Later disconnections are retried in the background when
    /// <see cref="IdlOptions.Reconnect"/> is set.
    /// </summary>
    public static async Task<OvsdbIdl> ConnectAsync(string remote, IdlOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new IdlOptions();
        JsonRpcRemoteList remotes = JsonRpcRemoteList.Parse(remote);
        if (options.ShuffleRemotes && remotes.Count > 1)
        {
            remotes = remotes.Shuffled(options.RemoteSeed is int seed ? new Random(seed) : new Random());
        }
        var idl = new OvsdbIdl(remotes, options);
        try
        {
            await idl.ConnectFirstAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await idl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        idl._maintenance = Task.Run(idl.MaintainAsync);
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
        if (_events.IsEmpty)
        {
            // The switch daemon's loop calls this on every wake-up; most find nothing to apply and allocate nothing.
            return false;
        }
        var changes = new List<IdlRowChange>();
        bool any = false;
        while (_events.TryDequeue(out IdlEvent? item))
        {
            switch (item)
            {
                case IdlEvent.Reset reset:
                    if (reset.Clear)
                    {
                        ApplyReset(reset.Updates, reset.Version, changes);
                    }
                    else
                    {
                        // monitor_cond_since found our last transaction: the reply is only what changed since.
                        ApplyTableUpdates(reset.Updates, reset.Version, changes);
                    }
                    IsConnected = true;
                    ConnectionGeneration++;
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
        foreach (JsonRpcSession? session in new[] { _session, _attempt })
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
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

    private void OnIncoming(JsonRpcConnection connection, JsonRpcMessage message)
    {
        if (message.Kind != JsonRpcMessageKind.Notification || message.Params is not { } @params)
        {
            return;
        }
        lock (_gate)
        {
            if (!ReferenceEquals(connection, _currentConnection))
            {
                // A late message from a connection this replica has already left behind.
                return;
            }
        }
        switch (message.Method)
        {
            case "update" or "update2" or "update3":
                if (@params.GetArrayLength() >= 2 && JsonElement.DeepEquals(@params[0], _serverMonitorId))
                {
                    OnServerUpdate(connection, @params[1]);
                    return;
                }
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
                connection.Close("monitor canceled by the server");
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
                lock (_gate)
                {
                    if (@params[1].ValueKind == JsonValueKind.String)
                    {
                        _lastTransactionId = @params[1].GetString();
                    }
                    Enqueue(new IdlEvent.Update(@params[2].Clone(), 2));
                }
                break;
        }
    }

    /// <summary>What the receive side hands to <see cref="Run"/>.</summary>
    private abstract record IdlEvent
    {
        public sealed record Reset(JsonElement Updates, int Version, bool Clear) : IdlEvent;

        public sealed record Update(JsonElement Updates, int Version) : IdlEvent;

        public sealed record Lock(bool Held) : IdlEvent;

        public sealed record Disconnected(string Reason) : IdlEvent;
    }
}
