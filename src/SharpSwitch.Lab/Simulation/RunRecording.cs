// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Lab.Simulation;

/// <summary>
/// A bond member's traffic per time bucket, read from its interface counters at every bucket boundary of the run:
/// element <c>k</c> is what the counters grew by between <c>k * BucketMs</c> and the next boundary.
/// </summary>
internal sealed record MemberSeries(string Switch, string Bond, string Member, IReadOnlyList<long> TxPackets, IReadOnlyList<long> RxPackets)
{
    /// <summary>The interface label used by the counter tables, e.g. <c>sw1:eno1</c>.</summary>
    public string Label => Switch + ":" + Member;
}

/// <summary>How many frames of a flow leg one bond member carried in one phase, counted on the member's wire.</summary>
/// <param name="Out">Frames the switch sent out of the member.</param>
/// <param name="In">Frames the switch received on the member.</param>
internal sealed record FlowPlacement(string Flow, string Switch, string Bond, string Member, long Out, long In);

/// <summary>One flow leg's figures around a switchover.</summary>
/// <param name="Sent">Packets sent in the switchover's window.</param>
/// <param name="Lost">Of those, packets that never arrived.</param>
/// <param name="Duplicated">Extra copies that arrived in the window.</param>
/// <param name="Reordered">Packets that arrived in the window after a packet sent later than them.</param>
/// <param name="InterruptionMs">The longest silence between arrivals in the window beyond the leg's own packet spacing (0 when traffic never paused; null when nothing was sent).</param>
internal sealed record SwitchoverFlow(string Flow, long Sent, long Lost, long Duplicated, long Reordered, long? InterruptionMs);

/// <summary>
/// One change of a bond's active member and what it cost. The window over which flows are measured runs from the
/// cause (the lab event that led to the change, or the change itself when none did) to the cause of the bond's next
/// switchover, or the end of the run.
/// </summary>
/// <param name="FromMember">The member traffic left (null when every member was disabled before).</param>
/// <param name="IsFailback">True when <paramref name="FromMember"/> was still enabled: traffic moved by choice, not by failure.</param>
/// <param name="ActiveAtMs">When the bond made the new member active.</param>
/// <param name="Cause">The injected event taken as the cause, e.g. <c>link-down sw1:eno1</c>, or null.</param>
/// <param name="CauseAtMs">When the cause happened (the window start).</param>
/// <param name="DetectionMs">Cause to the member state change that triggered the move (member disabled for a failover, enabled for a failback).</param>
/// <param name="SwitchoverMs">Cause to the first frame of a flow that the switch sent out of the new member.</param>
/// <param name="WindowEndMs">End of the measuring window.</param>
internal sealed record Switchover(
    string Switch,
    string Bond,
    string? FromMember,
    string ToMember,
    bool IsFailback,
    long ActiveAtMs,
    string? Cause,
    long CauseAtMs,
    long? DetectionMs,
    long? SwitchoverMs,
    long WindowEndMs,
    IReadOnlyList<SwitchoverFlow> Flows)
{
    /// <summary>Frames lost over every flow.</summary>
    public long Lost => Flows.Sum(f => f.Lost);

    /// <summary>Frames duplicated over every flow.</summary>
    public long Duplicated => Flows.Sum(f => f.Duplicated);

    /// <summary>Frames reordered over every flow.</summary>
    public long Reordered => Flows.Sum(f => f.Reordered);

    /// <summary>The longest interruption of any flow, or null.</summary>
    public long? InterruptionMs => Flows.Max(f => f.InterruptionMs);
}

/// <summary>A summary of the pcapng capture the run wrote, if any.</summary>
internal sealed record CaptureSummary(IReadOnlyList<string> Interfaces, long Packets);

/// <summary>Everything <see cref="RunRecorder"/> measured during a run, beyond the per-phase counters.</summary>
internal sealed record RunRecording(
    long BucketMs,
    IReadOnlyList<MemberSeries> Members,
    IReadOnlyList<IReadOnlyList<FlowPlacement>> PlacementByPhase,
    IReadOnlyList<Switchover> Switchovers,
    CaptureSummary? Capture)
{
    /// <summary>A recording with nothing in it, for results built without a recorder.</summary>
    public static RunRecording Empty { get; } = new(0, [], [], [], null);
}
