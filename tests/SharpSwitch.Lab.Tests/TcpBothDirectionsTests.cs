// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Reports;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// <c>tcp: { ..., both-directions: true }</c>, spelt as for UDP streams: a second, independent TCP-like stream with the
/// same settings from the receiver back to the sender, with its own 5-tuple, sender, receiver and report lines.
/// </summary>
public sealed class TcpBothDirectionsTests
{
    private static Scenario TcpFailover(bool both)
    {
        string text = File.ReadAllText(LabTestFiles.Example("tcp-failover.yaml"));
        const string Stream = "tcp: { from: mgt, to: gw, rate: 300, window: 16, rto: 200ms, start: 1s }";
        Assert.Contains(Stream, text, StringComparison.Ordinal);
        if (both)
        {
            text = text.Replace(Stream, Stream.Replace(" }", ", both-directions: true }", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        ScenarioReadResult read = ScenarioReader.Parse(System.Text.Encoding.UTF8.GetBytes(text), "examples/tcp-failover.yaml");
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));
        return read.Scenario!;
    }

    [Fact]
    public void Both_directions_runs_a_stream_each_way_and_both_recover_from_the_failover()
    {
        Scenario scenario = TcpFailover(both: true);
        Assert.True(((TcpStreamSpec)scenario.Traffic.Single(t => t is TcpStreamSpec)).BothDirections);
        LabResult result = LabRunner.Run(scenario);

        foreach (string label in new[] { "tcp-1 mgt -> gw (tcp)", "tcp-1 gw -> mgt (tcp)" })
        {
            List<LegSample> phases = result.Phases.Select(p => p.Legs.Single(l => l.Label == label)).ToList();
            Assert.All(phases, p => Assert.True(p.Stats.Sent > 2000, $"{label}: sent {p.Stats.Sent}"));
            // A TCP-like stream delivers everything in the end; the failover costs it retransmissions, not loss. Only
            // the segment still on the 5 ms cable when the run ends is never delivered.
            Assert.Equal([0L, 0L, 1L], phases.Select(p => p.Stats.Lost));
            Assert.True(phases[1].Stats.Retransmitted > 0, $"{label}: no retransmission after the failover");
            Assert.Equal(0, phases[0].Stats.Retransmitted);
        }
        // Each direction is its own flow on the bond: the forward one leaves sw1 on a member, the reverse one arrives.
        IReadOnlyList<FlowPlacement> first = result.Recording.PlacementByPhase[0];
        Assert.True(first.Single(r => r.Flow == "tcp-1 mgt -> gw (tcp)" && r.Member == "eno1").Out > 2000);
        Assert.True(first.Single(r => r.Flow == "tcp-1 gw -> mgt (tcp)" && r.Member == "eno1").In > 2000);
        string report = TextReport.Render(result);
        Assert.Contains("tcp-1 gw -> mgt (tcp)", report, StringComparison.Ordinal);
        Assert.Equal(report, TextReport.Render(LabRunner.Run(TcpFailover(both: true))));
    }

    [Fact]
    public void The_forward_stream_is_unchanged_by_adding_the_reverse_one_before_the_failover()
    {
        LabResult one = LabRunner.Run(TcpFailover(both: false));
        LabResult two = LabRunner.Run(TcpFailover(both: true));

        // Before the fault the bond carries both directions without loss, so the forward stream's first phase is the same.
        Assert.Equal(one.Phases[0].Legs.Single(l => l.Label == "tcp-1 mgt -> gw (tcp)").Stats, two.Phases[0].Legs.Single(l => l.Label == "tcp-1 mgt -> gw (tcp)").Stats);
        Assert.DoesNotContain(one.Phases[0].Legs, l => l.Label == "tcp-1 gw -> mgt (tcp)");
    }

    [Fact]
    public void Both_directions_must_be_a_boolean()
    {
        string text = File.ReadAllText(LabTestFiles.Example("tcp-failover.yaml")).Replace("rto: 200ms, start: 1s }", "rto: 200ms, start: 1s, both-directions: sometimes }", StringComparison.Ordinal);
        ScenarioReadResult read = ScenarioReader.Parse(System.Text.Encoding.UTF8.GetBytes(text), "examples/tcp-failover.yaml");

        Assert.False(read.Succeeded);
        Assert.Contains(read.Errors, e => e.ToString().Contains("tcp both-directions", StringComparison.Ordinal));
    }
}
