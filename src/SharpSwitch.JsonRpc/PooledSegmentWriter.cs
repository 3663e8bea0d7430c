// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers;

namespace SharpSwitch.JsonRpc;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that collects bytes in a chain of segments rented from
/// <see cref="JsonRpcBuffers"/>, so that a message of any size is written without one contiguous array.
/// Segments are smaller than the runtime's 85,000-byte large-object threshold: a 250 KB OVSDB monitor update
/// used to leave about a megabyte of large arrays behind (a doubling buffer plus its final copy), which only a
/// full collection frees, and that garbage was most of the server's heap. <see cref="Reset"/> hands the segments
/// back to the pool, so a writer reused for every message keeps no memory between messages.
/// </summary>
public sealed class PooledSegmentWriter : IBufferWriter<byte>, IDisposable
{
    /// <summary>The usual segment size: as large as possible while staying below the large-object threshold.</summary>
    public const int SegmentBytes = JsonRpcBuffers.SegmentBytes;

    private readonly List<byte[]> _segments = [];

    // How much of each earlier segment was used: a segment is left partly empty when the JSON writer asks for more
    // contiguous room than its tail has, so the used lengths differ from the segment sizes.
    private readonly List<int> _usedLengths = [];
    private int _lastUsed;
    private long _written;

    /// <summary>The number of bytes written since the last <see cref="Reset"/>.</summary>
    public long WrittenCount => _written;

    /// <summary>The segments holding the written bytes, in order, each trimmed to the part that was written.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> WrittenSegments
    {
        get
        {
            for (int i = 0; i < _segments.Count; i++)
            {
                int length = i == _segments.Count - 1 ? _lastUsed : _usedLengths[i];
                if (length > 0)
                {
                    yield return _segments[i].AsMemory(0, length);
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_segments.Count == 0 || _lastUsed + count > _segments[^1].Length)
        {
            throw new InvalidOperationException("cannot advance past the end of the buffer returned by GetMemory");
        }
        _lastUsed += count;
        _written += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureRoom(sizeHint);
        return _segments[^1].AsMemory(_lastUsed);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureRoom(sizeHint);
        return _segments[^1].AsSpan(_lastUsed);
    }

    /// <summary>Copies everything written into one new array (for callers that need contiguous bytes).</summary>
    public byte[] ToArray()
    {
        byte[] result = new byte[checked((int)_written)];
        int offset = 0;
        foreach (ReadOnlyMemory<byte> segment in WrittenSegments)
        {
            segment.Span.CopyTo(result.AsSpan(offset));
            offset += segment.Length;
        }
        return result;
    }

    /// <summary>The written bytes as a sequence over the segments, without copying them.</summary>
    public ReadOnlySequence<byte> ToSequence()
    {
        Segment? first = null;
        Segment? last = null;
        foreach (ReadOnlyMemory<byte> memory in WrittenSegments)
        {
            var segment = new Segment(memory, last is null ? 0 : last.RunningIndex + last.Memory.Length);
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.SetNext(segment);
            }
            last = segment;
        }
        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    /// <summary>Returns every segment to the pool and starts empty again.</summary>
    public void Reset()
    {
        foreach (byte[] segment in _segments)
        {
            JsonRpcBuffers.Return(segment);
        }
        _segments.Clear();
        _usedLengths.Clear();
        _lastUsed = 0;
        _written = 0;
    }

    /// <summary>Returns the segments to the pool.</summary>
    public void Dispose() => Reset();

    private void EnsureRoom(int sizeHint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        int needed = Math.Max(sizeHint, 1);
        if (_segments.Count > 0 && _segments[^1].Length - _lastUsed >= needed)
        {
            return;
        }
        if (_segments.Count > 0)
        {
            _usedLengths.Add(_lastUsed);
        }
        // Only a single value longer than a segment (a huge string) makes the writer ask for more; it gets what it
        // asked for, which is then a large array, but one the pool can hand out again.
        _segments.Add(JsonRpcBuffers.Rent(Math.Max(needed, SegmentBytes)));
        _lastUsed = 0;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
