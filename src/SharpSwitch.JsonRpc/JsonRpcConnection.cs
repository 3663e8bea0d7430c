// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Net.Sockets;
using System.Text.Json;

namespace SharpSwitch.JsonRpc;

/// <summary>
/// A JSON-RPC 1.0 connection over a byte stream (a Unix or TCP socket, or any duplex <see cref="Stream"/>).
/// It frames and parses incoming messages, answers <c>echo</c> requests itself, and, when an inactivity probe
/// interval is set, sends <c>{"id":"echo","method":"echo","params":[]}</c> after that long without input and drops
/// the connection if nothing arrives within the same time again, like OVS. One task may receive while others send.
/// </summary>
public sealed class JsonRpcConnection : IAsyncDisposable
{
    private const int ReadChunkBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly JsonStreamFramer _framer;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private readonly byte[] _readBuffer = new byte[ReadChunkBytes];

    // Both are used only under _sendLock: every message is serialized into pooled segments that go back to the
    // pool once written, with one JSON writer reused for the connection's life.
    private readonly PooledSegmentWriter _sendBuffer = new();
    private Utf8JsonWriter? _sendWriter;
    private readonly TimeProvider _time;
    private readonly TimeSpan? _probeInterval;
    private readonly bool _leaseMessages;
    private readonly ITimer? _probeTimer;
    private readonly object _probeLock = new();
    private DateTimeOffset _lastReceived;
    private DateTimeOffset? _probeSentAt;
    private string? _disconnectReason;
    private bool _eof;
    private JsonRpcProtocolException? _pendingError;

    /// <summary>Wraps an already-connected stream. <paramref name="name"/> identifies the peer in messages.</summary>
    public JsonRpcConnection(Stream stream, string name, JsonRpcConnectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new JsonRpcConnectionOptions();
        _stream = stream;
        Name = name;
        _framer = new JsonStreamFramer(options.MaxMessageBytes);
        _time = options.TimeProvider;
        _probeInterval = options.InactivityProbeInterval;
        _leaseMessages = options.LeaseReceivedMessages;
        _lastReceived = _time.GetUtcNow();
        if (_probeInterval is { } interval)
        {
            if (interval <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "the inactivity probe interval must be positive");
            }
            _probeTimer = _time.CreateTimer(_ => CheckInactivity(), null, interval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The peer's name, e.g. <c>unix#3</c> or <c>tcp:127.0.0.1:38166</c>.</summary>
    public string Name { get; }

    /// <summary>Why the connection ended (<c>end of file</c>, a probe timeout, an I/O error), or null while it is up.</summary>
    public string? DisconnectReason => Volatile.Read(ref _disconnectReason);

    /// <summary>True once the connection has ended for any reason.</summary>
    public bool IsClosed => _closed.IsCancellationRequested;

    /// <summary>Connects to an active address (<c>unix:</c> or <c>tcp:</c>); probes default to on for TCP only.</summary>
    public static async Task<JsonRpcConnection> ConnectAsync(JsonRpcAddress address, JsonRpcConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        options ??= JsonRpcConnectionOptions.ForAddress(address);
        Socket socket;
        switch (address.Transport)
        {
            case JsonRpcTransport.Unix:
                socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(address.Path!), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                break;
            case JsonRpcTransport.Tcp:
                socket = new Socket(address.IPAddress!.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new System.Net.IPEndPoint(address.IPAddress!, address.Port), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                break;
            default:
                throw new ArgumentException($"{address.Text}: cannot connect to a passive (listening) address", nameof(address));
        }
        return new JsonRpcConnection(new NetworkStream(socket, ownsSocket: true), address.Text, options);
    }

    /// <summary>
    /// Sends one message. Throws <see cref="IOException"/> when the connection is already closed or the write fails.
    /// </summary>
    public async Task SendAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsClosed)
            {
                throw new IOException($"{Name}: connection closed ({DisconnectReason ?? "closed"})");
            }
            // Serialized under the lock so that the buffer and writer can be reused: a message never exists as one
            // contiguous array, only as pooled segments below the large-object threshold, written one after another.
            _sendWriter ??= JsonRpcMessage.CreateWireWriter(_sendBuffer);
            message.WriteUtf8To(_sendBuffer, _sendWriter);
            foreach (ReadOnlyMemory<byte> segment in _sendBuffer.WrittenSegments)
            {
                await _stream.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
            }
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            throw new IOException($"{Name}: send failed: {ex.Message}", ex);
        }
        finally
        {
            _sendBuffer.Reset();
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Returns the next message from the peer, answering echo requests (and swallowing answers to our own probes)
    /// on the way. Returns null when the connection has ended; <see cref="DisconnectReason"/> says why. Throws
    /// <see cref="JsonRpcProtocolException"/> for malformed input, after which the connection is closed. Only one
    /// caller may receive at a time.
    /// </summary>
    public async Task<JsonRpcMessage?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            while (_framer.TryDequeueSegments(out PooledSegmentWriter frame))
            {
                JsonRpcMessage message;
                try
                {
                    // A leased message takes the frame over and gives it back when disposed.
                    message = _leaseMessages ? JsonRpcMessage.ParseLeased(frame) : ParseCopy(frame);
                }
                catch (JsonRpcProtocolException ex)
                {
                    Close(ex.Message);
                    throw;
                }
                if (await HandleEchoAsync(message, cancellationToken).ConfigureAwait(false))
                {
                    message.Dispose();
                    continue;
                }
                return message;
            }
            if (_pendingError is { } error)
            {
                Close(error.Message);
                throw error;
            }
            if (_eof || IsClosed)
            {
                return null;
            }
            int read;
            try
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
                read = await _stream.ReadAsync(_readBuffer, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                Close(IsClosed ? DisconnectReason ?? ex.Message : ex.Message);
                return null;
            }
            if (read == 0)
            {
                _eof = true;
                string reason = _framer.HasPartialMessage ? "unexpected end of file in the middle of a message" : "end of file";
                Close(reason);
                if (_framer.HasPartialMessage)
                {
                    throw new JsonRpcProtocolException($"{Name}: {reason}");
                }
                return null;
            }
            lock (_probeLock)
            {
                _lastReceived = _time.GetUtcNow();
                _probeSentAt = null;
            }
            try
            {
                _framer.Append(_readBuffer.AsSpan(0, read));
            }
            catch (JsonRpcProtocolException ex)
            {
                // Messages completed before the bad byte are still delivered first, as OVS would have.
                _pendingError = ex;
            }
        }
    }

