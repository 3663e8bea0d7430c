// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab;

/// <summary>Everything a run produced; the reports render it.</summary>
public sealed class LabResult
{
    internal LabResult(Scenario scenario, IReadOnlyList<PhaseResult> phases, IReadOnlyList<TimelineEntry> timeline, IReadOnlyList<BondAnswer> answers, IReadOnlyList<string> warnings, IReadOnlyList<HostSample> hosts)
    {
        Hosts = hosts;
        Scenario = scenario;
        Phases = phases;
        Timeline = timeline;
        Answers = answers;
        Warnings = warnings;
    }

    /// <summary>The scenario that ran.</summary>
    public Scenario Scenario { get; }

    /// <summary>The one-line answers, one per bond, e.g. <c>traffic stayed on eno2: no failback</c>.</summary>
    public IReadOnlyList<string> AnswerLines => Reports.ReportSummary.Answers(this).Select(a => $"{a.Switch} {a.Bond}: {a.Text}").ToList();

    internal IReadOnlyList<PhaseResult> Phases { get; }

    internal IReadOnlyList<TimelineEntry> Timeline { get; }

    internal IReadOnlyList<BondAnswer> Answers { get; }

    internal IReadOnlyList<string> Warnings { get; }

    internal IReadOnlyList<HostSample> Hosts { get; }

    /// <summary>What the run recorder measured: rates per bucket, flow placement, switchovers, the capture.</summary>
    internal RunRecording Recording { get; init; } = RunRecording.Empty;

    /// <summary>What each direction of each impaired cable did to its frames, in link order; empty without impairments.</summary>
    internal IReadOnlyList<Impairments.ImpairmentStatistics> Impairments { get; init; } = [];
}
