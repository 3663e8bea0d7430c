// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// The flap and impairment syntax of scenario files: what each form expands to, and every mistake refused with
/// FILE:LINE:COLUMN before anything runs.
/// </summary>
public sealed class FlapAndImpairmentScenarioTests
{
    private static readonly string s_operator = File.ReadAllText(LabTestFiles.Example("operator-no-primary.yaml"));

    /// <summary>The operator's scenario with its events replaced by <paramref name="events"/> (indented list items).</summary>
    internal static string WithEvents(string events, string? linkExtra = null)
    {
        int at = s_operator.IndexOf("events:\n", StringComparison.Ordinal);
        Assert.True(at > 0);
        string text = s_operator[..at] + "events:\n" + events;
        if (linkExtra is not null)
        {
            const string Link = "    - endpoints: [\"sw1:eno1\", \"tor:p1\"]\n";
            Assert.Contains(Link, text, StringComparison.Ordinal);
            text = text.Replace(Link, Link + linkExtra, StringComparison.Ordinal);
        }
        return text;
    }

    private static Scenario Read(string text)
    {
        ScenarioReadResult result = ScenarioReader.Parse(text, "s.yaml");
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Scenario!;
    }

    private static ScenarioError SingleError(string text)
    {
        ScenarioReadResult result = ScenarioReader.Parse(text, "s.yaml");
        Assert.False(result.Succeeded);
        return Assert.Single(result.Errors);
    }

    private static int LineOf(string text, string fragment)
    {
        int index = text.IndexOf(fragment, StringComparison.Ordinal);
        Assert.True(index >= 0, fragment);
        return text[..index].Count(c => c == '\n') + 1;
    }

    [Fact]
    public void A_flap_with_a_period_expands_to_down_and_up_events_half_a_period_apart()
    {
        Scenario scenario = Read(WithEvents("  - at: 10s\n    flap: sw1:eno1\n    period: 2s\n    count: 3\n"));

        Assert.Equal(
            ["10000 link-down", "11000 link-up", "12000 link-down", "13000 link-up", "14000 link-down", "15000 link-up"],
            scenario.Events.Select(e => $"{e.AtMs} {e.ActionName}"));
        Assert.Equal([true, false, false, false, false, true], scenario.Events.Select(e => e.OpensPhase));
        Assert.Equal("link-down sw1:eno1 (flap 2/3)", scenario.Events[2].Description);
    }

    [Fact]
    public void A_flap_with_down_and_up_durations_uses_them_and_interleaves_with_other_events()
    {
        Scenario scenario = Read(WithEvents("  - at: 20s\n    admin-down: tor:p2\n  - at: 19s\n    flap: sw1:eno1\n    down: 300ms\n    up: 700ms\n    count: 2\n"));

        Assert.Equal(
            ["19000 link-down sw1:eno1", "19300 link-up sw1:eno1", "20000 admin-down tor:p2", "20000 link-down sw1:eno1", "20300 link-up sw1:eno1"],
            scenario.Events.Select(e => $"{e.AtMs} {e.ActionName} {e.Target}"));
    }

    [Fact]
    public void A_flap_runs_as_its_link_events_in_the_timeline_with_one_phase_for_the_flap_and_one_after()
    {
        Scenario scenario = Read(WithEvents("  - at: 10s\n    flap: sw1:eno1\n    period: 2s\n    count: 3\n"));
        LabResult result = LabRunner.Run(scenario);

        List<string> lab = result.Timeline.Where(e => e.Node == "lab").Select(e => $"{e.TimeMs} {e.Text}").ToList();
        Assert.Equal(
        [
            "10000 link-down sw1:eno1 (flap 1/3)", "11000 link-up sw1:eno1 (flap 1/3)",
            "12000 link-down sw1:eno1 (flap 2/3)", "13000 link-up sw1:eno1 (flap 2/3)",
            "14000 link-down sw1:eno1 (flap 3/3)", "15000 link-up sw1:eno1 (flap 3/3)",
        ], lab);
        Assert.Equal([0L, 10_000L, 15_000L], result.Phases.Select(p => p.StartMs));
        Assert.Equal(3, result.Timeline.Count(e => e.Node == "sw1" && e.Text == "member eno1: link state down"));
    }

