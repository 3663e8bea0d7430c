// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Numerics;

namespace SharpSwitch.JsonRpc;

/// <summary>
/// The buffers that JSON-RPC messages are gathered and written in: 64 KB segments, and a few larger contiguous
/// buffers for big received messages. They come from this pool rather than the runtime's shared one because the
/// shared pool keeps what it is given for about a minute, in every thread that returned it (an <c>ovs-vsctl
/// add-port</c> on a bridge with 1000 ports is a 320 KB request, and after a burst of them the shared pool held
/// 4.5 MB of such buffers in <c>vsw ovsdb-server</c>), and it cannot be told to let go. This pool keeps a bounded
/// number and gives all of them back to the collector on <see cref="Trim"/>, which the server's memory trim calls.
/// </summary>
public static class JsonRpcBuffers
{
    /// <summary>The size of a segment: as large as possible while staying below the 85,000-byte large-object threshold.</summary>
    public const int SegmentBytes = 64 * 1024;

    // Enough segments for one large message and its reply (a 320 KB request is five segments); a segment beyond
    // them is short-lived garbage that the first-generation collection frees cheaply.
    internal const int MaxIdleSegments = 8;

    // One larger buffer is kept (s_large), the largest given back: received messages are parsed one at a time per
    // event thread, a large request is most likely followed by another as large, and buffers of every size a growing
    // database has passed through need not stay.
    internal const int MaxIdleLarge = 1;

    private static readonly Lock s_gate = new();
    private static readonly Stack<byte[]> s_segments = new();
    private static byte[]? s_large;

    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes: a segment, or a power-of-two size above one.</summary>
    public static byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        if (minimumLength <= SegmentBytes)
        {
            lock (s_gate)
            {
                if (s_segments.TryPop(out byte[]? segment))
                {
                    return segment;
                }
            }
            return GC.AllocateUninitializedArray<byte>(SegmentBytes);
        }
        lock (s_gate)
        {
            if (s_large is { } idle && idle.Length >= minimumLength)
            {
                s_large = null;
                return idle;
            }
        }
        return GC.AllocateUninitializedArray<byte>((int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)minimumLength), (uint)Array.MaxLength));
    }

    /// <summary>Gives a buffer from <see cref="Rent"/> back; the caller must not use it afterwards.</summary>
    public static void Return(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        lock (s_gate)
        {
            if (buffer.Length == SegmentBytes)
            {
                if (s_segments.Count < MaxIdleSegments)
                {
                    s_segments.Push(buffer);
                }
                return;
            }
            if (buffer.Length > SegmentBytes && buffer.Length > (s_large?.Length ?? 0))
            {
                s_large = buffer;
            }
        }
    }

    /// <summary>The bytes held in idle buffers now.</summary>
    public static long IdleBytes
    {
        get
        {
            lock (s_gate)
            {
                return IdleBytesLocked();
            }
        }
    }

    /// <summary>Drops every idle buffer, so that the next collection frees them; returns how many bytes that was.</summary>
    public static long Trim()
    {
        lock (s_gate)
        {
            long bytes = IdleBytesLocked();
            s_segments.Clear();
            s_large = null;
            return bytes;
        }
    }

    private static long IdleBytesLocked() => ((long)s_segments.Count * SegmentBytes) + (s_large?.Length ?? 0);
}
