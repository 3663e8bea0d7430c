// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Diff;

/// <summary>
/// Compares a run of a scenario on SharpSwitch with a run of the same scenario on real Open vSwitch, on what the
/// operator cares about: the bond events of the timeline (lines OVS also logs), the active member of each bond in
/// each phase, and the frames lost by each flow in each phase. Lines logged at the same instant are compared as a
/// set, because OVS logs the members of a bond in hash order.
/// </summary>
public static class LabDiff
{
    /// <summary>Runs the scenario on both switches and compares the runs.</summary>
    public static LabDiffResult Run(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        LabResult ours = LabRunner.Run(scenario, new LabRunOptions { Switch = LabSwitchKind.SharpSwitch });
        LabResult ovs = LabRunner.Run(scenario, new LabRunOptions { Switch = LabSwitchKind.Ovs });
        return Compare(ours, ovs);
    }

    /// <summary>Lists every difference between the two runs of one scenario.</summary>
    public static LabDiffResult Compare(LabResult ours, LabResult ovs)
    {
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(ovs);
        var differences = new List<string>();
        var notCompared = new List<string>();
        // A random impairment (loss, corruption, duplication, jitter) draws one number per frame in the order frames
        // reach the cable. OVS emits the frames of one instant in its own order (and floods or answers at other
        // moments), so the same seed gives each flow different draws: per-flow loss then differs by a few frames
        // between any two switches, even identical ones. Those counts are left out and the report says so; the bond
        // events, active members and answers are still compared.
        bool randomLoss = ours.Scenario.Topology.Links.SelectMany(l => l.Impairments).Any(i => i.Impairment.IsRandom)
            || ours.Scenario.Events.Any(e => e.Impairment is { IsRandom: true });
        if (randomLoss)
        {
            notCompared.Add("loss per flow: the scenario has a random impairment, whose draws follow the order frames reach the cable, which differs between switches");
        }
        CompareTimelines(ours, ovs, differences);
        for (int i = 0; i < Math.Min(ours.Phases.Count, ovs.Phases.Count); i++)
        {
            PhaseResult a = ours.Phases[i];
            PhaseResult b = ovs.Phases[i];
            string phase = string.Create(CultureInfo.InvariantCulture, $"phase {i + 1} ({ScenarioValues.FormatSeconds(a.StartMs)} to {ScenarioValues.FormatSeconds(a.EndMs)})");
            foreach (BondSample bond in a.Bonds)
            {
                string? theirs = b.Bonds.FirstOrDefault(x => x.Switch == bond.Switch && x.Bond == bond.Bond)?.ActiveMember;
                if (theirs != bond.ActiveMember)
                {
                    differences.Add($"{phase}: {bond.Switch} {bond.Bond} active member at the end: SharpSwitch {bond.ActiveMember ?? "none"}, OVS {theirs ?? "none"}");
                }
            }
            foreach (LegSample leg in a.Legs)
            {
                LegSample? other = b.Legs.FirstOrDefault(x => x.Label == leg.Label);
                if (!randomLoss && other is not null && other.Stats.Lost != leg.Stats.Lost)
                {
                    differences.Add(string.Create(CultureInfo.InvariantCulture, $"{phase}: {leg.Label} lost: SharpSwitch {leg.Stats.Lost}, OVS {other.Stats.Lost}"));
                }
            }
        }
        foreach (BondAnswer answer in ours.Answers)
        {
            BondAnswer? other = ovs.Answers.FirstOrDefault(x => x.Switch == answer.Switch && x.Bond == answer.Bond);
            if (other is not null && other.Text != answer.Text)
            {
                differences.Add($"answer: {answer.Switch} {answer.Bond}: SharpSwitch: {answer.Text}; OVS: {other.Text}");
            }
        }
        return new LabDiffResult(differences, ours, ovs) { NotCompared = notCompared };
    }

