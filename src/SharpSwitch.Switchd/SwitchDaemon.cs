// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Threading.Channels;
using SharpSwitch.Datapath;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Switchd.Commands;
using SharpSwitch.Switchd.Config;
using SharpSwitch.Switchd.Logging;
using SharpSwitch.Switchd.Netdevs;
using SharpSwitch.Switchd.Time;
using SharpSwitch.Switchd.Unixctl;

namespace SharpSwitch.Switchd;

/// <summary>
/// The switch daemon: an ordinary OVSDB client that takes the <c>ovs_vswitchd</c> lock, reconciles the database
/// into the datapath, writes status back, and serves unixctl commands. Everything that touches the datapath runs on
/// one loop (as in OVS's poll loop), so handlers, timers and reconfiguration never race; <see cref="RunAsync"/> gives
/// that loop a thread of its own, which also forwards.
/// </summary>
public sealed partial class SwitchDaemon : IAsyncDisposable
{
    private readonly SwitchDaemonOptions _options;
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NetdevRegistry _netdevs;
    private readonly Reconciler _reconciler;
    private readonly StatusWriter _status = new();
    private readonly BondEventLog _bondEvents;
    private readonly CancellationTokenSource _exit = new();
    private OvsdbIdl? _idl;
    private long _appliedSequence = -1;
    private long? _appliedNextCfg;
    private long? _writtenCurCfg;
    private long _nextStatisticsMs;
    private bool _configDirty;
    private bool _configurationChanged = true;

    /// <summary>
    /// The columns this daemon writes itself. A change confined to them is the echo of our own status write, not new
    /// configuration, so it must not trigger another reconciliation (OVS's vswitchd marks the same columns
    /// "omit alert" in its IDL for the same reason). The list lives beside the writes, in <see cref="StatusWriter"/>.
    /// </summary>
    private static readonly HashSet<(string Table, string Column)> s_statusColumns = StatusWriter.WrittenColumns;

    /// <summary>Creates the daemon; <see cref="RunAsync"/> connects and runs it.</summary>
    public SwitchDaemon(SwitchDaemonOptions options, Vlog? log = null)
    {
        _options = options;
        Clock = new DaemonClock(options.TimeProvider);
        Log = log ?? new Vlog(() => options.TimeProvider.GetUtcNow());
        Datapath = new Datapath.Datapath(options.PacketPool);
        _netdevs = new NetdevRegistry(Datapath.Pool, options.DummyOverridesSystem, action => PostToLoop(action));
        _netdevs.Log = Log;
        _bondEvents = new BondEventLog(Log, options.BondEventSink);
        _reconciler = new Reconciler(Datapath, _netdevs, Log, _bondEvents);
        Commands = new UnixctlCommandTable($"{options.ProgramName} (Open vSwitch) {SwitchdAssembly.Version}");
        Commands.RegisterAll(DaemonCommands.Create(this));
        Commands.RegisterAll(BondCommands.Create(this));
        Commands.RegisterAll(BridgeCommands.Create(this));
        Commands.RegisterAll(LacpCommands.Create(this));
        if (options.EnableDummy)
        {
            Commands.RegisterAll(DummyCommands.Create(this));
        }
    }

    /// <summary>The daemon's monotonic clock (stoppable and warpable in dummy mode).</summary>
    public DaemonClock Clock { get; }

    /// <summary>The daemon's log.</summary>
    public Vlog Log { get; }

    /// <summary>The datapath the configuration is applied to.</summary>
    public Datapath.Datapath Datapath { get; }

    /// <summary>The unixctl commands this daemon answers.</summary>
    public UnixctlCommandTable Commands { get; }

    /// <summary>Completes once the daemon has applied its first configuration from the database.</summary>
    public Task Ready => _ready.Task;

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal NetdevRegistry Netdevs => _netdevs;

    internal BondEventLog BondEvents => _bondEvents;

    /// <summary>Asks the loop to stop after the current iteration.</summary>
    public void RequestExit() => _exit.Cancel();

