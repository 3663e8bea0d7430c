// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Reports;

/// <summary>
/// Draws the run as an SVG chart: one lane per bond member with its enabled and active spans as bands and its
/// transmit and receive rates per time bucket as lines, the injected events as dashed vertical lines across every
/// lane, and each change of active member as a marker in the new member's lane. Every drawn element carries its
/// data in <c>data-*</c> attributes (times in virtual ms, raw packet counts), so the chart can be checked against
/// the run by parsing it back. Coordinates are printed with invariant culture and at most two decimals, so the same
/// run always gives the same bytes.
/// </summary>
internal static class SvgChart
{
    /// <summary>Total width of the chart, in SVG user units.</summary>
    public const int Width = 1000;

    private const int LabelWidth = 170;
    private const int RightMargin = 20;
    private const int TopMargin = 34;
    private const int LaneHeight = 64;
    private const int LaneGap = 10;
    private const int AxisHeight = 30;
    private const int ActiveBarHeight = 8;
    private const int PlotWidth = Width - LabelWidth - RightMargin;

    public static string Render(LabResult result)
    {
        var svg = new StringBuilder();
        RunRecording recording = result.Recording;
        long duration = Math.Max(result.Scenario.DurationMs, 1);
        IReadOnlyList<MemberSeries> members = recording.Members;
        int height = TopMargin + (members.Count * (LaneHeight + LaneGap)) + AxisHeight;
        double bucketSeconds = recording.BucketMs / 1000.0;
        long maxPerBucket = 1;
        foreach (MemberSeries member in members)
        {
            maxPerBucket = Math.Max(maxPerBucket, Math.Max(member.TxPackets.DefaultIfEmpty(0).Max(), member.RxPackets.DefaultIfEmpty(0).Max()));
        }
        double maxRate = bucketSeconds > 0 ? maxPerBucket / bucketSeconds : maxPerBucket;

        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lab-chart\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" data-duration-ms=\"{duration}\" data-bucket-ms=\"{recording.BucketMs}\" data-max-rate-pps=\"{F(maxRate)}\" role=\"img\">\n");
        Append(svg, $"<title>{Html.Escape(result.Scenario.Name)}: traffic per bond member over virtual time</title>\n");
        RenderAxis(svg, duration, height);

        IReadOnlyList<MemberSpan> spans = BondSpans.From(result.Timeline, duration);
        for (int i = 0; i < members.Count; i++)
        {
            MemberSeries member = members[i];
            int top = TopMargin + (i * (LaneHeight + LaneGap));
            Append(svg, $"<g class=\"lane\" data-switch=\"{Html.Escape(member.Switch)}\" data-bond=\"{Html.Escape(member.Bond)}\" data-member=\"{Html.Escape(member.Member)}\" data-top=\"{top}\">\n");
            Append(svg, $"<rect class=\"lane-background\" x=\"{LabelWidth}\" y=\"{top}\" width=\"{PlotWidth}\" height=\"{LaneHeight}\"/>\n");
            Append(svg, $"<text class=\"lane-label\" x=\"{LabelWidth - 8}\" y=\"{top + (LaneHeight / 2)}\">{Html.Escape($"{member.Switch} {member.Bond} {member.Member}")}</text>\n");
            foreach (MemberSpan span in spans.Where(s => s.Switch == member.Switch && s.Bond == member.Bond && s.Member == member.Member))
            {
                double x = X(span.StartMs, duration);
                double w = X(span.EndMs, duration) - x;
                if (span.Kind == SpanKind.Enabled)
                {
                    Append(svg, $"<rect class=\"span enabled\" data-start-ms=\"{span.StartMs}\" data-end-ms=\"{span.EndMs}\" x=\"{F(x)}\" y=\"{top}\" width=\"{F(w)}\" height=\"{LaneHeight - ActiveBarHeight}\"><title>{Html.Escape($"{member.Member} enabled {ScenarioText(span.StartMs)} to {ScenarioText(span.EndMs)}")}</title></rect>\n");
                }
                else
                {
                    Append(svg, $"<rect class=\"span active\" data-start-ms=\"{span.StartMs}\" data-end-ms=\"{span.EndMs}\" x=\"{F(x)}\" y=\"{top + LaneHeight - ActiveBarHeight}\" width=\"{F(w)}\" height=\"{ActiveBarHeight}\"><title>{Html.Escape($"{member.Member} active {ScenarioText(span.StartMs)} to {ScenarioText(span.EndMs)}")}</title></rect>\n");
                }
            }
            RenderRate(svg, "rate tx", member.TxPackets, recording.BucketMs, duration, top, maxPerBucket);
            RenderRate(svg, "rate rx", member.RxPackets, recording.BucketMs, duration, top, maxPerBucket);
            foreach (TimelineEntry entry in result.Timeline)
            {
                if (entry.Node == member.Switch && entry.BondEvent is { Kind: Bonding.BondEventKind.ActiveChanged } e && e.Bond == member.Bond && e.Member == member.Member)
                {
                    double x = X(entry.TimeMs, duration);
                    double y = top + LaneHeight - (ActiveBarHeight / 2.0);
                    Append(svg, $"<path class=\"marker active-changed\" data-time-ms=\"{entry.TimeMs}\" d=\"M {F(x)} {F(y - 7)} L {F(x + 6)} {F(y)} L {F(x)} {F(y + 7)} L {F(x - 6)} {F(y)} Z\"><title>{Html.Escape($"{ScenarioText(entry.TimeMs)} {entry.Text}")}</title></path>\n");
                }
            }
            svg.Append("</g>\n");
        }

