// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace SharpSwitch.Lab.RealOvs;

/// <summary>
/// One long-lived connection to a daemon's control socket, speaking the JSON-RPC that <c>ovs-appctl</c> speaks, but
/// synchronously and without reconnecting per command: a run drives real OVS with hundreds of thousands of commands,
/// and a new connection (and a thread-pool hop) per command cost more than OVS takes to answer. Requests may be
/// queued back to back (<see cref="Send"/>) and go out together, in one write, when the first reply is read
/// (<see cref="Receive"/>); OVS answers them in order.
/// </summary>
internal sealed class UnixctlChannel : IDisposable
{
    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    private readonly Socket _socket;
    private readonly string _label;
    private readonly ArrayBufferWriter<byte> _request = new(64 * 1024);
    private byte[] _reply = new byte[64 * 1024];
    private int _replyFilled;
    private long _nextId;
    private long _awaited;

    private UnixctlChannel(Socket socket, string label)
    {
        _socket = socket;
        _label = label;
    }

    /// <summary>How many requests were sent over the connection, for the lab's timing figures.</summary>
    public long RequestCount => _nextId;

    /// <summary>Connects to the control socket at <paramref name="path"/>; <paramref name="label"/> names the daemon in errors.</summary>
    public static UnixctlChannel Connect(string path, string label, TimeSpan timeout)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
            socket.SendTimeout = (int)timeout.TotalMilliseconds;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new UnixctlChannel(socket, label);
    }

    /// <summary>Sends one command (after any queued ones) and waits for its reply; an error reply throws.</summary>
    public string Call(string command, params string[] args)
    {
        Send(command, args);
        return Receive();
    }

    /// <summary>Queues one request; a later <see cref="Receive"/> sends it and reads its reply.</summary>
    public void Send(string command, params string[] args)
    {
        BeginRequest(command);
        for (int i = 0; i < args.Length; i++)
        {
            if (i > 0)
            {
                Write(","u8);
            }
            WriteString(args[i]);
        }
        EndRequest();
    }

    /// <summary>
    /// Queues a <c>netdev-dummy/receive</c> request that queues <paramref name="frames"/> on the dummy interface
    /// <paramref name="interfaceName"/>, each frame as a hex string (the command takes several), without waiting for
    /// the reply.
    /// </summary>
    public void SendReceive(string interfaceName, NetDev.PacketBatch frames)
    {
        BeginRequest("netdev-dummy/receive");
        WriteString(interfaceName);
        for (int i = 0; i < frames.Count; i++)
        {
            WriteHexFrame(frames[i].Data);
        }
        EndRequest();
    }

    /// <summary>Queues a <c>netdev-dummy/receive</c> request that queues <paramref name="copies"/> copies of one frame.</summary>
    public void SendReceive(string interfaceName, ReadOnlySpan<byte> frame, int copies)
    {
        BeginRequest("netdev-dummy/receive");
        WriteString(interfaceName);
        for (int i = 0; i < copies; i++)
        {
            WriteHexFrame(frame);
        }
        EndRequest();
    }

    private void WriteHexFrame(ReadOnlySpan<byte> frame)
    {
        Span<byte> target = _request.GetSpan(3 + (2 * frame.Length));
        target[0] = (byte)',';
        target[1] = (byte)'"';
        int at = 2;
        foreach (byte b in frame)
        {
            target[at++] = HexDigits[b >> 4];
            target[at++] = HexDigits[b & 0xF];
        }
        target[at++] = (byte)'"';
        _request.Advance(at);
    }

    /// <summary>Sends whatever is queued, then reads the reply to the oldest request not yet answered; an error reply throws.</summary>
    public string Receive()
    {
        Flush();
        long expected = ++_awaited;
        while (true)
        {
            if (TryTakeReply(out Reply reply))
            {
                if (reply.Id != expected)
                {
                    throw new RealOvsException($"{_label}: control socket: reply {reply.Id} out of order (expected {expected})");
                }
                if (reply.Error is not null)
                {
                    throw new RealOvsException($"{_label}: {reply.Error.Trim()}");
                }
                return reply.Result ?? "";
            }
            if (_replyFilled == _reply.Length)
            {
                Array.Resize(ref _reply, _reply.Length * 2);
            }
            int read = _socket.Receive(_reply, _replyFilled, _reply.Length - _replyFilled, SocketFlags.None);
            if (read <= 0)
            {
                throw new RealOvsException($"{_label}: control socket closed by the daemon");
            }
            _replyFilled += read;
        }
    }

    /// <summary>A JSON-RPC reply as OVS sends it: <c>{"id":N,"result":"...","error":null}</c>, or an error string instead.</summary>
    private readonly record struct Reply(long Id, string? Result, string? Error);

    /// <summary>Takes one complete JSON object from the front of what has been read, if there is one.</summary>
    private bool TryTakeReply(out Reply reply)
    {
        reply = default;
        int start = 0;
        while (start < _replyFilled && _reply[start] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            start++;
        }
        if (start == _replyFilled)
        {
            _replyFilled = 0;
            return false;
        }
        var scan = new Utf8JsonReader(_reply.AsSpan(start, _replyFilled - start), isFinalBlock: false, state: default);
        if (!scan.Read() || !scan.TrySkip())
        {
            return false;
        }
        int length = (int)scan.BytesConsumed;
        reply = ParseReply(_reply.AsSpan(start, length));
        int consumed = start + length;
        Buffer.BlockCopy(_reply, consumed, _reply, 0, _replyFilled - consumed);
        _replyFilled -= consumed;
        return true;
    }

    private Reply ParseReply(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        long id = -1;
        string? result = null;
        string? error = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new RealOvsException($"{_label}: control socket: a reply that is not a JSON object");
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "id" when reader.TokenType == JsonTokenType.Number:
                    id = reader.GetInt64();
                    break;
                case "result" when reader.TokenType == JsonTokenType.String:
                    result = reader.GetString();
                    break;
                case "error" when reader.TokenType == JsonTokenType.String:
                    error = reader.GetString();
                    break;
                case "error" when reader.TokenType != JsonTokenType.Null:
                    error = Encoding.UTF8.GetString(json);
                    reader.Skip();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return new Reply(id, result, error);
    }

    private void BeginRequest(string command)
    {
        Write("{\"id\":"u8);
        Write(Encoding.UTF8.GetBytes((++_nextId).ToString(CultureInfo.InvariantCulture)));
        Write(",\"method\":"u8);
        WriteString(command);
        Write(",\"params\":["u8);
    }

    private void EndRequest()
    {
        Write("]}"u8);
    }

    private void Flush()
    {
        ReadOnlySpan<byte> bytes = _request.WrittenSpan;
        while (bytes.Length > 0)
        {
            int sent = _socket.Send(bytes);
            bytes = bytes[sent..];
        }
        _request.ResetWrittenCount();
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_request.GetSpan(bytes.Length));
        _request.Advance(bytes.Length);
    }

    private void WriteString(string value)
    {
        // Command names, interface names and numbers: JsonEncodedText escapes whatever else might appear.
        Write("\""u8);
        Write(JsonEncodedText.Encode(value).EncodedUtf8Bytes);
        Write("\""u8);
    }

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();
}
