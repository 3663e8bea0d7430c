// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Diff;
using SharpSwitch.Lab.Scenarios;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// <c>vsw lab diff</c> on balanced bonds, in process: a run compared with itself agrees, and a run compared with a
/// deliberately changed one (rebalancing turned off, or a member's flows moved) shows where the flows went and which
/// rebalances differ. The comparisons with real OVS are the example sweep's (<c>ExampleDiffTests</c>).
/// </summary>
public sealed class BalancedDiffTests
{
    private static Scenario Load(string example, Func<string, string>? edit = null)
    {
        string text = File.ReadAllText(LabTestFiles.Example(example));
        if (edit is not null)
        {
            string edited = edit(text);
            Assert.NotEqual(text, edited);
            text = edited;
        }
        ScenarioReadResult read = ScenarioReader.Parse(System.Text.Encoding.UTF8.GetBytes(text), "examples/" + example);
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));
        return read.Scenario!;
    }

    [Theory]
    [InlineData("balance-slb.yaml")]
    [InlineData("balance-tcp.yaml")]
    public void A_balanced_run_compared_with_itself_agrees(string example)
    {
        LabResult run = LabRunner.Run(Load(example));
        LabDiffResult diff = LabDiff.Compare(run, LabRunner.Run(Load(example)));

        Assert.True(diff.Same, string.Join("\n", diff.Differences));
    }

    [Fact]
    public void Balance_slb_without_rebalancing_differs_in_placement_rebalances_and_answer()
    {
        LabResult ours = LabRunner.Run(Load("balance-slb.yaml"));
        LabResult changed = LabRunner.Run(Load("balance-slb.yaml", text => text.Replace(
            "bond_mode: balance-slb\n", "bond_mode: balance-slb\n              other_config: { bond-rebalance-interval: 0 }\n", StringComparison.Ordinal)));
        LabDiffResult diff = LabDiff.Compare(ours, changed);

        Assert.False(diff.Same);
        // Phase 4 (29.5 s to 40 s) holds the rebalance at 30 s that moves half of the load back to eno1.
        string rebalancing = Assert.Single(diff.Differences, d => d.Contains("rebalancing", StringComparison.Ordinal));
        Assert.StartsWith("phase 4 (29.500 s to 40.000 s): sw1 bond0 rebalancing: SharpSwitch hash ", rebalancing, StringComparison.Ordinal);
        Assert.EndsWith(", OVS no load moved", rebalancing, StringComparison.Ordinal);
        Assert.Contains(" eno2 to eno1", rebalancing, StringComparison.Ordinal);
        string placement = Assert.Single(diff.Differences, d => d.StartsWith("phase 4 (29.500 s to 40.000 s): sw1 bond0 flows sent out of eno1: ", StringComparison.Ordinal));
        Assert.EndsWith(", OVS 0", placement, StringComparison.Ordinal);
        Assert.Contains(diff.Differences, d => d.StartsWith("answer: sw1 bond0: SharpSwitch: ", StringComparison.Ordinal)
            && d.Contains("load returned to eno1 with the rebalance at 30.000 s", StringComparison.Ordinal)
            && d.Contains("OVS: ", StringComparison.Ordinal) && d.EndsWith("load did not return to eno1 (no rebalance moved flows back)", StringComparison.Ordinal));
        // Phases before the rebalance place the flows alike, so nothing is reported for them.
        Assert.DoesNotContain(diff.Differences, d => d.StartsWith("phase 1 ", StringComparison.Ordinal) || d.StartsWith("phase 2 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Balance_slb_with_two_flows_swapped_between_members_is_reported_though_the_counts_agree()
    {
        LabResult ours = LabRunner.Run(Load("balance-slb.yaml"));
        // The same run, with the record of phase 1 changed as if h1 and h4 had swapped members: each member still
        // carries two flows, but not the same two, and which flows a member carries is what is compared.
        static string Swapped(string flow) => flow.Replace("h1 ", "hX ", StringComparison.Ordinal).Replace("h4 ", "h1 ", StringComparison.Ordinal).Replace("hX ", "h4 ", StringComparison.Ordinal);
        var swapped = ours.Recording.PlacementByPhase.Select((rows, phase) => phase != 0 ? rows : rows.Select(r => r with { Flow = Swapped(r.Flow) }).ToList()).ToList();
        var changed = new LabResult(ours.Scenario, ours.Phases, ours.Timeline, ours.Answers, ours.Warnings, ours.Hosts)
        {
            Recording = ours.Recording with { PlacementByPhase = swapped },
            Impairments = ours.Impairments,
        };

        LabDiffResult diff = LabDiff.Compare(ours, changed);

        Assert.False(diff.Same);
        List<string> placement = diff.Differences.Where(d => d.Contains("flows sent out of", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, placement.Count);
        Assert.All(placement, d => Assert.StartsWith("phase 1 (0.000 s to 10.000 s): sw1 bond0 flows sent out of eno", d, StringComparison.Ordinal));
        Assert.Contains(placement, d => d.Contains("SharpSwitch 2 (udp-1 h1 -> gw, udp-3 h3 -> gw), OVS 2 (", StringComparison.Ordinal));
    }

    [Fact]
    public void Balance_tcp_with_a_flow_moved_to_another_member_is_reported_per_phase()
    {
        LabResult ours = LabRunner.Run(Load("balance-tcp.yaml"));
        // The same run, with the record of phase 1 changed as if eno1's flows had left on eno2 instead.
        IReadOnlyList<IReadOnlyList<Simulation.FlowPlacement>> placement = ours.Recording.PlacementByPhase;
        var moved = placement.Select((rows, phase) => phase != 0 ? rows : rows.Select(r => r.Switch == "sw1" && r.Member == "eno1" ? r with { Out = 0 } : r).ToList()).ToList();
        var changed = new LabResult(ours.Scenario, ours.Phases, ours.Timeline, ours.Answers, ours.Warnings, ours.Hosts)
        {
            Recording = ours.Recording with { PlacementByPhase = moved },
            Impairments = ours.Impairments,
        };
        LabDiffResult diff = LabDiff.Compare(ours, changed);

        string difference = Assert.Single(diff.Differences, d => d.Contains("flows sent out of", StringComparison.Ordinal));
        Assert.StartsWith("phase 1 (0.000 s to 10.000 s): sw1 bond0 flows sent out of eno1: SharpSwitch 1 (udp-1 ", difference, StringComparison.Ordinal);
        Assert.EndsWith(", OVS 0", difference, StringComparison.Ordinal);
    }
}
