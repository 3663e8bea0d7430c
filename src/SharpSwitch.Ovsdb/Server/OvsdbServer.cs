// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Threading.Channels;
using SharpSwitch.JsonRpc;

namespace SharpSwitch.Ovsdb.Server;

/// <summary>
/// The I/O shell around <see cref="OvsdbServerEngine"/>: it listens on the remotes (<c>punix:PATH</c>,
/// <c>ptcp:PORT[:IP]</c>), runs one reader and one writer per connection, feeds every message to the engine under
/// one lock, and wakes the engine when a blocked <c>wait</c> times out. A client that sends malformed JSON or an
/// oversized message is disconnected; other clients are unaffected.
/// </summary>
public sealed class OvsdbServer : IAsyncDisposable
{
    private readonly OvsdbServerEngine _engine;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;
    private readonly object _gate = new();
    private readonly List<JsonRpcListener> _listeners = [];
    private readonly List<Task> _tasks = [];
    private readonly List<JsonRpcConnection> _connections = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _timer;
    private readonly MemoryTrimPolicy? _trimPolicy;
    private readonly Func<ProcessMemory.TrimResult> _trim;
    private readonly Func<long> _allocatedBytes;
    private readonly ITimer? _trimTimer;

    private OvsdbServer(OvsdbServerEngine engine, TimeProvider time, Action<string> log, MemoryTrimPolicy? trimPolicy,
        Func<ProcessMemory.TrimResult>? trim, Func<long>? allocatedBytes)
    {
        _engine = engine;
        _time = time;
        _log = log;
        _timer = time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _trimPolicy = trimPolicy;
        _trim = trim ?? ProcessMemory.Trim;
        _allocatedBytes = allocatedBytes ?? (() => GC.GetTotalAllocatedBytes(precise: false));
        if (trimPolicy is not null)
        {
            _trimTimer = time.CreateTimer(_ => OnTrimTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The memory policy given to <see cref="Start"/>, for <c>ovsdb-server/memory-trim-on-compaction</c>; null when none.</summary>
    public MemoryTrimPolicy? TrimPolicy => _trimPolicy;

    /// <summary>The listeners, in the order of the remotes (for the port a <c>ptcp:0</c> remote got).</summary>
    public IReadOnlyList<JsonRpcListener> Listeners => _listeners;

    /// <summary>The number of connected clients.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>
    /// Starts listening on every remote. With a <paramref name="trimPolicy"/>, the server gives memory back to the
    /// system when the policy says so (by <paramref name="trim"/>, <see cref="ProcessMemory.Trim"/> unless a test
    /// passes another; <paramref name="allocatedBytes"/> is the running allocation total the policy watches, the
    /// process's unless given). Only a server that is the process's main work should have one (<c>vsw
    /// ovsdb-server</c>): a full collection stops every thread of the process.
    /// </summary>
    public static OvsdbServer Start(OvsdbServerEngine engine, IEnumerable<JsonRpcAddress> remotes, TimeProvider? time = null, Action<string>? log = null,
        MemoryTrimPolicy? trimPolicy = null, Func<ProcessMemory.TrimResult>? trim = null, Func<long>? allocatedBytes = null)
    {
        var server = new OvsdbServer(engine, time ?? TimeProvider.System, log ?? (_ => { }), trimPolicy, trim, allocatedBytes);
        try
        {
            foreach (JsonRpcAddress remote in remotes)
            {
                JsonRpcListener listener = JsonRpcListener.Start(remote, address => new JsonRpcConnectionOptions
                {
                    TimeProvider = server._time,
                    InactivityProbeInterval = JsonRpcConnectionOptions.ForAddress(address).InactivityProbeInterval,
                    // The engine handles each request before the next is read and copies what it keeps, so requests
                    // can be parsed in place in pooled memory instead of into large one-off arrays.
                    LeaseReceivedMessages = true,
                });
                server._listeners.Add(listener);
                server._tasks.Add(Task.Run(() => server.AcceptLoopAsync(listener)));
            }
        }
        catch
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        return server;
    }

    /// <summary>
    /// Serves a connection that did not come through a listener (one end of an in-memory pipe, for a client in the
    /// same process), exactly as an accepted socket is served.
    /// </summary>
    public void Attach(JsonRpcConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        lock (_gate)
        {
            _connections.Add(connection);
            _tasks.Add(Task.Run(() => ServeAsync(connection)));
        }
    }

    /// <summary>Runs an action on the engine under the server's lock (for control commands such as compaction).</summary>
    public T Invoke<T>(Func<OvsdbServerEngine, T> action)
    {
        lock (_gate)
        {
            long compactions = _engine.CompactionCount;
            T result = action(_engine);
            AfterEngineCall(compactions);
            return result;
        }
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task AcceptLoopAsync(JsonRpcListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            JsonRpcConnection connection;
            try
            {
                connection = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (System.Net.Sockets.SocketException e)
            {
                _log($"{listener.Address.Text}: accept failed: {e.Message}");
                continue;
            }
            lock (_gate)
            {
                _connections.Add(connection);
            }
            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(JsonRpcConnection connection)
    {
        var outbox = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { SingleReader = true });
        var session = new OvsdbSession(connection.Name, message => outbox.Writer.TryWrite(message));
        lock (_gate)
        {
            _engine.Connect(session);
        }
        Task writer = WriteLoopAsync(connection, outbox.Reader);
        try
        {
            while (true)
            {
                JsonRpcMessage? message = await connection.ReceiveAsync(_stopping.Token).ConfigureAwait(false);
                if (message is null)
                {
                    break;
                }
                try
                {
                    lock (_gate)
                    {
                        long compactions = _engine.CompactionCount;
                        _engine.Receive(session, message, NowMs);
                        ScheduleTimer();
                        AfterEngineCall(compactions);
                    }
                }
                finally
                {
                    message.Dispose();
                }
            }
        }
        catch (JsonRpcProtocolException e)
        {
            _log($"{connection.Name}: {e.Message}, disconnecting");
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The server is stopping or the peer vanished; either way this session ends here.
        }
        catch (Exception e)
        {
            // Whatever one client's input provokes must not take the server down; it costs that client its connection.
            _log($"{connection.Name}: closing connection after unexpected error: {e}");
        }
        finally
        {
            lock (_gate)
            {
                _engine.Disconnect(session);
                _connections.Remove(connection);
                ScheduleTimer();
            }
            outbox.Writer.TryComplete();
            await writer.ConfigureAwait(false);
            connection.Close(connection.DisconnectReason ?? "closed");
        }
    }

    private static async Task WriteLoopAsync(JsonRpcConnection connection, ChannelReader<JsonRpcMessage> outbox)
    {
        try
        {
            await foreach (JsonRpcMessage message in outbox.ReadAllAsync().ConfigureAwait(false))
            {
                await connection.SendAsync(message).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The peer went away; the reader notices and ends the session.
            connection.Close("send failed");
        }
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            _engine.Tick(NowMs);
            ScheduleTimer();
        }
    }

    // Called under _gate after every request and control command: trims at once after a compaction (when switched on),
    // else (re)arms the quiet-time timer of the burst rule.
    private void AfterEngineCall(long compactionsBefore)
    {
        if (_trimPolicy is null)
        {
            return;
        }
        bool compacted = _engine.CompactionCount != compactionsBefore;
        if (_trimPolicy.RequestHandled(NowMs, _allocatedBytes(), compacted) is { } reason)
        {
            TrimNow(reason);
        }
        ScheduleTrimTimer();
    }

    private void OnTrimTimer()
    {
        lock (_gate)
        {
            if (_trimPolicy!.Tick(NowMs, _allocatedBytes()) is { } reason)
            {
                TrimNow(reason);
            }
            ScheduleTrimTimer();
        }
    }

    private void TrimNow(MemoryTrimReason reason)
    {
        ProcessMemory.TrimResult result = _trim();
        string why = reason switch
        {
            MemoryTrimReason.AfterCompaction => "after compaction",
            MemoryTrimReason.IdleAfterBurst => "idle after a burst of requests",
            MemoryTrimReason.FollowUp => "follow-up after a burst",
            _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
        };
        _log($"memory trimmed ({why}): managed heap {result.HeapBytesBefore / 1024} kB -> {result.HeapBytesAfter / 1024} kB, " +
            $"committed {result.CommittedBytesBefore / 1024} kB -> {result.CommittedBytesAfter / 1024} kB");
    }

    private void ScheduleTrimTimer()
    {
        try
        {
            if (_trimPolicy?.DeadlineMs is long deadline)
            {
                _trimTimer!.Change(TimeSpan.FromMilliseconds(Math.Max(0, deadline - NowMs)), Timeout.InfiniteTimeSpan);
            }
            else
            {
                _trimTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }
        catch (ObjectDisposedException)
        {
            // The server is stopping.
        }
    }

    private void ScheduleTimer()
    {
        if (_engine.NextDeadlineMs is long deadline)
        {
            long delay = Math.Max(0, deadline - NowMs) + 1;
            _timer.Change(TimeSpan.FromMilliseconds(delay), Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _timer.Dispose();
        _trimTimer?.Dispose();
        foreach (JsonRpcListener listener in _listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }
        List<JsonRpcConnection> connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }
        foreach (JsonRpcConnection connection in connections)
        {
            connection.Close("server stopping");
        }
        try
        {
            await Task.WhenAll(_tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Accept loops end by cancellation.
        }
    }
}
