// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text.RegularExpressions;
using SharpSwitch.Bonding;
using SharpSwitch.Lab.Reports;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Diff;

/// <summary>
/// Compares a run of a scenario on SharpSwitch with a run of the same scenario on real Open vSwitch, on what the
/// operator cares about: the bond events of the timeline (lines OVS also logs), the active member of each bond in
/// each phase, and the frames lost by each flow in each phase. Lines logged at the same instant are compared as a
/// set, because OVS logs the members of a bond in hash order. A balance-slb or balance-tcp bond has no single active
/// member to compare, so for those the flows each member carried in each phase and the rebalances (which hash moved
/// from which member to which) are compared too, and the answers as the reports word them.
/// </summary>
public static partial class LabDiff
{
    [GeneratedRegex(@"\(with hash (?<hash>\d+)\) from (?<from>\S+) to (?<to>\S+) ")]
    private static partial Regex ShiftLine();

    /// <summary>Runs the scenario on both switches and compares the runs.</summary>
    public static LabDiffResult Run(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        // The in-process run needs a processor while the real-OVS run mostly waits for the daemons, so they overlap;
        // each is deterministic on its own. The real-OVS run stays on the caller's thread.
        Task<LabResult> ours = Task.Run(() => LabRunner.Run(scenario, new LabRunOptions { Switch = LabSwitchKind.SharpSwitch }));
        LabResult ovs;
        try
        {
            ovs = LabRunner.Run(scenario, new LabRunOptions { Switch = LabSwitchKind.Ovs });
        }
        catch
        {
            // Observe the other run before leaving, so that its failure (if any) is not left unobserved.
            ours.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            throw;
        }
        return Compare(ours.GetAwaiter().GetResult(), ovs);
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
        // Where OVS's dummy interfaces, not its bonds, make it behave differently; see DummyCarrierGaps.
        DummyCarrierGaps gaps = DummyCarrierGaps.Find(ours.Scenario);
        notCompared.AddRange(gaps.Reasons);
        CompareTimelines(ours, ovs, differences, gaps);
        for (int i = 0; i < Math.Min(ours.Phases.Count, ovs.Phases.Count); i++)
        {
            PhaseResult a = ours.Phases[i];
            PhaseResult b = ovs.Phases[i];
            string phase = string.Create(CultureInfo.InvariantCulture, $"phase {i + 1} ({ScenarioValues.FormatSeconds(a.StartMs)} to {ScenarioValues.FormatSeconds(a.EndMs)})");
            foreach (BondSample bond in a.Bonds.Where(x => !gaps.ExcludesPhase(x.Switch, x.Bond, a.EndMs)))
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
        CompareBalancedBonds(ours, ovs, differences, gaps);
        // The answers as the reports word them: a balanced bond's answer is its placement story, not a failback verdict.
        IReadOnlyList<BondAnswer> theirAnswers = ReportSummary.Answers(ovs);
        foreach (BondAnswer answer in ReportSummary.Answers(ours).Where(x => !gaps.ExcludesAny(x.Switch, x.Bond)))
        {
            BondAnswer? other = theirAnswers.FirstOrDefault(x => x.Switch == answer.Switch && x.Bond == answer.Bond);
            if (other is not null && other.Text != answer.Text)
            {
                differences.Add($"answer: {answer.Switch} {answer.Bond}: SharpSwitch: {answer.Text}; OVS: {other.Text}");
            }
        }
        return new LabDiffResult(differences, ours, ovs) { NotCompared = notCompared };
    }

    /// <summary>
    /// For each balance-slb or balance-tcp bond, per phase: which flows each member sent frames of (seen on the
    /// member's wire), and which hashes the rebalances moved from which member to which (the kB amounts are left to
    /// the timeline comparison). Flows whose first frames reach the switch at the same instant on different ports take
    /// the free buckets in the order each switch serves its ports, which is its own choice; a scenario that wants its
    /// placement compared starts its flows apart, as balance-slb.yaml does. Frame counts are not compared: they
    /// depend on the instant a flow moved.
    /// </summary>
    private static void CompareBalancedBonds(LabResult ours, LabResult ovs, List<string> differences, DummyCarrierGaps gaps)
    {
        List<(string Switch, string Bond)> balanced = ours.Scenario.Topology.Switches
            .SelectMany(sw => sw.Bridges.SelectMany(b => b.Bonds).Where(b => b.BondMode is "balance-slb" or "balance-tcp").Select(b => (sw.Name, b.Name)))
            .ToList();
        int phases = Math.Min(ours.Phases.Count, ovs.Phases.Count);
        foreach ((string switchName, string bond) in balanced)
        {
            for (int i = 0; i < phases; i++)
            {
                PhaseResult phase = ours.Phases[i];
                if (gaps.ExcludesPhase(switchName, bond, phase.EndMs))
                {
                    continue;
                }
                string where = string.Create(CultureInfo.InvariantCulture, $"phase {i + 1} ({ScenarioValues.FormatSeconds(phase.StartMs)} to {ScenarioValues.FormatSeconds(phase.EndMs)}): {switchName} {bond}");
                SortedDictionary<string, List<string>> mine = FlowsPerMember(ours, i, switchName, bond);
                SortedDictionary<string, List<string>> theirs = FlowsPerMember(ovs, i, switchName, bond);
                foreach (string member in mine.Keys.Union(theirs.Keys).Order(StringComparer.Ordinal))
                {
                    List<string> a = mine.GetValueOrDefault(member) ?? [];
                    List<string> b = theirs.GetValueOrDefault(member) ?? [];
                    if (!a.SequenceEqual(b, StringComparer.Ordinal))
                    {
                        differences.Add($"{where} flows sent out of {member}: SharpSwitch {FlowList(a)}, OVS {FlowList(b)}");
                    }
                }
                List<string> ourShifts = Rebalances(ours, phase, switchName, bond);
                List<string> theirShifts = Rebalances(ovs, phase, switchName, bond);
                if (!ourShifts.SequenceEqual(theirShifts, StringComparer.Ordinal))
                {
                    differences.Add($"{where} rebalancing: SharpSwitch {ShiftList(ourShifts)}, OVS {ShiftList(theirShifts)}");
                }
            }
        }
    }

    private static SortedDictionary<string, List<string>> FlowsPerMember(LabResult result, int phase, string switchName, string bond)
    {
        var flows = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        if (phase >= result.Recording.PlacementByPhase.Count)
        {
            return flows;
        }
        foreach (FlowPlacement row in result.Recording.PlacementByPhase[phase].Where(r => r.Switch == switchName && r.Bond == bond))
        {
            if (!flows.TryGetValue(row.Member, out List<string>? list))
            {
                flows[row.Member] = list = [];
            }
            if (row.Out > 0)
            {
                list.Add(row.Flow);
            }
        }
        foreach (List<string> list in flows.Values)
        {
            list.Sort(StringComparer.Ordinal);
        }
        return flows;
    }

    /// <summary>The rebalances of the bond logged in the phase, as <c>hash 44 eno2 to eno1</c>, sorted (OVS logs one instant's moves in its own order).</summary>
    private static List<string> Rebalances(LabResult result, PhaseResult phase, string switchName, string bond)
    {
        var shifts = new List<string>();
        foreach (TimelineEntry entry in result.Timeline)
        {
            if (entry.Node == switchName && entry.TimeMs >= phase.StartMs && entry.TimeMs < phase.EndMs
                && entry.BondEvent is { Kind: BondEventKind.LoadShifted } e && e.Bond == bond
                && ShiftLine().Match(entry.Text) is { Success: true } match)
            {
                shifts.Add($"hash {match.Groups["hash"].Value} {match.Groups["from"].Value} to {match.Groups["to"].Value}");
            }
        }
        shifts.Sort(StringComparer.Ordinal);
        return shifts;
    }

    private static string FlowList(List<string> flows) =>
        flows.Count == 0 ? "0" : string.Create(CultureInfo.InvariantCulture, $"{flows.Count} ({string.Join(", ", flows)})");

    private static string ShiftList(List<string> shifts) => shifts.Count == 0 ? "no load moved" : string.Join(", ", shifts);

    private static void CompareTimelines(LabResult ours, LabResult ovs, List<string> differences, DummyCarrierGaps gaps)
    {
        Dictionary<(long, string), List<string>> a = BondLines(ours, gaps);
        Dictionary<(long, string), List<string>> b = BondLines(ovs, gaps);
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

    private static Dictionary<(long, string), List<string>> BondLines(LabResult result, DummyCarrierGaps gaps)
    {
        var lines = new Dictionary<(long, string), List<string>>();
        foreach (TimelineEntry entry in result.Timeline)
        {
            // SharpSwitch's own extra events (failback held, load shifts) have no OVS counterpart to compare with.
            if (entry.BondEvent is { IsOvsLogLine: true } e && !gaps.Excludes(entry.Node, e.Bond, entry.TimeMs))
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
