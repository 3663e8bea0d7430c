// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;
using SharpSwitch.Lab.Impairments;
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
        text.Append(CultureInfo.InvariantCulture, $"virtual time {ScenarioValues.FormatSeconds(scenario.DurationMs)}, {ReportSummary.EventCountText(scenario)}, {result.Phases.Count} phase(s)\n");

        RenderSetup(text, scenario);

        text.Append("\nTimeline (bond events in OVS log wording; 'lab' lines are the injected faults)\n");
        foreach (TimelineEntry entry in result.Timeline)
        {
            text.Append(CultureInfo.InvariantCulture, $"{FormatTime(entry.TimeMs)}  {entry.Node}  {entry.Text}\n");
        }

        RenderSwitchovers(text, result.Recording.Switchovers);

        for (int p = 0; p < result.Phases.Count; p++)
        {
            RenderPhase(text, result.Phases[p]);
            if (p < result.Recording.PlacementByPhase.Count)
            {
                RenderPlacement(text, result.Recording.PlacementByPhase[p]);
            }
        }

        RenderImpairments(text, result.Impairments);

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
        // Impairments given on a link apply for the whole run, so they belong with the settings, not the timeline.
        foreach (LinkSpec link in scenario.Topology.Links)
        {
            foreach (LinkImpairmentSpec impairment in link.Impairments)
            {
                string direction = impairment.From is { } from ? $" (frames sent by {from})" : " (both directions)";
                lines.Add($"  link {link.A} <-> {link.B}{direction}: {impairment.Impairment.Describe()}");
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
                // A corrupted frame fails the receiver's FCS check and is counted as ifconfig's RX CRC error, not as
                // a received packet; showing it explains the gap between one end's TX and the other's RX.
                if (end.RxCrcErrors > start.RxCrcErrors)
                {
                    text.Append(CultureInfo.InvariantCulture, $"    {new string(' ', nameWidth)}  (RX CRC errors: {end.RxCrcErrors} (+{end.RxCrcErrors - start.RxCrcErrors}))\n");
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
                if (leg.Stats.Reordered > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $", reordered {leg.Stats.Reordered}");
                }
                if (leg.Stats.Retransmitted > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $", retransmitted {leg.Stats.Retransmitted}");
                }
                text.Append(CultureInfo.InvariantCulture, $", {gap}\n");
            }
        }
    }

    /// <summary>What each impaired direction did to the frames offered to it over the whole run, netem's view.</summary>
    private static void RenderImpairments(StringBuilder text, IReadOnlyList<ImpairmentStatistics> impairments)
    {
        if (impairments.Count == 0)
        {
            return;
        }
        text.Append("\nImpairments (per impaired direction, whole run)\n");
        foreach (ImpairmentStatistics i in impairments)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {i.Label}: offered {i.Offered}, lost {i.Lost}, duplicated {i.Duplicated}, corrupted {i.Corrupted}, tail-dropped {i.TailDropped}, lost in flight {i.LostInFlight}, delivered {i.Delivered}, reordered {i.Reordered}\n");
        }
    }

    /// <summary>The headline figures of every change of active member, with the flows measured around it.</summary>
    private static void RenderSwitchovers(StringBuilder text, IReadOnlyList<Switchover> switchovers)
    {
        if (switchovers.Count == 0)
        {
            return;
        }
        text.Append("\nSwitchovers (times from the injected cause; flows counted from the cause to the bond's next switchover; interruption = longest silence beyond a flow's own packet spacing)\n");
        foreach (Switchover s in switchovers)
        {
            string kind = s.IsFailback ? "failback" : "failover";
            string cause = s.Cause is null ? "no injected cause" : $"cause {s.Cause} at {ScenarioValues.FormatSeconds(s.CauseAtMs)}";
            text.Append(CultureInfo.InvariantCulture, $"  {s.Switch} {s.Bond}: {s.FromMember ?? "none"} -> {s.ToMember} ({kind}) at {ScenarioValues.FormatSeconds(s.ActiveAtMs)}, {cause}\n");
            text.Append(CultureInfo.InvariantCulture, $"    detection {FormatMs(s.DetectionMs)}, switchover {FormatMs(s.SwitchoverMs)}, interruption {FormatMs(s.InterruptionMs)}, lost {s.Lost}, duplicated {s.Duplicated}, reordered {s.Reordered}\n");
            if (s.Flows.Count > 0)
            {
                int width = s.Flows.Max(f => f.Flow.Length);
                foreach (SwitchoverFlow flow in s.Flows)
                {
                    string gap = flow.InterruptionMs is long g ? $"interruption {g} ms" : "idle";
                    text.Append(CultureInfo.InvariantCulture, $"      {flow.Flow.PadRight(width)}  sent {flow.Sent}, lost {flow.Lost}, duplicated {flow.Duplicated}, reordered {flow.Reordered}, {gap}\n");
                }
            }
        }
    }

    /// <summary>Which member carried each flow in a phase, as frames out/in counted on each member's wire.</summary>
    private static void RenderPlacement(StringBuilder text, IReadOnlyList<FlowPlacement> placement)
    {
        foreach (IGrouping<(string Switch, string Bond), FlowPlacement> bond in placement.GroupBy(p => (p.Switch, p.Bond)))
        {
            List<string> members = bond.Select(p => p.Member).Distinct().ToList();
            List<string> flows = bond.Select(p => p.Flow).Distinct().ToList();
            if (flows.Count == 0)
            {
                continue;
            }
            text.Append(CultureInfo.InvariantCulture, $"  flow placement on {bond.Key.Switch} {bond.Key.Bond} (frames out/in per member, counted on the wire)\n");
            var cells = flows.Select(f => members.Select(m =>
            {
                FlowPlacement cell = bond.First(p => p.Flow == f && p.Member == m);
                return string.Create(CultureInfo.InvariantCulture, $"{cell.Out}/{cell.In}");
            }).ToList()).ToList();
            int flowWidth = Math.Max("flow".Length, flows.Max(f => f.Length));
            int[] widths = members.Select((m, c) => Math.Max(m.Length, cells.Max(r => r[c].Length))).ToArray();
            text.Append("    ").Append("flow".PadRight(flowWidth));
            for (int c = 0; c < members.Count; c++)
            {
                text.Append("  ").Append(members[c].PadLeft(widths[c]));
            }
            text.Append('\n');
            for (int r = 0; r < flows.Count; r++)
            {
                text.Append("    ").Append(flows[r].PadRight(flowWidth));
                for (int c = 0; c < members.Count; c++)
                {
                    text.Append("  ").Append(cells[r][c].PadLeft(widths[c]));
                }
                text.Append('\n');
            }
        }
    }

    private static string FormatMs(long? ms) => ms is long value ? string.Create(CultureInfo.InvariantCulture, $"{value} ms") : "n/a";

    private static string Cell(long total, long atStart)
    {
        return string.Create(CultureInfo.InvariantCulture, $"{total} (+{total - atStart})");
    }

    /// <summary>Right-aligns seconds with three decimals, as <c>   10.000 s</c>.</summary>
    internal static string FormatTime(long milliseconds) => ScenarioValues.FormatSeconds(milliseconds).PadLeft(11);
}
