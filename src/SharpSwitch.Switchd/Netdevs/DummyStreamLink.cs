// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using SharpSwitch.NetDev;
using SharpSwitch.Switchd.Logging;

namespace SharpSwitch.Switchd.Netdevs;

/// <summary>
/// Links a dummy interface to another switch over a unix socket, as OVS's netdev-dummy does with
/// <c>options:pstream=punix:PATH</c> (listen; every accepted peer gets every frame) or
/// <c>options:stream=unix:PATH</c> (connect, reconnecting with OVS's back-off: retry after 1 s, then 2, 4, 8 s…).
/// On the socket each frame is preceded by its length as two big-endian bytes, and a length below an Ethernet
/// header closes the connection.
/// </summary>
/// <remarks>
/// The port's own device is untouched: a hidden "socket end" device is cabled to it, the datapath's frames reach
/// that end through the cable, and <see cref="Pump"/> (on the daemon loop) hands them to the socket writers. Socket
/// reads happen off the loop and are posted back onto it, one posting per read rather than per frame. All state
/// except the per-connection send buffer belongs to the loop. Like OVS's dummies the port keeps carrier while the
/// socket is down, unless <c>options:carrier-follows-stream=true</c> (a SharpSwitch extension OVS ignores) asks
/// for the cable to be unplugged whenever no peer is connected.
/// </remarks>
internal sealed class DummyStreamLink : IDisposable
{
    private const int EthernetHeaderLength = 14;
    private const int InitialBackoffMs = 1000;
    private const int MaximumBackoffMs = int.MaxValue;

    private readonly DummyNetDev _port;
    private readonly DummyNetDev _socketEnd;
    private readonly Cable _cable;
    private readonly Action<Action> _postToLoop;
    private readonly Func<Vlog?> _log;
    private readonly Func<long> _now;
    private readonly List<Connection> _connections = [];
    private readonly PacketBatch _batch = new();
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private ActiveState _state = ActiveState.Backoff;
    private long _stateEnteredMs;
    private long _backoffMs;
    private bool _disposed;

    private enum ActiveState
    {
        Backoff,
        Connecting,
        Connected,
    }

    private DummyStreamLink(DummyNetDev port, string name, bool passive, string path, bool carrierFollowsStream, PacketPool pool,
        Action<Action> postToLoop, Func<Vlog?> log, Func<long> now)
    {
        _port = port;
        Name = name;
        Passive = passive;
        Path = path;
        CarrierFollowsStream = carrierFollowsStream;
        _postToLoop = postToLoop;
        _log = log;
        _now = now;
        _socketEnd = new DummyNetDev(port.Name + "@stream", port.Mac, pool);
        _cable = Cable.Connect(port, _socketEnd);
        _stateEnteredMs = now();
        UpdateCarrier();
    }

    /// <summary>The stream's name as configured (<c>unix:PATH</c> or <c>punix:PATH</c>), as OVS's log names it.</summary>
    public string Name { get; }

    /// <summary>True for <c>pstream</c> (listening), false for <c>stream</c> (connecting).</summary>
    public bool Passive { get; }

    /// <summary>The socket path.</summary>
    public string Path { get; }

    /// <summary>Whether the port's carrier follows the connection (SharpSwitch extension).</summary>
    public bool CarrierFollowsStream { get; }

    /// <summary>Peers connected now.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>For a connecting link, whether it is connected; null for a listener, whose state OVS reports as unknown.</summary>
    public bool? Connected => Passive ? null : _state == ActiveState.Connected;

