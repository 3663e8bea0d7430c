// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.Lab.Reports;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// An impair event with <c>for:</c>: it ends by itself after that long, and the cable goes back to what it did before
/// it. The window is validated like every time, shown in the timeline, the phases, the JSON and the HTML chart's event
/// lines, and counted as the one event the file wrote.
/// </summary>
public sealed class ImpairmentWindowTests
{
    private static readonly string s_example = File.ReadAllText(LabTestFiles.Example("blackhole-window.yaml"));

    private static ScenarioReadResult Parse(string text) => ScenarioReader.Parse(System.Text.Encoding.UTF8.GetBytes(text), "examples/blackhole-window.yaml");

    private static string Edited(string find, string replace)
    {
        Assert.Contains(find, s_example, StringComparison.Ordinal);
        return s_example.Replace(find, replace, StringComparison.Ordinal);
    }

    private static int LineOf(string text, string fragment)
    {
        int index = text.IndexOf(fragment, StringComparison.Ordinal);
        Assert.True(index >= 0, fragment);
        return text[..index].Count(c => c == '\n') + 1;
    }

    [Fact]
    public void For_expands_into_the_impair_and_its_end_which_opens_the_next_phase()
    {
        Scenario scenario = LabTestFiles.LoadExample("blackhole-window.yaml");
        Assert.Equal([(10_000L, EventAction.Impair), (15_000L, EventAction.ImpairmentEnds)], scenario.Events.Select(e => (e.AtMs, e.Action)));
        Assert.Same(scenario.Events[0], scenario.Events[1].EndsImpairment);

        LabResult result = LabRunner.Run(scenario);
        Assert.Equal(["lab impair sw1:eno1 (loss 100%) for 5.000 s", "lab impair-end sw1:eno1 (end of the 5.000 s impair from 10.000 s)"],
            result.Timeline.Where(e => e.Node == "lab").Select(e => $"{e.Node} {e.Text}"));
        Assert.Equal([(0L, 10_000L), (10_000L, 15_000L), (15_000L, 30_000L)], result.Phases.Select(p => (p.StartMs, p.EndMs)));
        // Everything sent in the window is lost, nothing before or after it, and the bond never fails over.
        Assert.Equal([0L, 1050L, 0L], result.Phases.Select(p => p.Legs.Sum(l => l.Stats.Lost)));
        Assert.Equal(["eno1", "eno1", "eno1"], result.Phases.Select(p => p.Bonds.Single().ActiveMember));
        Assert.Contains("1 event(s), 3 phase(s)", TextReport.Render(result), StringComparison.Ordinal);
        Assert.Contains("Phase 3: 15.000 s to 30.000 s, after impair-end sw1:eno1", TextReport.Render(result), StringComparison.Ordinal);

        using JsonDocument json = JsonDocument.Parse(JsonReport.Render(result));
        Assert.Equal(1, json.RootElement.GetProperty("event_count").GetInt32());
        Assert.Equal("impair-end sw1:eno1", json.RootElement.GetProperty("phases")[2].GetProperty("opening_events")[0].GetString());

        // The chart marks both ends of the window with an event line.
        string html = HtmlReport.Render(result);
        Assert.Contains("<g class=\"event\" data-time-ms=\"10000\" data-text=\"impair sw1:eno1 (loss 100%) for 5.000 s\">", html, StringComparison.Ordinal);
        Assert.Contains("<g class=\"event\" data-time-ms=\"15000\" data-text=\"impair-end sw1:eno1 (end of the 5.000 s impair from 10.000 s)\">", html, StringComparison.Ordinal);
    }

    /// <summary>The chart of the window, pinned by a reviewed golden (SHARPSWITCH_UPDATE_GOLDEN=1 rewrites it for review).</summary>
    [Fact]
    public void The_chart_of_the_window_matches_the_reviewed_svg()
    {
        string svg = SvgChart.Render(LabRunner.Run(LabTestFiles.LoadExample("blackhole-window.yaml")));
        string golden = LabTestFiles.Golden("blackhole-window.svg");
        if (Environment.GetEnvironmentVariable("SHARPSWITCH_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(golden, svg);
        }
        Assert.Equal(File.ReadAllText(golden), svg);
        Assert.Equal(2, svg.Split("<g class=\"event\"").Length - 1);
    }

    [Fact]
    public void The_end_of_the_window_puts_back_the_cables_whole_run_impairment()
    {
        // The cable corrupts 10% for the whole run; the window replaces that with a 5 ms delay (netem's 'change'), so
        // no frame is corrupted during it, and corruption resumes when it ends.
        string text = Edited("- endpoints: [\"sw1:eno1\", \"tor:p1\"]", "- endpoints: [\"sw1:eno1\", \"tor:p1\"]\n      impair: { corrupt: 10%, seed: 3 }")
            .Replace("    loss: 100%\n", "    delay: 5ms\n", StringComparison.Ordinal);
        ScenarioReadResult read = Parse(text);
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));
        LabResult result = LabRunner.Run(read.Scenario!);

        long[] crcErrors = result.Phases.Select(p => p.Interfaces.Single(i => i.Label == "sw1:eno1")).Select(i => i.AtEnd.RxCrcErrors - i.AtStart.RxCrcErrors).ToArray();
        Assert.True(crcErrors[0] > 50, $"phase 1: {crcErrors[0]} CRC errors");
        Assert.Equal(0, crcErrors[1]);
        Assert.True(crcErrors[2] > 50, $"phase 3: {crcErrors[2]} CRC errors");
    }

    [Fact]
    public void A_later_impair_in_the_window_is_not_undone_by_its_end()
    {
        string text = s_example + "  - at: 12s\n    impair: sw1:eno1\n    loss: 100%\n";
        ScenarioReadResult read = Parse(text);
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));
        LabResult result = LabRunner.Run(read.Scenario!);

        // The impair of 12 s has no end, so the cable loses everything from 10 s to the end of the run.
        PhaseResult last = result.Phases[^1];
        Assert.Equal(15_000, last.StartMs);
        Assert.All(last.Legs, leg => Assert.Equal(leg.Stats.Sent, leg.Stats.Lost));
    }

    [Theory]
    [InlineData("    for: 5s", "    for: 5", "4:10: impair for: '5' needs a unit")]
    [InlineData("    for: 5s", "    for: 0ms", "4:10: impair for must be at least 1ms")]
    [InlineData("    for: 5s", "    for: -1s", "4:10: impair for: '-1s' is negative")]
    [InlineData("    for: 5s", "    for: 20s", "4:10: the impairment would end at 30.000 s, which is not before the end of the scenario (30.000 s)")]
    [InlineData("    impair: sw1:eno1\n    loss: 100%\n    for: 5s", "    link-down: sw1:eno1\n    for: 5s", "3:5: 'for' does not belong to a link-down event (it is for impair events)")]
    public void A_bad_window_is_refused_with_its_location(string find, string replace, string expected)
    {
        string text = Edited(find, replace);
        ScenarioReadResult read = Parse(text);

        Assert.False(read.Succeeded);
        int eventsLine = LineOf(text, "events:");
        string[] parts = expected.Split(':', 3);
        string location = $"examples/blackhole-window.yaml:{eventsLine + int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)}:{parts[1]}:";
        Assert.Contains(read.Errors, e => e.ToString().StartsWith(location, StringComparison.Ordinal) && e.ToString().Contains(parts[2].Trim(), StringComparison.Ordinal));
        Assert.True(read.Errors.Count == 1, string.Join("\n", read.Errors));
    }
}