        int eventNumber = 0;
        int bottom = TopMargin + (members.Count * (LaneHeight + LaneGap)) - LaneGap;
        foreach (TimelineEntry entry in result.Timeline.Where(t => t.Node == BondEventLog.LabNode))
        {
            eventNumber++;
            double x = X(entry.TimeMs, duration);
            Append(svg, $"<g class=\"event\" data-time-ms=\"{entry.TimeMs}\" data-text=\"{Html.Escape(entry.Text)}\">\n");
            Append(svg, $"<line x1=\"{F(x)}\" y1=\"{TopMargin - 14}\" x2=\"{F(x)}\" y2=\"{bottom}\"/>\n");
            Append(svg, $"<text x=\"{F(x)}\" y=\"{TopMargin - 18}\">{eventNumber}</text>\n");
            Append(svg, $"<title>{Html.Escape($"{ScenarioText(entry.TimeMs)} {entry.Text}")}</title>\n");
            svg.Append("</g>\n");
        }
        Append(svg, $"<text class=\"scale\" x=\"{Width - RightMargin}\" y=\"{TopMargin - 18}\">{Html.Escape($"lane height = {F(maxRate)} packets/s; blue tx, orange rx")}</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>The x coordinate of virtual time <paramref name="ms"/>.</summary>
    internal static double X(long ms, long durationMs) => LabelWidth + (ms * (double)PlotWidth / durationMs);

    private static void RenderRate(StringBuilder svg, string cssClass, IReadOnlyList<long> perBucket, long bucketMs, long duration, int top, long maxPerBucket)
    {
        if (perBucket.Count == 0)
        {
            return;
        }
        var points = new StringBuilder();
        double usable = LaneHeight - ActiveBarHeight - 4;
        for (int k = 0; k < perBucket.Count; k++)
        {
            long start = k * bucketMs;
            long end = Math.Min(start + bucketMs, duration);
            // The last bucket may be short; its rate is scaled to its real width.
            double scaled = end > start ? perBucket[k] * (double)bucketMs / (end - start) : 0;
            double y = top + LaneHeight - ActiveBarHeight - 2 - (Math.Min(scaled, maxPerBucket) * usable / maxPerBucket);
            if (k > 0)
            {
                points.Append(' ');
            }
            points.Append(F(X(start, duration))).Append(',').Append(F(y)).Append(' ').Append(F(X(end, duration))).Append(',').Append(F(y));
        }
        Append(svg, $"<polyline class=\"{cssClass}\" data-values=\"{string.Join(",", perBucket.Select(v => v.ToString(CultureInfo.InvariantCulture)))}\" points=\"{points}\"/>\n");
    }

    private static void RenderAxis(StringBuilder svg, long duration, int height)
    {
        long step = TickStep(duration);
        int axisY = height - AxisHeight + 4;
        svg.Append("<g class=\"axis\">\n");
        Append(svg, $"<line x1=\"{LabelWidth}\" y1=\"{axisY}\" x2=\"{Width - RightMargin}\" y2=\"{axisY}\"/>\n");
        for (long t = 0; t <= duration; t += step)
        {
            double x = X(t, duration);
            Append(svg, $"<line class=\"tick\" x1=\"{F(x)}\" y1=\"{axisY}\" x2=\"{F(x)}\" y2=\"{axisY + 5}\"/>\n");
            Append(svg, $"<text x=\"{F(x)}\" y=\"{axisY + 18}\">{F(t / 1000.0)} s</text>\n");
        }
        svg.Append("</g>\n");
    }

    /// <summary>A round tick step that gives about ten ticks.</summary>
    private static long TickStep(long duration)
    {
        long[] steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000, 120000, 300000, 600000];
        foreach (long step in steps)
        {
            if (duration / step <= 12)
            {
                return step;
            }
        }
        return Math.Max(1, duration / 10);
    }

    private static string ScenarioText(long ms) => Scenarios.ScenarioValues.FormatSeconds(ms);

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static void Append(StringBuilder svg, FormattableString text) => svg.Append(FormattableString.Invariant(text));
}

/// <summary>Escaping for text and attribute values in HTML and SVG.</summary>
internal static class Html
{
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }
}