    private static void CompareTimelines(LabResult ours, LabResult ovs, List<string> differences)
    {
        Dictionary<(long, string), List<string>> a = BondLines(ours);
        Dictionary<(long, string), List<string>> b = BondLines(ovs);
        foreach ((long time, string node) in a.Keys.Concat(b.Keys).Distinct().OrderBy(k => k.Item1).ThenBy(k => k.Item2, StringComparer.Ordinal))
        {
            List<string> mine = a.GetValueOrDefault((time, node)) ?? [];
            List<string> theirs = b.GetValueOrDefault((time, node)) ?? [];
            foreach (string line in Without(mine, theirs))
            {
                differences.Add($"timeline {ScenarioValues.FormatSeconds(time)} {node}: only SharpSwitch logged \"{line}\"");
            }
            foreach (string line in Without(theirs, mine))
            {
                differences.Add($"timeline {ScenarioValues.FormatSeconds(time)} {node}: only OVS logged \"{line}\"");
            }
        }
    }

    private static Dictionary<(long, string), List<string>> BondLines(LabResult result)
    {
        var lines = new Dictionary<(long, string), List<string>>();
        foreach (TimelineEntry entry in result.Timeline)
        {
            // SharpSwitch's own extra events (failback held, load shifts) have no OVS counterpart to compare with.
            if (entry.BondEvent is { IsOvsLogLine: true })
            {
                if (!lines.TryGetValue((entry.TimeMs, entry.Node), out List<string>? list))
                {
                    lines[(entry.TimeMs, entry.Node)] = list = [];
                }
                list.Add(entry.Text);
            }
        }
        return lines;
    }

    /// <summary>The lines of <paramref name="left"/> that <paramref name="right"/> lacks, counting repeats.</summary>
    private static List<string> Without(List<string> left, List<string> right)
    {
        var remaining = new List<string>(right);
        var missing = new List<string>();
        foreach (string line in left)
        {
            if (!remaining.Remove(line))
            {
                missing.Add(line);
            }
        }
        return missing;
    }
}

/// <summary>The outcome of <see cref="LabDiff"/>: the differences (none when both switches behaved the same) and both runs.</summary>
public sealed class LabDiffResult
{
    internal LabDiffResult(IReadOnlyList<string> differences, LabResult sharpSwitch, LabResult ovs)
    {
        Differences = differences;
        SharpSwitch = sharpSwitch;
        Ovs = ovs;
    }

    /// <summary>One line per difference.</summary>
    public IReadOnlyList<string> Differences { get; }

    /// <summary>What was left out of the comparison and why (empty when everything was compared).</summary>
    public IReadOnlyList<string> NotCompared { get; init; } = [];

    /// <summary>True when the two switches behaved the same on everything compared.</summary>
    public bool Same => Differences.Count == 0;

    /// <summary>The run on SharpSwitch.</summary>
    public LabResult SharpSwitch { get; }

    /// <summary>The run on real Open vSwitch.</summary>
    public LabResult Ovs { get; }

    /// <summary>The text <c>vsw lab diff</c> prints.</summary>
    public string Render()
    {
        var text = new System.Text.StringBuilder();
        string source = SharpSwitch.Scenario.SourceName;
        if (Same)
        {
            text.Append(CultureInfo.InvariantCulture, $"SharpSwitch and Open vSwitch behave the same on {source}: bond events, active members and loss per flow agree in {SharpSwitch.Phases.Count} phase(s)\n");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"SharpSwitch and Open vSwitch differ on {source} ({Differences.Count} difference(s)):\n");
            foreach (string difference in Differences)
            {
                text.Append("  ").Append(difference).Append('\n');
            }
        }
        foreach (string line in NotCompared)
        {
            text.Append("  not compared: ").Append(line).Append('\n');
        }
        text.Append("\nSharpSwitch answer:\n");
        foreach (string line in SharpSwitch.AnswerLines)
        {
            text.Append("  ").Append(line).Append('\n');
        }
        text.Append("Open vSwitch answer:\n");
        foreach (string line in Ovs.AnswerLines)
        {
            text.Append("  ").Append(line).Append('\n');
        }
        return text.ToString();
    }
}
