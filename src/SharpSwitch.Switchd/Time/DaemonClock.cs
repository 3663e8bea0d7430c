// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Switchd.Time;

/// <summary>
/// The daemon's monotonic millisecond clock. It follows an injected <see cref="TimeProvider"/>, and, as OVS's
/// <c>time/stop</c> and <c>time/warp</c> do in dummy mode, it can be frozen and moved forward by hand so that a
/// test drives every bond and LACP timer deterministically.
/// </summary>
public sealed class DaemonClock
{
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private long _warpMs;
    private long? _frozenAtMs;

    /// <summary>Creates a clock that starts at 0 ms now.</summary>
    public DaemonClock(TimeProvider time)
    {
        _time = time;
        _startTimestamp = time.GetTimestamp();
    }

    /// <summary>True after <see cref="Stop"/>: time moves only by <see cref="Warp"/>.</summary>
    public bool IsStopped => _frozenAtMs is not null;

    /// <summary>Milliseconds since the daemon started, plus every warp.</summary>
    public long NowMs => _frozenAtMs ?? (RealElapsedMs + _warpMs);

    /// <summary>The wall-clock time, for log lines; it is not moved by warps.</summary>
    public DateTimeOffset UtcNow => _time.GetUtcNow();

    private long RealElapsedMs => (long)_time.GetElapsedTime(_startTimestamp).TotalMilliseconds;

    /// <summary>Freezes monotonic time where it is.</summary>
    public void Stop()
    {
        _frozenAtMs ??= NowMs;
    }

    /// <summary>Moves monotonic time forward by <paramref name="milliseconds"/>.</summary>
    public void Warp(long milliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds);
        if (_frozenAtMs is long frozen)
        {
            _frozenAtMs = frozen + milliseconds;
        }
        else
        {
            _warpMs += milliseconds;
        }
    }

    /// <summary>How long, in real time, until monotonic time reaches <paramref name="deadlineMs"/>; infinite when stopped.</summary>
    public TimeSpan DelayUntil(long deadlineMs)
    {
        if (IsStopped || deadlineMs == long.MaxValue)
        {
            return Timeout.InfiniteTimeSpan;
        }
        long delay = deadlineMs - NowMs;
        return TimeSpan.FromMilliseconds(Math.Clamp(delay, 0, int.MaxValue));
    }
}
