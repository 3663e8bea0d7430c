// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Collections.Concurrent;
using System.Text.Json;

namespace SharpSwitch.JsonRpc;

/// <summary>
/// The client side of a connection: it numbers requests, matches replies to them, and hands every other incoming
/// message (notifications and requests other than <c>echo</c>) to a callback. The callback runs on the receive loop
/// before the next message is read, so a notification that precedes a reply on the wire (OVSDB sends the
/// <c>update3</c> for a transaction before its reply) is fully handled before the reply's task completes.
/// </summary>
public sealed class JsonRpcSession : IAsyncDisposable
{
    private readonly JsonRpcConnection _connection;
    private readonly Action<JsonRpcMessage> _onIncoming;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonRpcMessage>> _pending = new();
    private readonly Task _receiveLoop;
    private long _nextId;

    /// <summary>
    /// Starts receiving on <paramref name="connection"/>. Request ids start at <paramref name="firstId"/> (ovs-vsctl
    /// starts at 1, most other OVS clients at 0).
    /// </summary>
    public JsonRpcSession(JsonRpcConnection connection, Action<JsonRpcMessage> onIncoming, long firstId = 0)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(onIncoming);
        _connection = connection;
        _onIncoming = onIncoming;
        _nextId = firstId;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>The underlying connection.</summary>
    public JsonRpcConnection Connection => _connection;

    /// <summary>Completes when the connection has ended; its result is the reason.</summary>
    public Task<string> Completion => _receiveLoop.ContinueWith(_ => _connection.DisconnectReason ?? "closed", TaskScheduler.Default);

    /// <summary>
    /// Sends a request and waits for its reply or error reply. Throws <see cref="IOException"/> if the connection
    /// ends first.
    /// </summary>
    public async Task<JsonRpcMessage> RequestAsync(string method, JsonElement @params, CancellationToken cancellationToken = default)
    {
        long id = Interlocked.Increment(ref _nextId) - 1;
        var completion = new TaskCompletionSource<JsonRpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        if (_connection.IsClosed)
        {
            _pending.TryRemove(id, out _);
            throw new IOException($"{_connection.Name}: connection closed ({_connection.DisconnectReason})");
        }
        try
        {
            await _connection.SendAsync(JsonRpcMessage.CreateRequest(id, method, @params), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _pending.TryRemove(id, out _);
            throw;
        }
        using (cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken)))
        {
            try
            {
                return await completion.Task.ConfigureAwait(false);
            }
            finally
            {
                _pending.TryRemove(id, out _);
            }
        }
    }

    /// <summary>Sends a message that needs no reply (a notification, or an answer to a request from the peer).</summary>
    public Task SendAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        return _connection.SendAsync(message, cancellationToken);
    }

    /// <summary>Closes the connection and fails every outstanding request.</summary>
    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _receiveLoop.ConfigureAwait(false);
        }
        catch (JsonRpcProtocolException)
        {
            // Already reported through Completion; disposal must not throw.
        }
    }

    private async Task ReceiveLoopAsync()
    {
        string reason = "closed";
        try
        {
            while (true)
            {
                JsonRpcMessage? message = await _connection.ReceiveAsync().ConfigureAwait(false);
                if (message is null)
                {
                    reason = _connection.DisconnectReason ?? "end of file";
                    break;
                }
                if (message.Kind is JsonRpcMessageKind.Reply or JsonRpcMessageKind.Error
                    && message.Id is { ValueKind: JsonValueKind.Number } id
                    && id.TryGetInt64(out long number)
                    && _pending.TryRemove(number, out TaskCompletionSource<JsonRpcMessage>? waiter))
                {
                    waiter.TrySetResult(message);
                    continue;
                }
                try
                {
                    _onIncoming(message);
                }
                catch (Exception ex)
                {
                    // A failing handler leaves the session in an unknown state, so the connection is dropped.
                    reason = $"message handler failed: {ex.Message}";
                    _connection.Close(reason);
                    break;
                }
            }
        }
        catch (JsonRpcProtocolException ex)
        {
            reason = ex.Message;
        }
        finally
        {
            foreach (long id in _pending.Keys)
            {
                if (_pending.TryRemove(id, out TaskCompletionSource<JsonRpcMessage>? waiter))
                {
                    waiter.TrySetException(new IOException($"{_connection.Name}: connection closed before the reply ({reason})"));
                }
            }
        }
    }
}