    public static TheoryData<string, string, string, string> Mistakes() => new()
    {
        // case, events, link extra, expected "LINE-FRAGMENT|COLUMN|message fragment".
        { "flap with period and down", "  - at: 10s\n    flap: sw1:eno1\n    period: 2s\n    down: 1s\n    count: 2\n", "", "period: 2s|13|either 'period' (half down, half up) or 'down' and 'up'" },
        { "flap without count", "  - at: 10s\n    flap: sw1:eno1\n    period: 2s\n", "", "at: 10s|5|an event is missing 'count:'" },
        { "flap without timing", "  - at: 10s\n    flap: sw1:eno1\n    count: 2\n", "", "at: 10s|5|a flap needs 'period'" },
        { "flap too long", "  - at: 10s\n    flap: sw1:eno1\n    period: 10s\n    count: 3\n", "", "at: 10s|5|the flap's last link-up would be at 35.000 s, which is not before the end of the scenario (30.000 s)" },
        { "flap zero count", "  - at: 10s\n    flap: sw1:eno1\n    period: 2s\n    count: 0\n", "", "count: 0|12|flap count must be from 1 to 10000, not 0" },
        { "flap period too short", "  - at: 10s\n    flap: sw1:eno1\n    period: 1ms\n    count: 2\n", "", "period: 1ms|13|flap period must be at least 2ms" },
        { "flap of an internal port", "  - at: 10s\n    flap: sw1:port-mgt\n    period: 2s\n    count: 2\n", "", "flap: sw1|11|flap needs a cable, and sw1:port-mgt is an internal port, which has none; use admin-down/admin-up" },
        { "flap of a bond", "  - at: 10s\n    flap: sw1:bond-mgt\n    period: 2s\n    count: 2\n", "", "flap: sw1|11|'bond-mgt' on 'sw1' is a bond, not an interface; name one of its interfaces (eno1, eno2)" },
        { "period on a link-down", "  - at: 10s\n    link-down: sw1:eno1\n    period: 2s\n", "", "period: 2s|5|'period' does not belong to a link-down event (it is for flap events)" },
        { "link-down of an attached host", "  - at: 10s\n    link-down: mgt:eth0\n", "", "link-down: mgt|16|host 'mgt' sits behind the internal port sw1:port-mgt with none; use admin-down/admin-up on mgt:eth0 instead" },
        { "admin-down of a missing host interface", "  - at: 10s\n    admin-down: gw:eth1\n", "", "admin-down: gw|17|host 'gw' has no interface 'eth1' (its interface is 'eth0')" },
        { "impair with nothing", "  - at: 10s\n    impair: sw1:eno1\n", "", "at: 10s|5|impair names no impairment" },
        { "loss over 100%", "  - at: 10s\n    impair: sw1:eno1\n    loss: 120%\n", "", "loss: 120%|11|impair loss: '120%' is more than 100%" },
        { "negative loss", "  - at: 10s\n    impair: sw1:eno1\n    loss: -5%\n", "", "loss: -5%|11|is negative" },
        { "loss with three values", "  - at: 10s\n    impair: sw1:eno1\n    loss: 5% 25% 1%\n", "", "loss: 5%|11|a percentage with an optional correlation" },
        { "correlated corruption", "  - at: 10s\n    impair: sw1:eno1\n    corrupt: 1% 10%\n", "", "corrupt: 1%|14|the lab models correlation for loss only" },
        { "rate in bytes per second", "  - at: 10s\n    impair: sw1:eno1\n    rate: 10Mbps\n", "", "rate: 10Mbps|11|tc's 'bps' means bytes per second" },
        { "negative rate", "  - at: 10s\n    impair: sw1:eno1\n    rate: -1mbit\n", "", "rate: -1mbit|11|is negative" },
        { "delay without unit", "  - at: 10s\n    impair: sw1:eno1\n    delay: 20\n", "", "delay: 20|12|impair delay: '20' needs a unit" },
        { "from not on the cable", "  - at: 10s\n    impair: sw1:eno1\n    from: tor:p2\n    loss: 5%\n", "", "from: tor:p2|11|impair from tor:p2: that is not an end of the cable sw1:eno1 -- tor:p1" },
        { "loss on a flap", "  - at: 10s\n    flap: sw1:eno1\n    period: 2s\n    count: 2\n    loss: 5%\n", "", "loss: 5%|5|'loss' does not belong to a flap event (it is for impair events)" },
        { "impair an internal port", "  - at: 10s\n    impair: sw1:port-mgt\n    delay: 5ms\n", "", "impair: sw1|13|impair needs a cable, and sw1:port-mgt is an internal port" },
        { "link impairment from elsewhere", "  - at: 10s\n    link-down: sw1:eno1\n", "      impair: { from: gw:eth0, loss: 1% }\n", "impair: { from|23|link impairment from gw:eth0: that is not an end of the cable" },
        { "two link impairments for one direction", "  - at: 10s\n    link-down: sw1:eno1\n", "      impair:\n        - { loss: 1% }\n        - { from: tor:p1, delay: 5ms }\n", "- { from: tor|11|already has an impairment for this direction" },
        { "unknown impairment key", "  - at: 10s\n    link-down: sw1:eno1\n", "      impair: { los: 1% }\n", "impair: { los|17|unknown key 'los' in a link impairment" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Mistakes_are_refused_with_their_location(string name, string events, string linkExtra, string expected)
    {
        _ = name;
        string text = WithEvents(events, linkExtra.Length == 0 ? null : linkExtra);
        string[] parts = expected.Split('|');
        ScenarioError error = SingleError(text);

        Assert.Equal(LineOf(text, parts[0]), error.Line);
        Assert.Equal(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), error.Column);
        Assert.Contains(parts[2], error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"s.yaml:{error.Line}:{error.Column}: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Impairments_read_netem_values_and_describe_them_in_netem_order()
    {
        Scenario scenario = Read(WithEvents(
            "  - at: 10s\n    impair: sw1:eno1\n    from: tor:p1\n    rate: 10mbit\n    loss: 5% 25%\n    delay: 20ms\n    jitter: 5ms\n    corrupt: 0.1\n    duplicate: 1%\n    limit: 50\n    seed: 7\n  - at: 20s\n    clear-impairments: sw1:eno1\n",
            "      impair: { delay: 2ms }\n"));

        EventSpec impair = scenario.Events[0];
        Assert.Equal("impair sw1:eno1 from tor:p1 (loss 5% 25%, delay 20ms jitter 5ms, corrupt 0.1%, duplicate 1%, rate 10mbit, limit 50, seed 7)", impair.Description);
        Assert.Equal(10_000_000, impair.Impairment!.RateBitsPerSecond);
        Assert.Equal("clear-impairments sw1:eno1", scenario.Events[1].Description);
        LinkImpairmentSpec whole = Assert.Single(scenario.Topology.Links[0].Impairments);
        Assert.Null(whole.From);
        Assert.Equal(2, whole.Impairment.DelayMs);
    }

    [Theory]
    [InlineData("64000", 64_000L)]
    [InlineData("500kbit", 500_000L)]
    [InlineData("1.5mbit", 1_500_000L)]
    [InlineData("10Gbit", 10_000_000_000L)]
    [InlineData("100bit", 100L)]
    public void Rates_read_as_tc_writes_them(string text, long bitsPerSecond)
    {
        Assert.True(ScenarioValues.TryParseRate(text, out long parsed, out string error), error);
        Assert.Equal(bitsPerSecond, parsed);
    }

    [Theory]
    [InlineData("0.5bit")]
    [InlineData("0")]
    [InlineData("fast")]
    [InlineData("200gbit")]
    [InlineData("mbit")]
    public void Bad_rates_are_refused(string text)
    {
        Assert.False(ScenarioValues.TryParseRate(text, out _, out string error));
        Assert.NotEmpty(error);
    }
}
