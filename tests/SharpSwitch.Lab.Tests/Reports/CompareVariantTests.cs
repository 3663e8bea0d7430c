// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Compare;
using SharpSwitch.Lab.Scenarios;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// <c>vsw lab compare</c> changes only the varied bond keys: a variant keeps the scenario's impairments, flaps and
/// traffic, so the table compares the experiment the file describes and not a stripped-down copy of it.
/// </summary>
public sealed class CompareVariantTests
{
    // flap-holddown.yaml with a delayed gateway cable for the whole run and a lossy eno2 from 30 s, so the one
    // scenario has a flap, a link impairment and an impairment event.
    private static Scenario FlapWithImpairments()
    {
        string text = File.ReadAllText(LabTestFiles.Example("flap-holddown.yaml"))
            .Replace("    - endpoints: [\"gw:eth0\", \"tor:p3\"]\n", "    - endpoints: [\"gw:eth0\", \"tor:p3\"]\n      impair: { delay: 1ms }\n", StringComparison.Ordinal)
            + "  - at: 30s\n    impair: sw1:eno2\n    loss: 10%\n    seed: 3\n";
        ScenarioReadResult read = ScenarioReader.Parse(text, "flap-with-impairments.yaml");
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));
        return read.Scenario!;
    }

    [Fact]
    public void A_varied_scenario_keeps_its_impairments_flap_and_traffic()
    {
        Scenario scenario = FlapWithImpairments();
        Assert.Contains(scenario.Topology.Links, l => l.Impairments.Count > 0);
        Assert.Contains(scenario.Events, e => e.Flap is not null);
        Assert.Contains(scenario.Events, e => e.Impairment is not null);
        VaryParameter delay = LabComparison.Parse("other_config:bond-failback-delay=0,2000", scenario, out string error)!;
        Assert.Equal(string.Empty, error);

        Scenario variant = LabComparison.Apply(scenario, [delay], ["2000"]);

        Assert.Equal("2000", variant.Topology.Switches.Single(s => s.Name == "sw1").Bridges.Single().Bonds.Single().OtherConfig["bond-failback-delay"]);
        Assert.Equal(scenario.Name, variant.Name);
        Assert.Equal(scenario.SourceName, variant.SourceName);
        Assert.Equal(scenario.DurationMs, variant.DurationMs);
        Assert.Equal(scenario.Topology.Links, variant.Topology.Links);
        Assert.Equal(scenario.Topology.Hosts, variant.Topology.Hosts);
        Assert.Equal(scenario.Traffic, variant.Traffic);
        Assert.Equal(scenario.Events, variant.Events);
        // The original is untouched: variants are copies, not edits.
        Assert.Equal("5000", scenario.Topology.Switches.Single(s => s.Name == "sw1").Bridges.Single().Bonds.Single().OtherConfig["bond-failback-delay"]);
    }

    [Fact]
    public void A_variant_with_the_files_own_value_runs_exactly_as_the_file()
    {
        Scenario scenario = FlapWithImpairments();
        VaryParameter delay = LabComparison.Parse("other_config:bond-failback-delay=5000", scenario, out _)!;

        LabResult original = LabRunner.Run(scenario);
        LabResult variant = LabRunner.Run(LabComparison.Apply(scenario, [delay], ["5000"]));

        // A variant that dropped the flap would see one failover and no return; one that dropped the impairments
        // would have no impaired direction to account for.
        Assert.True(original.Recording.Switchovers.Count >= 2);
        Assert.NotEmpty(original.Impairments);
        Assert.Equal(original.Recording.Switchovers.Count, variant.Recording.Switchovers.Count);
        Assert.Equal(original.Impairments, variant.Impairments);
        Assert.Equal(Reports.TextReport.Render(original), Reports.TextReport.Render(variant));
    }
}
