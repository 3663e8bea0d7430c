// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Lab.InProcess;

/// <summary>
/// The lab's virtual millisecond clock as a <see cref="TimeProvider"/>, so that the in-process database server and
/// switch daemons read the same time as the discrete-event loop. It only moves when the lab sets it, which keeps every
/// log line and status write of a run the same from one run to the next.
/// </summary>
internal sealed class LabClock : TimeProvider
{
    private long _nowMs;

    /// <summary>The virtual time in milliseconds since the start of the run.</summary>
    public long NowMs
    {
        get => Volatile.Read(ref _nowMs);
        set => Volatile.Write(ref _nowMs, value);
    }

    /// <summary>Timestamps are virtual milliseconds.</summary>
    public override long TimestampFrequency => 1000;

    /// <inheritdoc/>
    public override long GetTimestamp() => NowMs;

    /// <summary>Virtual time counted from the Unix epoch, so that log lines carry no trace of the wall clock.</summary>
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddMilliseconds(NowMs);

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