    private static JsonRpcMessage ParseCopy(PooledSegmentWriter frame)
    {
        try
        {
            return JsonRpcMessage.Parse(frame.ToSequence());
        }
        finally
        {
            frame.Dispose();
        }
    }

    /// <summary>Closes the connection with a reason; pending and later receives return null.</summary>
    public void Close(string reason)
    {
        Interlocked.CompareExchange(ref _disconnectReason, reason, null);
        if (!_closed.IsCancellationRequested)
        {
            try
            {
                _closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Disposed concurrently: the connection is closed either way.
            }
            _probeTimer?.Dispose();
            _stream.Dispose();
        }
    }

    /// <summary>Closes the connection.</summary>
    public ValueTask DisposeAsync()
    {
        Close("closed by this side");
        return ValueTask.CompletedTask;
    }

    private async ValueTask<bool> HandleEchoAsync(JsonRpcMessage message, CancellationToken cancellationToken)
    {
        if (message.Kind == JsonRpcMessageKind.Request && message.Method == "echo")
        {
            try
            {
                await SendAsync(JsonRpcMessage.CreateReply(message.Id!.Value, message.Params!.Value), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The peer went away; the next read reports the disconnect.
            }
            return true;
        }
        return message.Kind == JsonRpcMessageKind.Reply && message.Id is { ValueKind: JsonValueKind.String } id && id.ValueEquals("echo");
    }

    private void CheckInactivity()
    {
        if (IsClosed || _probeInterval is not { } interval)
        {
            return;
        }
        DateTimeOffset now = _time.GetUtcNow();
        TimeSpan nextCheck;
        bool sendProbe = false;
        lock (_probeLock)
        {
            if (_probeSentAt is { } sentAt)
            {
                if (now - sentAt >= interval)
                {
                    nextCheck = Timeout.InfiniteTimeSpan;
                }
                else
                {
                    nextCheck = sentAt + interval - now;
                }
            }
            else if (now - _lastReceived >= interval)
            {
                _probeSentAt = now;
                sendProbe = true;
                nextCheck = interval;
            }
            else
            {
                nextCheck = _lastReceived + interval - now;
            }
        }
        if (nextCheck == Timeout.InfiniteTimeSpan)
        {
            Close($"no response to inactivity probe after {interval.TotalSeconds:0.###} seconds, disconnecting");
            return;
        }
        try
        {
            _probeTimer?.Change(nextCheck, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        if (sendProbe)
        {
            _ = SendProbeAsync();
        }
    }

    private async Task SendProbeAsync()
    {
        try
        {
            await SendAsync(JsonRpcMessage.CreateEchoProbe()).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // A failed probe is reported by the receive side when the connection is found closed.
        }
    }
}
