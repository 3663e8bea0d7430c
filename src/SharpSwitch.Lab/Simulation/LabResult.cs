// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Traffic;
using SharpSwitch.NetDev;

namespace SharpSwitch.Lab.Simulation;

/// <summary>An interface's counters at the start and the end of a phase.</summary>
internal sealed record InterfaceSample(string Label, InterfaceStatistics AtStart, InterfaceStatistics AtEnd);

/// <summary>A bond's active member at the end of a phase (null when every member is disabled).</summary>
internal sealed record BondSample(string Switch, string Bond, string? ActiveMember);

/// <summary>A flow leg's figures in a phase.</summary>
internal sealed record LegSample(string Label, LegPhaseStats Stats);

/// <summary>One phase of the run: from the start (or an event time) to the next event time (or the end).</summary>
internal sealed record PhaseResult(
    int Index,
    long StartMs,
    long EndMs,
    IReadOnlyList<EventSpec> OpeningEvents,
    IReadOnlyList<InterfaceSample> Interfaces,
    IReadOnlyList<BondSample> Bonds,
    IReadOnlyList<LegSample> Legs);

/// <summary>The one-line answer for a bond: did traffic fail back?</summary>
internal sealed record BondAnswer(string Switch, string Bond, string Text);

/// <summary>A host's protocol housekeeping at the end of the run.</summary>
internal sealed record HostSample(string Name, long ArpRequestsSent, long ArpRepliesSent, long EchoRepliesSent, long UnresolvedDropped, long FramesIgnored);