    /// <summary>
    /// Creates the link for <paramref name="port"/> from <paramref name="spec"/> (<c>unix:PATH</c> or
    /// <c>punix:PATH</c>). A listener that cannot be opened is reported and yields null, as OVS leaves such an
    /// interface unlinked; a connecting link always exists and keeps retrying.
    /// </summary>
    public static DummyStreamLink? Open(DummyNetDev port, string spec, bool passive, bool carrierFollowsStream, PacketPool pool,
        Action<Action> postToLoop, Func<Vlog?> log, Func<long> now)
    {
        string prefix = passive ? "punix:" : "unix:";
        string path = spec.StartsWith(prefix, StringComparison.Ordinal) ? spec[prefix.Length..] : "";
        if (passive)
        {
            if (path.Length == 0)
            {
                log()?.Warn("netdev_dummy", $"{spec}: open failed (Address family not supported by protocol)");
                return null;
            }
            Socket listener;
            try
            {
                listener = Listen(path);
            }
            catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                log()?.Warn("netdev_dummy", $"{spec}: open failed ({Describe(ex, path)})");
                return null;
            }
            var link = new DummyStreamLink(port, spec, passive: true, path, carrierFollowsStream, pool, postToLoop, log, now)
            {
                _listener = listener,
            };
            _ = link.AcceptLoopAsync(listener);
            return link;
        }
        var active = new DummyStreamLink(port, spec, passive: false, path, carrierFollowsStream, pool, postToLoop, log, now);
        // OVS tries the first connection at once, while the interface is being configured.
        active.Pump(now());
        return active;
    }

    private static Socket Listen(string path)
    {
        // A socket file left by an earlier run would make bind fail; OVS removes it the same way.
        if (File.Exists(path))
        {
            File.Delete(path);
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen(16);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs on the daemon loop after the datapath: starts a due connection attempt, and moves the frames the
    /// datapath sent on the port to every connected peer (dropping them when none is connected, as OVS does).
    /// </summary>
    public void Pump(long nowMs)
    {
        if (_disposed)
        {
            return;
        }
        if (!Passive && _state == ActiveState.Backoff && nowMs >= _stateEnteredMs + _backoffMs)
        {
            StartConnect(nowMs);
        }
        while (_socketEnd.Receive(_batch) > 0)
        {
            for (int i = 0; i < _batch.Count; i++)
            {
                ReadOnlySpan<byte> frame = _batch[i].Data;
                foreach (Connection connection in _connections)
                {
                    connection.Enqueue(frame);
                }
            }
            _batch.ReturnAll();
        }
    }

    private void StartConnect(long nowMs)
    {
        _log()?.Info("reconnect", $"{Name}: connecting...");
        SetState(ActiveState.Connecting, nowMs);
        _ = ConnectAsync();
    }

    private async Task ConnectAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        string? error = null;
        try
        {
            if (Path.Length == 0)
            {
                throw new SocketException((int)SocketError.AddressFamilyNotSupported);
            }
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path), _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or ArgumentException)
        {
            error = Describe(ex, Path);
        }
        _postToLoop(() =>
        {
            if (_disposed || _state != ActiveState.Connecting)
            {
                socket.Dispose();
                return;
            }
            if (error is not null)
            {
                socket.Dispose();
                if (_backoffMs < MaximumBackoffMs)
                {
                    // At the longest back-off OVS stops reporting failed attempts, so the log does not fill up.
                    _log()?.Info("reconnect", $"{Name}: connection attempt failed ({error})");
                }
                BackOff(fromConnected: false);
                return;
            }
            _log()?.Info("reconnect", $"{Name}: connected");
            SetState(ActiveState.Connected, _now());
            AddConnection(socket);
        });
    }

    /// <summary>OVS's reconnect back-off, with dummy links' settings: at least 1 s, doubling, no upper bound.</summary>
    private void BackOff(bool fromConnected)
    {
        if (fromConnected && _backoffMs == 0)
        {
            // A link that connected at the first try starts its back-off afresh after losing the peer.
            _backoffMs = InitialBackoffMs;
        }
        else if (_backoffMs < InitialBackoffMs)
        {
            _backoffMs = InitialBackoffMs;
        }
        else if (_backoffMs < MaximumBackoffMs / 2)
        {
            _backoffMs *= 2;
            _log()?.Info("reconnect", $"{Name}: waiting {FormatSeconds(_backoffMs)} seconds before reconnect");
        }
        else
        {
            if (_backoffMs < MaximumBackoffMs)
            {
                _log()?.Info("reconnect", $"{Name}: continuing to reconnect in the background but suppressing further logging");
            }
            _backoffMs = MaximumBackoffMs;
        }
        SetState(ActiveState.Backoff, _now());
        WakeAfter(_backoffMs);
    }

    /// <summary>Formats seconds as C's "%.3g" does for the values a back-off takes (2, 4, …, 512, 1.02e+03).</summary>
    internal static string FormatSeconds(long milliseconds)
    {
        double seconds = milliseconds / 1000.0;
        if (seconds != 0 && (seconds >= 1000 || seconds < 0.0001))
        {
            string text = seconds.ToString("0.##e+00", CultureInfo.InvariantCulture);
            return text;
        }
        return seconds.ToString("G3", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Wakes the daemon loop when a back-off ends in real time. With the clock stopped nothing is due until
    /// time/warp moves it, so the wake-up then finds nothing to do, as in OVS.
    /// </summary>
    private void WakeAfter(long milliseconds)
    {
        _ = Task.Delay(TimeSpan.FromMilliseconds(Math.Min(milliseconds, int.MaxValue)), _stop.Token)
            .ContinueWith(task =>
            {
                if (!task.IsCanceled)
                {
                    _postToLoop(() => { });
                }
            }, TaskScheduler.Default);
    }

    private void SetState(ActiveState state, long nowMs)
    {
        _state = state;
        _stateEnteredMs = nowMs;
        UpdateCarrier();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            _postToLoop(() =>
            {
                if (_disposed)
                {
                    accepted.Dispose();
                    return;
                }
                AddConnection(accepted);
            });
        }
    }

    private void AddConnection(Socket socket)
    {
        var connection = new Connection(this, socket);
        _connections.Add(connection);
        UpdateCarrier();
        _ = connection.ReadLoopAsync(_stop.Token);
    }

    /// <summary>On the loop: delivers frames a peer sent (packed as length-prefixed records) to the port.</summary>
    private void Deliver(Connection connection, byte[] records, int length)
    {
        try
        {
            if (_disposed || !_connections.Contains(connection))
            {
                return;
            }
            int offset = 0;
            while (offset + 2 <= length)
            {
                int frameLength = BinaryPrimitives.ReadUInt16BigEndian(records.AsSpan(offset));
                // Transmitting on the socket end puts the frame on the cable, so the port receives it.
                _socketEnd.Transmit(records.AsSpan(offset + 2, frameLength));
                offset += 2 + frameLength;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(records);
        }
    }

    /// <summary>On the loop: forgets a connection that closed or broke, and backs off before reconnecting.</summary>
    private void Lost(Connection connection, string? error)
    {
        if (!_connections.Remove(connection))
        {
            return;
        }
        connection.Dispose();
        if (!Passive && !_disposed)
        {
            _log()?.Log("reconnect", error is null ? VlogLevel.Info : VlogLevel.Warn,
                error is null ? $"{Name}: connection closed by peer" : $"{Name}: connection dropped ({error})");
            BackOff(fromConnected: true);
        }
        UpdateCarrier();
    }

    private void UpdateCarrier()
    {
        if (!_cable.Connected)
        {
            return;
        }
        bool plugged = !CarrierFollowsStream || _connections.Count > 0;
        if (plugged)
        {
            _cable.Plug();
        }
        else
        {
            _cable.Unplug();
        }
    }

    private static string Describe(Exception ex, string path)
    {
        if (ex is SocketException socketException)
        {
            return socketException.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "Connection refused",
                SocketError.AddressFamilyNotSupported => "Address family not supported by protocol",
                SocketError.AddressAlreadyInUse => "Address already in use",
                SocketError.AccessDenied => "Permission denied",
                _ when !File.Exists(path) => "No such file or directory",
                _ => socketException.Message,
            };
        }
        return ex is OperationCanceledException or ObjectDisposedException ? "Operation canceled" : ex.Message;
    }

    /// <summary>Closes every connection and the listener (removing its socket file) and cuts the cable.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stop.Cancel();
        foreach (Connection connection in _connections)
        {
            connection.Dispose();
        }
        _connections.Clear();
        if (_listener is not null)
        {
            _listener.Dispose();
            try
            {
                File.Delete(Path);
            }
            catch (IOException)
            {
                // Someone else owns the path now; it is theirs to remove.
            }
        }
        _cable.Disconnect();
        while (_socketEnd.Receive(_batch) > 0)
        {
            _batch.ReturnAll();
        }
    }

    /// <summary>One peer: a reader that posts frames to the loop and a single writer that keeps their order.</summary>
    private sealed class Connection : IDisposable
    {
        /// <summary>Bytes waiting to be written beyond which frames are dropped, so a stalled peer cannot eat memory.</summary>
        private const int MaximumPendingBytes = 1 << 20;

        private readonly DummyStreamLink _link;
        private readonly Socket _socket;
        private readonly object _gate = new();
        private ArrayBufferWriter<byte> _pending = new(4096);
        private ArrayBufferWriter<byte> _sending = new(4096);
        private bool _flushing;
        private bool _closed;

        public Connection(DummyStreamLink link, Socket socket)
        {
            _link = link;
            _socket = socket;
        }

        /// <summary>On the loop: queues one frame with its length prefix and makes sure a flush is running.</summary>
        public void Enqueue(ReadOnlySpan<byte> frame)
        {
            lock (_gate)
            {
                if (_closed || frame.Length > ushort.MaxValue || _pending.WrittenCount + frame.Length + 2 > MaximumPendingBytes)
                {
                    return;
                }
                Span<byte> record = _pending.GetSpan(frame.Length + 2);
                BinaryPrimitives.WriteUInt16BigEndian(record, (ushort)frame.Length);
                frame.CopyTo(record[2..]);
                _pending.Advance(frame.Length + 2);
                if (_flushing)
                {
                    return;
                }
                _flushing = true;
            }
            _ = FlushAsync();
        }

        private async Task FlushAsync()
        {
            while (true)
            {
                lock (_gate)
                {
                    (_pending, _sending) = (_sending, _pending);
                    _pending.ResetWrittenCount();
                    if (_sending.WrittenCount == 0 || _closed)
                    {
                        _flushing = false;
                        return;
                    }
                }
                try
                {
                    ReadOnlyMemory<byte> data = _sending.WrittenMemory;
                    while (!data.IsEmpty)
                    {
                        int sent = await _socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
                        data = data[sent..];
                    }
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // The reader sees the same failure and reports it on the loop.
                    lock (_gate)
                    {
                        _flushing = false;
                    }
                    return;
                }
            }
        }

        /// <summary>Reads length-prefixed frames until the peer closes, posting each read's complete frames to the loop.</summary>
        public async Task ReadLoopAsync(CancellationToken cancellationToken)
        {
            byte[] buffer = new byte[65536 + 2];
            int filled = 0;
            string? error = null;
            try
            {
                while (true)
                {
                    int read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        // A peer that closes in the middle of a frame broke the protocol.
                        error = filled > 0 ? "Protocol error" : null;
                        break;
                    }
                    filled += read;
                    int complete = 0;
                    while (filled - complete >= 2)
                    {
                        int frameLength = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(complete));
                        if (frameLength < EthernetHeaderLength)
                        {
                            error = "Protocol error";
                            break;
                        }
                        if (filled - complete < 2 + frameLength)
                        {
                            break;
                        }
                        complete += 2 + frameLength;
                    }
                    if (complete > 0)
                    {
                        byte[] records = ArrayPool<byte>.Shared.Rent(complete);
                        buffer.AsSpan(0, complete).CopyTo(records);
                        int length = complete;
                        _link._postToLoop(() => _link.Deliver(this, records, length));
                        buffer.AsSpan(complete, filled - complete).CopyTo(buffer);
                        filled -= complete;
                    }
                    if (error is not null)
                    {
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                error = ex is SocketException socketException ? socketException.Message : null;
            }
            _link._postToLoop(() => _link.Lost(this, error));
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _closed = true;
            }
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already closed by the peer.
            }
            _socket.Dispose();
        }
    }
}
