// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Ovsdb.Server;

/// <summary>Why the server gave memory back to the system.</summary>
public enum MemoryTrimReason
{
    /// <summary>A database was compacted while <c>ovsdb-server/memory-trim-on-compaction</c> is on (OVS's rule).</summary>
    AfterCompaction,

    /// <summary>The server went quiet after handling requests that allocated at least the burst amount.</summary>
    IdleAfterBurst,

    /// <summary>The follow-up, <see cref="MemoryTrimPolicy.FollowUpDelay"/> after a burst's trim.</summary>
    FollowUp,
}

/// <summary>
/// Decides when <c>vsw ovsdb-server</c> gives memory back to the system, as a sans-I/O state machine: the caller
/// reports each handled request (with the time and the process's running allocation total) and calls
/// <see cref="Tick"/> at <see cref="DeadlineMs"/>; when a call returns a reason, the caller trims (see
/// <see cref="ProcessMemory.Trim"/>) and logs the reason.
/// </summary>
/// <remarks>
/// <para>
/// Two rules. The first is OVS's: ovsdb-server 2.15 and later have <c>ovsdb-server/memory-trim-on-compaction on|off</c>,
/// which after each successful compaction calls glibc's <c>malloc_trim</c> to hand freed heap pages back; OVS 3.1
/// documents it as off by default (3.1's own ovsdb-server logs "memory trimming after compaction enabled." or
/// "disabled." when it is switched), and so it is off here until switched on.
/// </para>
/// <para>
/// The second has no OVS counterpart because OVS does not need one: C frees each request's memory when the request
/// is done, while the .NET collector leaves dead objects (above all large ones, which only a full collection
/// reclaims) and the room it grew into in place until memory pressure or a later collection. A burst of requests,
/// such as a thousand <c>ovs-vsctl add-port</c>, therefore leaves the process several megabytes bigger than what it
/// holds. So once requests that allocated at least <see cref="BurstBytes"/> are followed by <see cref="IdleDelay"/>
/// without any request, the server trims once. Waiting for quiet keeps the cost (a blocking full collection, a few
/// milliseconds for this heap) out of any request's latency; the burst threshold keeps a server that only answers
/// an occasional probe from collecting for nothing.
/// </para>
/// </remarks>
public sealed class MemoryTrimPolicy
{
    /// <summary>The default allocation since the last trim that makes a burst: a few add-ports on a large bridge.</summary>
    public const long DefaultBurstBytes = 8L * 1024 * 1024;

    /// <summary>The default quiet time after a burst before trimming.</summary>
    public static readonly TimeSpan DefaultIdleDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long after a burst's trim the follow-up trim comes: past the shared array pool's 60 s.</summary>
    public static readonly TimeSpan FollowUpDelay = TimeSpan.FromSeconds(65);

    private long _allocatedAtLastTrim;
    private long? _idleDeadlineMs;
    private long? _followUpDeadlineMs;

    /// <summary>
    /// A policy with idle trimming after bursts (null <paramref name="idleDelay"/> turns it off) and trimming on
    /// compaction off, as in OVS 3.1.
    /// </summary>
    public MemoryTrimPolicy(TimeSpan? idleDelay, long burstBytes = DefaultBurstBytes, long allocatedBytesNow = 0)
    {
        if (idleDelay is { } delay && delay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(idleDelay), "the idle delay must be positive");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(burstBytes);
        IdleDelay = idleDelay;
        BurstBytes = burstBytes;
        _allocatedAtLastTrim = allocatedBytesNow;
    }

    /// <summary><c>ovsdb-server/memory-trim-on-compaction</c>: trim after each compaction.</summary>
    public bool TrimOnCompaction { get; set; }

    /// <summary>The quiet time after a burst before trimming; null when idle trimming is off.</summary>
    public TimeSpan? IdleDelay { get; }

    /// <summary>How much a run of requests must allocate before quiet after it triggers a trim.</summary>
    public long BurstBytes { get; }

    /// <summary>When <see cref="Tick"/> must next be called, or null when no trim is waiting.</summary>
    public long? DeadlineMs => (_idleDeadlineMs, _followUpDeadlineMs) switch
    {
        (long idle, long followUp) => Math.Min(idle, followUp),
        (long idle, null) => idle,
        (null, long followUp) => followUp,
        (null, null) => null,
    };

    /// <summary>
    /// Reports a handled request. <paramref name="allocatedBytes"/> is the process's running allocation total (it
    /// only grows); <paramref name="compacted"/> says whether the request made the server compact a database.
    /// Returns a reason when the caller must trim now.
    /// </summary>
    public MemoryTrimReason? RequestHandled(long nowMs, long allocatedBytes, bool compacted)
    {
        if (compacted && TrimOnCompaction)
        {
            Trimmed(allocatedBytes);
            return MemoryTrimReason.AfterCompaction;
        }
        if (IdleDelay is { } delay && allocatedBytes - _allocatedAtLastTrim >= BurstBytes)
        {
            // Each request of the burst pushes the trim back, so it happens only once the requests stop.
            _idleDeadlineMs = nowMs + (long)delay.TotalMilliseconds;
        }
        return null;
    }

    /// <summary>
    /// Returns a reason when the quiet time after a burst, or the follow-up delay after its trim, has passed (the
    /// caller must then trim).
    /// </summary>
    public MemoryTrimReason? Tick(long nowMs, long allocatedBytes)
    {
        if (_idleDeadlineMs is { } deadline && nowMs >= deadline)
        {
            Trimmed(allocatedBytes);
            _followUpDeadlineMs = nowMs + (long)FollowUpDelay.TotalMilliseconds;
            return MemoryTrimReason.IdleAfterBurst;
        }
        if (_followUpDeadlineMs is { } followUp && nowMs >= followUp)
        {
            Trimmed(allocatedBytes);
            return MemoryTrimReason.FollowUp;
        }
        return null;
    }

    private void Trimmed(long allocatedBytes)
    {
        _allocatedAtLastTrim = allocatedBytes;
        _idleDeadlineMs = null;
        _followUpDeadlineMs = null;
    }
}
