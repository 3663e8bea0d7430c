// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using SharpSwitch.Lab.Reports;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// The HTML report is well-formed, self-contained and deterministic, and its SVG chart, parsed back, shows the run:
/// one lane per bond member, the spans the timeline implies, the rates the counters gave, a line per injected event.
/// </summary>
public sealed class HtmlReportTests
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    private static XDocument Parse(string html)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        using var reader = XmlReader.Create(new StringReader(html), settings);
        return XDocument.Load(reader);
    }

    private static IEnumerable<(long Start, long End)> Spans(XElement lane, string kind) =>
        lane.Elements(s_svg + "rect")
            .Where(r => (string?)r.Attribute("class") == "span " + kind)
            .Select(r => ((long)r.Attribute("data-start-ms")!, (long)r.Attribute("data-end-ms")!));

    [Fact]
    public void Report_is_well_formed_and_loads_nothing_from_elsewhere()
    {
        string html = HtmlReport.Render(LabRunner.Run(LabTestFiles.LoadExample("operator-primary.yaml")));
        XDocument document = Parse(html);

        Assert.Equal("html", document.Root!.Name.LocalName);
        var elements = document.Descendants().ToList();
        Assert.DoesNotContain(elements, e => e.Name.LocalName is "script" or "link" or "img" or "iframe" or "object" or "embed");
        // The only URI is the SVG namespace name, which is an identifier, not something fetched.
        foreach (XAttribute attribute in elements.SelectMany(e => e.Attributes()))
        {
            Assert.False(attribute.Name.LocalName is "src" or "href", $"{attribute} in the report");
        }
        Assert.DoesNotContain("url(", html, StringComparison.Ordinal);
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.Single(elements, e => e.Name == s_svg + "svg");
        Assert.Contains("sw1 bond-mgt: traffic failed back to eno1 at 20.000 s", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_lanes_spans_rates_and_events_are_the_runs()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("operator-primary.yaml"));
        XElement svg = Parse(HtmlReport.Render(result)).Descendants(s_svg + "svg").Single();

        Assert.Equal(30_000, (long)svg.Attribute("data-duration-ms")!);
        Assert.Equal(result.Recording.BucketMs, (long)svg.Attribute("data-bucket-ms")!);
        var lanes = svg.Elements(s_svg + "g").Where(g => (string?)g.Attribute("class") == "lane").ToList();
        Assert.Equal(["eno1", "eno2"], lanes.Select(l => (string)l.Attribute("data-member")!));

        XElement eno1 = lanes[0];
        XElement eno2 = lanes[1];
        Assert.Equal([(0L, 10_000L), (20_000L, 30_000L)], Spans(eno1, "enabled"));
        Assert.Equal([(0L, 10_000L), (20_000L, 30_000L)], Spans(eno1, "active"));
        Assert.Equal([(0L, 30_000L)], Spans(eno2, "enabled"));
        Assert.Equal([(10_000L, 20_000L)], Spans(eno2, "active"));
        Assert.Equal([0L, 20_000L], eno1.Elements(s_svg + "path").Select(p => (long)p.Attribute("data-time-ms")!));
        Assert.Equal([10_000L], eno2.Elements(s_svg + "path").Select(p => (long)p.Attribute("data-time-ms")!));

        // The rate lines carry the per-bucket counter deltas, which add up to the interface's totals.
        for (int i = 0; i < lanes.Count; i++)
        {
            long[] tx = Values(lanes[i], "rate tx");
            long[] rx = Values(lanes[i], "rate rx");
            Assert.Equal(result.Recording.Members[i].TxPackets, tx);
            InterfaceSample end = result.Phases[^1].Interfaces.Single(s => s.Label == "sw1:" + (string)lanes[i].Attribute("data-member")!);
            Assert.Equal(end.AtEnd.TxPackets, tx.Sum());
            Assert.Equal(end.AtEnd.RxPackets, rx.Sum());
        }
        // eno2 carries nothing before the fault and its traffic during the outage; the x positions follow time.
        long bucket = result.Recording.BucketMs;
        long[] eno2Tx = Values(eno2, "rate tx");
        Assert.Equal(0, eno2Tx.Take((int)(10_000 / bucket)).Sum());
        Assert.True(eno2Tx.Skip((int)(10_000 / bucket)).Take((int)(10_000 / bucket)).All(v => v > 0));

        var events = svg.Elements(s_svg + "g").Where(g => (string?)g.Attribute("class") == "event").ToList();
        Assert.Equal([(10_000L, "link-down sw1:eno1"), (20_000L, "link-up sw1:eno1")], events.Select(e => ((long)e.Attribute("data-time-ms")!, (string)e.Attribute("data-text")!)));
        XElement line = events[0].Element(s_svg + "line")!;
        double x = double.Parse((string)line.Attribute("x1")!, CultureInfo.InvariantCulture);
        Assert.Equal(SvgChart.X(10_000, 30_000), x, 2);
    }

    [Fact]
    public void Same_scenario_gives_the_same_bytes_and_the_reviewed_svg()
    {
        string first = HtmlReport.Render(LabRunner.Run(LabTestFiles.LoadExample("operator-no-primary.yaml")));
        string second = HtmlReport.Render(LabRunner.Run(LabTestFiles.LoadExample("operator-no-primary.yaml")));
        Assert.Equal(first, second);

        string svg = SvgChart.Render(LabRunner.Run(LabTestFiles.LoadExample("operator-no-primary.yaml")));
        string golden = LabTestFiles.Golden("operator-no-primary.svg");
        if (Environment.GetEnvironmentVariable("SHARPSWITCH_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(golden, svg);
        }
        Assert.Equal(File.ReadAllText(golden), svg);
    }

    private static long[] Values(XElement lane, string cssClass)
    {
        XElement line = lane.Elements(s_svg + "polyline").Single(p => (string?)p.Attribute("class") == cssClass);
        return ((string)line.Attribute("data-values")!).Split(',').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }
}
