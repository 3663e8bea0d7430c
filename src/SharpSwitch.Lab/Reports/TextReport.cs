// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;
using SharpSwitch.NetDev;

namespace SharpSwitch.Lab.Reports;

/// <summary>
/// Renders a run for a person at a terminal: the bond timeline in OVS's log wording, then per phase the
/// ifconfig-style counters of the bond members (totals and the change in the phase), the active member and what
/// each traffic flow achieved, and finally the one-line answer. The text depends only on the run, never on the
/// machine or the wall clock, so it can be compared byte for byte.
/// </summary>
public static class TextReport
{
    /// <summary>Renders <paramref name="result"/>; lines end with '\n'.</summary>
    public static string Render(LabResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        Scenario scenario = result.Scenario;
        text.Append(CultureInfo.InvariantCulture, $"SharpSwitch lab: {scenario.Name} ({scenario.SourceName})\n");
        text.Append(CultureInfo.InvariantCulture, $"virtual time {ScenarioValues.FormatSeconds(scenario.DurationMs)}, {scenario.Events.Count} event(s), {result.Phases.Count} phase(s)\n");

        RenderSetup(text, scenario);

        text.Append("\nTimeline (bond events in OVS log wording; 'lab' lines are the injected faults)\n");
        foreach (TimelineEntry entry in result.Timeline)
        {
            text.Append(CultureInfo.InvariantCulture, $"{FormatTime(entry.TimeMs)}  {entry.Node}  {entry.Text}\n");
        }

        foreach (PhaseResult phase in result.Phases)
        {
            RenderPhase(text, phase);
        }

        if (result.Warnings.Count > 0)
        {
            text.Append("\nWarnings\n");
            foreach (string warning in result.Warnings)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {warning}\n");
            }
        }

        text.Append("\nAnswer\n");
        foreach (string line in result.AnswerLines)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {line}\n");
        }
        return text.ToString();
    }

    /// <summary>The bond settings as the database would hold them, so the reader knows which question the run answers.</summary>
    private static void RenderSetup(StringBuilder text, Scenario scenario)
    {
        var lines = new List<string>();
        foreach (SwitchSpec sw in scenario.Topology.Switches)
        {
            foreach (BondSpec bond in sw.Bridges.SelectMany(b => b.Bonds))
            {
                string mode = bond.BondMode ?? "(unset, so active-backup)";
                lines.Add($"  {sw.Name} {bond.Name}: bond_mode={mode} bond_updelay={bond.UpdelayMs} bond_downdelay={bond.DowndelayMs} other_config={FormatMap(bond.OtherConfig)}");
                foreach (BondInterfaceSpec member in bond.Interfaces.Where(m => m.OtherConfig.Count > 0))
                {
                    lines.Add($"    interface {member.Name}: other_config={FormatMap(member.OtherConfig)}");
                }
            }
        }
        if (lines.Count == 0)
        {
            return;
        }
        text.Append("\nSetup\n");
        foreach (string line in lines)
        {
            text.Append(line).Append('\n');
        }
    }

    private static string FormatMap(IReadOnlyDictionary<string, string> map)
    {
        return "{" + string.Join(", ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")) + "}";
    }

    private static void RenderPhase(StringBuilder text, PhaseResult phase)
    {
        string opening = phase.OpeningEvents.Count == 0
            ? "before the first event"
            : "after " + string.Join(", ", phase.OpeningEvents.Select(e => $"{e.ActionName} {e.Target}"));
        text.Append(CultureInfo.InvariantCulture, $"\nPhase {phase.Index + 1}: {ScenarioValues.FormatSeconds(phase.StartMs)} to {ScenarioValues.FormatSeconds(phase.EndMs)}, {opening}\n");

        if (phase.Interfaces.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"  counters at {ScenarioValues.FormatSeconds(phase.EndMs)} (ifconfig totals, change in this phase in brackets)\n");
            int nameWidth = Math.Max("interface".Length, phase.Interfaces.Max(i => i.Label.Length));
            string[] headers = ["RX packets", "RX bytes", "TX packets", "TX bytes"];
            var rows = phase.Interfaces.Select(i => new[]
            {
                Cell(i.AtEnd.RxPackets, i.AtStart.RxPackets),
                Cell(i.AtEnd.RxBytes, i.AtStart.RxBytes),
                Cell(i.AtEnd.TxPackets, i.AtStart.TxPackets),
                Cell(i.AtEnd.TxBytes, i.AtStart.TxBytes),
            }).ToList();
            int[] widths = headers.Select((h, c) => Math.Max(h.Length, rows.Max(r => r[c].Length))).ToArray();
            text.Append("    ").Append("interface".PadRight(nameWidth));
            for (int c = 0; c < headers.Length; c++)
            {
                text.Append("  ").Append(headers[c].PadLeft(widths[c]));
            }
            text.Append('\n');
            for (int r = 0; r < rows.Count; r++)
            {
                text.Append("    ").Append(phase.Interfaces[r].Label.PadRight(nameWidth));
                for (int c = 0; c < headers.Length; c++)
                {
                    text.Append("  ").Append(rows[r][c].PadLeft(widths[c]));
                }
                text.Append('\n');
                InterfaceStatistics end = phase.Interfaces[r].AtEnd;
                InterfaceStatistics start = phase.Interfaces[r].AtStart;
                long droppedDelta = (end.RxDropped - start.RxDropped) + (end.TxDropped - start.TxDropped);
                if (droppedDelta > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $"    {new string(' ', nameWidth)}  (dropped in this phase: rx {end.RxDropped - start.RxDropped}, tx {end.TxDropped - start.TxDropped})\n");
                }
            }
        }

        text.Append("  verdict\n");
        foreach (BondSample bond in phase.Bonds)
        {
            text.Append(CultureInfo.InvariantCulture, $"    {bond.Switch} {bond.Bond}: active member at {ScenarioValues.FormatSeconds(phase.EndMs)}: {bond.ActiveMember ?? "none (all members disabled)"}\n");
        }
        if (phase.Legs.Count > 0)
        {
            int labelWidth = phase.Legs.Max(l => l.Label.Length);
            foreach (LegSample leg in phase.Legs)
            {
                string gap = leg.Stats.MaxGapMs is long gapMs ? $"max gap {gapMs} ms" : "idle";
                text.Append(CultureInfo.InvariantCulture, $"    {leg.Label.PadRight(labelWidth)}  sent {leg.Stats.Sent}, received {leg.Stats.Delivered}, lost {leg.Stats.Lost}");
                if (leg.Stats.Duplicates > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $", duplicates {leg.Stats.Duplicates}");
                }
                text.Append(CultureInfo.InvariantCulture, $", {gap}\n");
            }
        }
    }

    private static string Cell(long total, long atStart)
    {
        return string.Create(CultureInfo.InvariantCulture, $"{total} (+{total - atStart})");
    }

    /// <summary>Right-aligns seconds with three decimals, as <c>   10.000 s</c>.</summary>
    internal static string FormatTime(long milliseconds) => ScenarioValues.FormatSeconds(milliseconds).PadLeft(11);
}
