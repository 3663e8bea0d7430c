// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;
using SharpSwitch.NetDev;

namespace SharpSwitch.Lab.Reports;

/// <summary>
/// Renders a run as one self-contained HTML page to open in a browser or attach to a ticket: the answer, the
/// headline figures per switchover, the SVG chart, the timeline, and per phase the counter tables, flows and flow
/// placement. It loads nothing from elsewhere (styles inline, no scripts, no fonts, no images), and it is also
/// well-formed XML, so tests can parse it. Like the other reports it depends only on the run.
/// </summary>
public static class HtmlReport
{
    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
        h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; } h3 { font-size: 1em; }
        table { border-collapse: collapse; margin: 0.4em 0 1em 0; }
        th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: right; font-variant-numeric: tabular-nums; }
        th:first-child, td:first-child, td.text { text-align: left; }
        .answer { font-weight: bold; }
        .lab-chart .lane-background { fill: #fafafa; stroke: #ddd; }
        .lab-chart .lane-label { text-anchor: end; dominant-baseline: middle; font-size: 12px; }
        .lab-chart .span.enabled { fill: #d8f0d8; }
        .lab-chart .span.active { fill: #2b6cb0; }
        .lab-chart .rate { fill: none; stroke-width: 1.5; }
        .lab-chart .rate.tx { stroke: #1f5fbf; }
        .lab-chart .rate.rx { stroke: #e07b00; }
        .lab-chart .marker { fill: #c53030; }
        .lab-chart .event line { stroke: #c53030; stroke-dasharray: 4 3; }
        .lab-chart .event text { fill: #c53030; font-size: 11px; text-anchor: middle; }
        .lab-chart .axis line { stroke: #888; }
        .lab-chart .axis text { font-size: 11px; text-anchor: middle; fill: #555; }
        .lab-chart .scale { font-size: 11px; text-anchor: end; fill: #555; }
        """;

    /// <summary>Renders <paramref name="result"/> as an HTML document; lines end with '\n'.</summary>
    public static string Render(LabResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var html = new StringBuilder();
        Scenario scenario = result.Scenario;
        string title = $"SharpSwitch lab: {scenario.Name}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        Line(html, $"<title>{Html.Escape(title)}</title>");
        html.Append("<style>\n").Append(Style).Append("\n</style>\n</head>\n<body>\n");
        Line(html, $"<h1>{Html.Escape(title)}</h1>");
        Line(html, $"<p>{Html.Escape($"{scenario.SourceName}: virtual time {ScenarioValues.FormatSeconds(scenario.DurationMs)}, {ReportSummary.EventCountText(scenario)}, {result.Phases.Count} phase(s)")}</p>");

        html.Append("<section id=\"answer\">\n<h2>Answer</h2>\n<ul>\n");
        foreach (string line in result.AnswerLines)
        {
            Line(html, $"<li class=\"answer\">{Html.Escape(line)}</li>");
        }
        html.Append("</ul>\n</section>\n");

        RenderSwitchovers(html, result.Recording.Switchovers);

        html.Append("<section id=\"chart\">\n<h2>Bond members over time</h2>\n");
        Line(html, $"<p>{Html.Escape($"One lane per bond member: green while enabled, a blue bar while active, packets per second sent (blue) and received (orange) per {result.Recording.BucketMs} ms bucket read from the interface counters; dashed red lines are the injected events, red diamonds the changes of active member.")}</p>");
        html.Append(SvgChart.Render(result));
        html.Append("<ol class=\"events\">\n");
        foreach (TimelineEntry entry in result.Timeline.Where(t => t.Node == BondEventLog.LabNode))
        {
            Line(html, $"<li>{Html.Escape($"{ScenarioValues.FormatSeconds(entry.TimeMs)} {entry.Text}")}</li>");
        }
        html.Append("</ol>\n</section>\n");

        html.Append("<section id=\"timeline\">\n<h2>Timeline</h2>\n<table>\n<tr><th>time</th><th>node</th><th>event</th></tr>\n");
        foreach (TimelineEntry entry in result.Timeline)
        {
            Line(html, $"<tr><td>{ScenarioValues.FormatSeconds(entry.TimeMs)}</td><td class=\"text\">{Html.Escape(entry.Node)}</td><td class=\"text\">{Html.Escape(entry.Text)}</td></tr>");
        }
        html.Append("</table>\n</section>\n");

        html.Append("<section id=\"phases\">\n<h2>Phases</h2>\n");
        for (int p = 0; p < result.Phases.Count; p++)
        {
            RenderPhase(html, result.Phases[p], p < result.Recording.PlacementByPhase.Count ? result.Recording.PlacementByPhase[p] : []);
        }
        html.Append("</section>\n");

        if (result.Warnings.Count > 0)
        {
            html.Append("<section id=\"warnings\">\n<h2>Warnings</h2>\n<ul>\n");
            foreach (string warning in result.Warnings)
            {
                Line(html, $"<li>{Html.Escape(warning)}</li>");
            }
            html.Append("</ul>\n</section>\n");
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void RenderSwitchovers(StringBuilder html, IReadOnlyList<Switchover> switchovers)
    {
        html.Append("<section id=\"switchovers\">\n<h2>Switchovers</h2>\n");
        if (switchovers.Count == 0)
        {
            html.Append("<p>No bond changed its active member.</p>\n</section>\n");
            return;
        }
        html.Append("<p>Times are from the injected cause; flows are counted from the cause to the bond's next switchover; the interruption is the longest silence of any flow beyond its own packet spacing.</p>\n");
        html.Append("<table>\n<tr><th>bond</th><th>from</th><th>to</th><th>kind</th><th>at</th><th>cause</th><th>detection (ms)</th><th>switchover (ms)</th><th>interruption (ms)</th><th>lost</th><th>duplicated</th><th>reordered</th></tr>\n");
        foreach (Switchover s in switchovers)
        {
            Line(html, $"<tr class=\"switchover\"><td>{Html.Escape($"{s.Switch} {s.Bond}")}</td><td class=\"text\">{Html.Escape(s.FromMember ?? "none")}</td><td class=\"text\">{Html.Escape(s.ToMember)}</td><td class=\"text\">{(s.IsFailback ? "failback" : "failover")}</td><td>{ScenarioValues.FormatSeconds(s.ActiveAtMs)}</td><td class=\"text\">{Html.Escape(s.Cause ?? "none")}</td><td>{Ms(s.DetectionMs)}</td><td>{Ms(s.SwitchoverMs)}</td><td>{Ms(s.InterruptionMs)}</td><td>{s.Lost}</td><td>{s.Duplicated}</td><td>{s.Reordered}</td></tr>");
        }
        html.Append("</table>\n</section>\n");
    }

    private static void RenderPhase(StringBuilder html, PhaseResult phase, IReadOnlyList<FlowPlacement> placement)
    {
        string opening = phase.OpeningEvents.Count == 0
            ? "before the first event"
            : "after " + string.Join(", ", phase.OpeningEvents.Select(e => $"{e.ActionName} {e.Target}"));
        Line(html, $"<h3>{Html.Escape($"Phase {phase.Index + 1}: {ScenarioValues.FormatSeconds(phase.StartMs)} to {ScenarioValues.FormatSeconds(phase.EndMs)}, {opening}")}</h3>");
        if (phase.Interfaces.Count > 0)
        {
            html.Append("<table class=\"counters\">\n<tr><th>interface</th><th>RX packets</th><th>RX bytes</th><th>TX packets</th><th>TX bytes</th><th>RX dropped</th><th>TX dropped</th></tr>\n");
            foreach (InterfaceSample sample in phase.Interfaces)
            {
                InterfaceStatistics end = sample.AtEnd;
                InterfaceStatistics start = sample.AtStart;
                Line(html, $"<tr><td>{Html.Escape(sample.Label)}</td><td>{Cell(end.RxPackets, start.RxPackets)}</td><td>{Cell(end.RxBytes, start.RxBytes)}</td><td>{Cell(end.TxPackets, start.TxPackets)}</td><td>{Cell(end.TxBytes, start.TxBytes)}</td><td>{Cell(end.RxDropped, start.RxDropped)}</td><td>{Cell(end.TxDropped, start.TxDropped)}</td></tr>");
            }
            html.Append("</table>\n");
        }
        html.Append("<ul>\n");
        foreach (BondSample bond in phase.Bonds)
        {
            Line(html, $"<li>{Html.Escape($"{bond.Switch} {bond.Bond}: active member at {ScenarioValues.FormatSeconds(phase.EndMs)}: {bond.ActiveMember ?? "none (all members disabled)"}")}</li>");
        }
        html.Append("</ul>\n");
        if (phase.Legs.Count > 0)
        {
            html.Append("<table class=\"flows\">\n<tr><th>flow</th><th>sent</th><th>received</th><th>lost</th><th>duplicates</th><th>max gap (ms)</th></tr>\n");
            foreach (LegSample leg in phase.Legs)
            {
                Line(html, $"<tr><td>{Html.Escape(leg.Label)}</td><td>{leg.Stats.Sent}</td><td>{leg.Stats.Delivered}</td><td>{leg.Stats.Lost}</td><td>{leg.Stats.Duplicates}</td><td>{Ms(leg.Stats.MaxGapMs)}</td></tr>");
            }
            html.Append("</table>\n");
        }
        foreach (IGrouping<(string Switch, string Bond), FlowPlacement> bond in placement.GroupBy(p => (p.Switch, p.Bond)))
        {
            List<string> members = bond.Select(p => p.Member).Distinct().ToList();
            Line(html, $"<table class=\"placement\">\n<caption>{Html.Escape($"flow placement on {bond.Key.Switch} {bond.Key.Bond} (frames out/in per member, counted on the wire)")}</caption>");
            html.Append("<tr><th>flow</th>");
            foreach (string member in members)
            {
                Line(html, $"<th>{Html.Escape(member)}</th>");
            }
            html.Append("</tr>\n");
            foreach (string flow in bond.Select(p => p.Flow).Distinct())
            {
                Line(html, $"<tr><td>{Html.Escape(flow)}</td>");
                foreach (string member in members)
                {
                    FlowPlacement cell = bond.First(p => p.Flow == flow && p.Member == member);
                    Line(html, $"<td>{cell.Out}/{cell.In}</td>");
                }
                html.Append("</tr>\n");
            }
            html.Append("</table>\n");
        }
    }

    private static string Ms(long? ms) => ms is long value ? value.ToString(CultureInfo.InvariantCulture) : "n/a";

    private static string Cell(long total, long atStart) => string.Create(CultureInfo.InvariantCulture, $"{total} (+{total - atStart})");

    private static void Line(StringBuilder html, FormattableString text) => html.Append(FormattableString.Invariant(text)).Append('\n');
}
