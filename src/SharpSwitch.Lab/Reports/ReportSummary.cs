// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Bonding;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Reports;

/// <summary>
/// The figures every report shows the same way: how many events the scenario file scheduled (a flap is one event
/// with its cycles, as the operator wrote it, not the link-down and link-up pairs it expands into) and the one-line
/// answer per bond.
/// </summary>
internal static class ReportSummary
{
    /// <summary>
    /// The events as written: each flap counts once. <paramref name="flaps"/> lists every flap as
    /// <c>flap TARGET: N cycles</c>, so the header can say what the single count stands for.
    /// </summary>
    public static int EventCount(Scenario scenario, out IReadOnlyList<string> flaps)
    {
        var flapTexts = new List<string>();
        int count = 0;
        foreach (EventSpec e in scenario.Events)
        {
            if (e.Action == EventAction.ImpairmentEnds)
            {
                // The end of an impair's 'for:' window is part of the impair the file wrote, not an event of its own.
                continue;
            }
            if (e.Flap is not { } flap)
            {
                count++;
            }
            else if (flap.Cycle == 1 && e.Action == EventAction.LinkDown)
            {
                count++;
                flapTexts.Add(string.Create(CultureInfo.InvariantCulture, $"flap {e.Target}: {flap.Count} cycle(s)"));
            }
        }
        flaps = flapTexts;
        return count;
    }

    /// <summary>The header's event count, e.g. <c>1 event(s) (flap sw1:eno1: 4 cycle(s))</c>.</summary>
    public static string EventCountText(Scenario scenario)
    {
        int count = EventCount(scenario, out IReadOnlyList<string> flaps);
        string text = string.Create(CultureInfo.InvariantCulture, $"{count} event(s)");
        return flaps.Count == 0 ? text : text + " (" + string.Join(", ", flaps) + ")";
    }

    /// <summary>
    /// One answer per bond. An active-backup bond keeps the failback verdict of the run. A balance-slb or balance-tcp
    /// bond has no single active member to fail back: every member carries some flows, so its answer says where the
    /// flows were placed before the first fault, during the faults and after recovery (from the frames each member
    /// sent, as the recorder counted them on the wire) and whether the load came back to a member that lost it, and
    /// through which rebalance.
    /// </summary>
    public static IReadOnlyList<BondAnswer> Answers(LabResult result)
    {
        var answers = new List<BondAnswer>();
        foreach (BondAnswer answer in result.Answers)
        {
            string? mode = BondMode(result.Scenario, answer.Switch, answer.Bond);
            answers.Add(mode is "balance-slb" or "balance-tcp"
                ? answer with { Text = BalancedAnswer(result, answer.Switch, answer.Bond) }
                : answer);
        }
        return answers;
    }

    private static string? BondMode(Scenario scenario, string switchName, string bondName) =>
        scenario.Topology.Switches
            .Where(s => s.Name == switchName)
            .SelectMany(s => s.Bridges)
            .SelectMany(b => b.Bonds)
            .FirstOrDefault(b => b.Name == bondName)?.BondMode;

    private static string BalancedAnswer(LabResult result, string switchName, string bondName)
    {
        IReadOnlyList<IReadOnlyList<FlowPlacement>> byPhase = result.Recording.PlacementByPhase;
        List<FlowPlacement> Rows(int from, int to) => Enumerable.Range(from, Math.Max(0, Math.Min(to, byPhase.Count) - from))
            .SelectMany(p => byPhase[p])
            .Where(r => r.Switch == switchName && r.Bond == bondName)
            .ToList();

        List<FlowPlacement> all = Rows(0, byPhase.Count);
        List<string> members = all.Select(r => r.Member).Distinct().ToList();
        if (members.Count == 0)
        {
            return "no flow crossed the bond";
        }
        int phases = byPhase.Count;
        List<FlowPlacement> before = Rows(0, 1);
        if (phases == 1)
        {
            return "no fault: flows on " + Placement(before, members);
        }
        List<FlowPlacement> during = phases > 2 ? Rows(1, phases - 1) : Rows(1, phases);
        List<FlowPlacement> after = phases > 2 ? Rows(phases - 1, phases) : [];
        string text = "flows before the fault on " + Placement(before, members) + "; during the fault on " + Placement(during, members);
        if (phases == 2)
        {
            return text + "; the run ended before recovery";
        }
        text += "; after recovery on " + Placement(after, members);

        // A member that carried flows before the fault and none during it lost its load; whether it got some back
        // after recovery, and which logged rebalance moved it, is the balanced bond's failback question.
        List<string> emptied = members.Where(m => Carried(before, m) > 0 && Carried(during, m) == 0).ToList();
        if (emptied.Count == 0)
        {
            return text + ": no member lost all its flows";
        }
        long recoveryMs = result.Phases[^1].StartMs;
        var verdicts = new List<string>();
        foreach (string member in emptied)
        {
            if (Carried(after, member) == 0)
            {
                verdicts.Add($"load did not return to {member} (no rebalance moved flows back)");
                continue;
            }
            BondEvent? shift = result.Timeline
                .Where(t => t.Node == switchName && t.TimeMs >= recoveryMs)
                .Select(t => t.BondEvent)
                .FirstOrDefault(e => e is { } b && b.Bond == bondName && b.Kind == BondEventKind.LoadShifted && ShiftsTo(b, member));
            verdicts.Add(shift is { } s
                ? $"load returned to {member} with the rebalance at {ScenarioValues.FormatSeconds(s.TimeMs)}"
                : $"load returned to {member} without a logged rebalance");
        }
        return text + ": " + string.Join("; ", verdicts);
    }

    /// <summary>
    /// True when the load shift moved load to <paramref name="member"/>. SharpSwitch's events name the receiving
    /// member; events read from real OVS's log carry only the line, which says it as "from X to Y (now carrying".
    /// </summary>
    private static bool ShiftsTo(BondEvent shift, string member) =>
        shift.Member == member || shift.Message.Contains($" to {member} (", StringComparison.Ordinal);

    private static int Carried(List<FlowPlacement> rows, string member) =>
        rows.Where(r => r.Member == member && r.Out > 0).Select(r => r.Flow).Distinct().Count();

    /// <summary>Flows that sent frames out of each member, e.g. <c>eno1 2, eno2 3 flow(s)</c>; a moved flow counts on both.</summary>
    private static string Placement(List<FlowPlacement> rows, List<string> members) =>
        string.Join(", ", members.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m} {Carried(rows, m)}"))) + " flow(s)";
}