    /// <summary>Runs <paramref name="handler"/> on the daemon's loop; this is how unixctl handlers reach the datapath.</summary>
    public Task<T> InvokeAsync<T>(Func<T> handler)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Run()
        {
            try
            {
                completion.SetResult(handler());
            }
            catch (Exception ex)
            {
                completion.SetException(ex);
            }
        }
        if (!PostToLoop(Run))
        {
            completion.SetException(new InvalidOperationException("the daemon is shutting down"));
        }
        return completion.Task;
    }

    /// <summary>Queues work for the loop and wakes the loop's thread if it sleeps; false once the loop has stopped.</summary>
    private bool PostToLoop(Action action)
    {
        if (!_work.Writer.TryWrite(action))
        {
            return false;
        }
        _loopWaker?.Kick();
        return true;
    }

    /// <summary>
    /// Connects to the database and runs until <see cref="RequestExit"/> or cancellation. After connecting, the whole
    /// loop (database changes, unixctl commands, forwarding, status writes) runs on one dedicated thread,
    /// <see cref="LoopThreadName"/>; see <c>SwitchDaemon.Loop.cs</c> for why.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _exit.Token);
        CancellationToken stop = linked.Token;
        try
        {
            await ConnectAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            _work.Writer.TryComplete();
            RunPendingWork();
            return;
        }
        await RunLoopThreadAsync(stop).ConfigureAwait(false);
    }

    private void RunPendingWork()
    {
        while (_work.Reader.TryRead(out Action? pending))
        {
            pending();
        }
    }

    /// <summary>
    /// Connects the replica and takes the lock; <see cref="RunAsync"/> does this first, and the lab calls it before
    /// driving the daemon with <see cref="RunOnceAsync"/> on its own clock.
    /// </summary>
    internal async Task ConnectAsync(CancellationToken cancellationToken)
    {
        _idl = await OvsdbIdl.ConnectAsync(_options.Remote, new IdlOptions
        {
            LockName = "ovs_vswitchd",
            TimeProvider = _options.TimeProvider,
            Connect = _options.Connect,
            // Like ovs-vswitchd, wait for a database that is not there yet rather than exit.
            RetryInitialConnection = true,
            // Every server choice (connect, skip a follower or a stale server, lost, backoff) is logged with its
            // reason at once (the log is thread-safe), so that a daemon still waiting for its first server says why.
            OnTransition = transition => Log.Info("reconnect", transition.ToString()),
        }, cancellationToken).ConfigureAwait(false);
        _idl.Changed += OnReplicaChanged;
        Log.Info("reconnect", $"{_options.Remote}: connected");
    }

    /// <summary>Completes when the replica has database changes to apply (at once if some are already applied to the replica but not yet reconciled).</summary>
    internal Task WaitForDatabaseAsync(CancellationToken cancellationToken) => HasUnreconciledChanges ? Task.CompletedTask : _idl!.WaitForUpdatesAsync(cancellationToken);

    /// <summary>
    /// True when the replica changed after the last reconciliation without a new update being queued: the status
    /// commit applies whatever arrived meanwhile to the replica, so waiting for the next update would miss it.
    /// </summary>
    private bool HasUnreconciledChanges => _configurationChanged && _idl is { } idl && idl.SequenceNumber != _appliedSequence;

    /// <summary>
    /// One iteration of the loop: apply database changes, run queued commands, forward, write status. The lab drives
    /// the daemon with this on its own clock; the daemon's own thread runs the same steps without waiting for the
    /// status write (<c>SwitchDaemon.Loop.cs</c>).
    /// </summary>
    internal async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        OvsdbIdl idl = _idl!;
        idl.Run();
        ApplyDatabaseChanges(idl);
        RunPendingWork();
        if (_options.RunsDatapath)
        {
            RunDatapath();
        }
        await WriteStatusAsync(idl, cancellationToken).ConfigureAwait(false);
        MarkReadyOnceApplied(idl);
    }

    /// <summary>Reconciles the datapath with the replica when its configuration changed since the last time.</summary>
    private void ApplyDatabaseChanges(OvsdbIdl idl)
    {
        if (idl.IsConnected && idl.SequenceNumber != _appliedSequence && _configurationChanged)
        {
            _configurationChanged = false;
            _appliedSequence = idl.SequenceNumber;
            _reconciler.Apply(idl, Clock.NowMs);
            _appliedNextCfg = idl.GetTable("Open_vSwitch").Rows.FirstOrDefault() is IdlRow root ? RowValues.OptionalInteger(root, "next_cfg") ?? 0 : null;
            _configDirty = true;
        }
    }

    private void MarkReadyOnceApplied(OvsdbIdl idl)
    {
        if (_writtenCurCfg is not null || (idl.IsConnected && _appliedNextCfg is null))
        {
            _ready.TrySetResult();
        }
    }

    private void OnReplicaChanged(IReadOnlyList<IdlRowChange> changes)
    {
        foreach (IdlRowChange change in changes)
        {
            if (change.Kind != IdlChangeKind.Modify)
            {
                _configurationChanged = true;
                return;
            }
            foreach (string column in change.Columns)
            {
                if (!s_statusColumns.Contains((change.Table, column)))
                {
                    _configurationChanged = true;
                    return;
                }
            }
        }
    }

    /// <summary>Forwards queued frames and runs every bond, LACP and MAC-aging timer that is due.</summary>
    internal void RunDatapath()
    {
        long now = Clock.NowMs;
        Datapath.Run(now);
        _netdevs.Pump(now);
    }

    private async Task WriteStatusAsync(OvsdbIdl idl, CancellationToken cancellationToken)
    {
        if (BeginStatusWrite(idl, cancellationToken) is StatusWrite write)
        {
            try
            {
                await write.Commit.ConfigureAwait(false);
            }
            finally
            {
                FinishStatusWrite(write);
            }
        }
    }

    /// <summary>
    /// Builds the status transaction and sends it; null when there is nothing to write (or nothing changed, in which
    /// case <c>cur_cfg</c> counts as written). <see cref="FinishStatusWrite"/> takes the reply. The two halves let the
    /// loop thread go on forwarding while the reply is on its way, and take it at an iteration boundary.
    /// </summary>
    private StatusWrite? BeginStatusWrite(OvsdbIdl idl, CancellationToken cancellationToken)
    {
        if (!idl.IsConnected || !idl.HasLock)
        {
            return null;
        }
        long now = Clock.NowMs;
        bool statisticsDue = now >= _nextStatisticsMs;
        if (!_configDirty && !_bondEvents.StatusDirty && !statisticsDue && !LinkStateChanged())
        {
            return null;
        }
        IdlTransaction transaction = idl.CreateTransaction();
        try
        {
            long? cfg = _appliedNextCfg != _writtenCurCfg ? _appliedNextCfg : null;
            int changes = _status.Write(transaction, idl, Datapath, _netdevs, _reconciler.InterfaceErrors, statisticsDue, cfg);
            _configDirty = false;
            _bondEvents.StatusDirty = false;
            if (statisticsDue)
            {
                _nextStatisticsMs = now + Math.Max(5000, _options.StatisticsIntervalMs);
            }
            if (changes == 0)
            {
                if (cfg is not null)
                {
                    _writtenCurCfg = cfg;
                }
                transaction.Dispose();
                return null;
            }
            return new StatusWrite(transaction, transaction.CommitAsync(cancellationToken), cfg);
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    /// <summary>Takes the reply of a status transaction once it is in (throws what the commit threw, as awaiting it would).</summary>
    private void FinishStatusWrite(StatusWrite write)
    {
        write.Transaction.Dispose();
        if (!write.Commit.IsCompletedSuccessfully)
        {
            return;
        }
        IdlCommitResult result = write.Commit.Result;
        if (result.Status == IdlTransactionStatus.Success)
        {
            if (write.Cfg is long cfg)
            {
                _writtenCurCfg = cfg;
            }
        }
        else
        {
            // A conflict means the replica was stale; the next iteration rebuilds the write from fresh rows.
            _configDirty = true;
            Log.Debug("bridge", $"status transaction: {result.Status} {result.Error}");
        }
    }

    /// <summary>A status transaction sent to the database, with the <c>cur_cfg</c> it carries.</summary>
    private sealed record StatusWrite(IdlTransaction Transaction, Task<IdlCommitResult> Commit, long? Cfg);

    private readonly LinkStatusTracker _linkStatus = new();

    /// <summary>True when a port interface's carrier, admin state, MTU or MAC changed since the last look.</summary>
    private bool LinkStateChanged()
    {
        // Indexed loops: this runs on every iteration of the forwarding loop, and foreach over the read-only list
        // interfaces would allocate an enumerator each time.
        _linkStatus.Begin();
        IReadOnlyList<Bridge> bridges = Datapath.Bridges;
        for (int b = 0; b < bridges.Count; b++)
        {
            IReadOnlyList<BridgePort> ports = bridges[b].Ports;
            for (int p = 0; p < ports.Count; p++)
            {
                IReadOnlyList<PortInterface> interfaces = ports[p].Interfaces;
                for (int i = 0; i < interfaces.Count; i++)
                {
                    _linkStatus.Observe(interfaces[i].Device);
                }
            }
        }
        return _linkStatus.End();
    }

    /// <summary>Stops the loop and closes the database connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _exit.CancelAsync().ConfigureAwait(false);
        await WaitForLoopThreadAsync().ConfigureAwait(false);
        if (_idl is not null)
        {
            await _idl.DisposeAsync().ConfigureAwait(false);
        }
        // Socket-linked dummies own listeners and socket files; a stopping daemon must not leave them behind.
        _netdevs.Dispose();
        // After the devices: they take their descriptors out of the loop's epoll set as they close.
        _loopWaker?.Dispose();
        _exit.Dispose();
    }
}
