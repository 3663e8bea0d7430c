// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers;

namespace SharpSwitch.JsonRpc;

/// <summary>
/// Splits a byte stream of back-to-back JSON objects into one buffer per object. OVS puts no delimiter between
/// messages and may deliver several in one read or one message across many reads, so the framer keeps its scanning
/// state between calls to <see cref="Append"/>. It only finds the boundaries; <see cref="JsonRpcMessage.Parse(ReadOnlySpan{byte})"/>
/// validates the JSON itself. The boundaries found never depend on how the input was chunked.
/// </summary>
public sealed class JsonStreamFramer
{
    /// <summary>The default limit on one message: large enough for a full vswitch schema and initial monitor reply.</summary>
    public const int DefaultMaxMessageBytes = 64 * 1024 * 1024;

    // Messages are gathered in pooled segments below the large-object threshold: an add-port transact from
    // ovs-vsctl carries the bridge's whole port set twice (~90 KB with 1000 ports), and a growing contiguous buffer
    // per connection plus a copy per message left large arrays behind for every request.
    private readonly Queue<PooledSegmentWriter> _completed = new();
    private PooledSegmentWriter _current = new();
    private readonly int _maxMessageBytes;
    private int _depth;
    private int _messageLength;
    private bool _inString;
    private bool _escaped;
    private long _offset;
    private bool _failed;

    /// <summary>Creates a framer that rejects any single message longer than <paramref name="maxMessageBytes"/>.</summary>
    public JsonStreamFramer(int maxMessageBytes = DefaultMaxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, 2);
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>True while part of a message has been received but not its end.</summary>
    public bool HasPartialMessage => _current.WrittenCount > 0;

    /// <summary>
    /// Feeds received bytes. Complete messages become available from <see cref="TryDequeue"/>. Throws
    /// <see cref="JsonRpcProtocolException"/> when the stream cannot be JSON-RPC (a top-level value that is not an
    /// object, or a message over the size limit); after that the framer refuses further input.
    /// </summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_failed)
        {
            throw new JsonRpcProtocolException("the JSON stream already failed to parse");
        }
        int start = 0;
        for (int i = 0; i < data.Length; i++)
        {
            byte b = data[i];
            if (_depth == 0)
            {
                if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
                {
                    start = i + 1;
                    continue;
                }
                if (b != (byte)'{')
                {
                    _failed = true;
                    throw new JsonRpcProtocolException(
                        $"error parsing stream: byte {_offset + i}: syntax error: a JSON-RPC message must be a JSON object, not a value starting with '{Printable(b)}'");
                }
                _depth = 1;
                _messageLength = 1;
                start = i;
                continue;
            }
            if (++_messageLength > _maxMessageBytes)
            {
                _failed = true;
                throw new JsonRpcProtocolException(
                    $"error parsing stream: byte {_offset + i}: message exceeds the maximum size of {_maxMessageBytes} bytes");
            }
            if (_inString)
            {
                if (_escaped)
                {
                    _escaped = false;
                }
                else if (b == (byte)'\\')
                {
                    _escaped = true;
                }
                else if (b == (byte)'"')
                {
                    _inString = false;
                }
            }
            else if (b == (byte)'"')
            {
                _inString = true;
            }
            else if (b is (byte)'{' or (byte)'[')
            {
                _depth++;
            }
            else if (b is (byte)'}' or (byte)']')
            {
                _depth--;
                if (_depth == 0)
                {
                    _current.Write(data[start..(i + 1)]);
                    _completed.Enqueue(_current);
                    _current = new PooledSegmentWriter();
                    start = i + 1;
                }
            }
        }
        if (_depth > 0 && start < data.Length)
        {
            _current.Write(data[start..]);
        }
        _offset += data.Length;
    }

    /// <summary>Takes the oldest complete message, if any.</summary>
    public bool TryDequeue(out byte[] message)
    {
        if (!_completed.TryDequeue(out PooledSegmentWriter? segments))
        {
            message = null!;
            return false;
        }
        message = segments.ToArray();
        segments.Dispose();
        return true;
    }

    /// <summary>
    /// Takes the oldest complete message, if any, still in its pooled segments and without copying it; the caller
    /// must dispose of it to give the segments back.
    /// </summary>
    public bool TryDequeueSegments(out PooledSegmentWriter message)
    {
        return _completed.TryDequeue(out message!);
    }

    private static string Printable(byte b)
    {
        return b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}";
    }
}
