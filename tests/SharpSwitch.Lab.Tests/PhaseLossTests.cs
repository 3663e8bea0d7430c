// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// Loss per phase is charged by send time: a packet sent in one phase and delivered in the next is delivered, not
/// lost; only packets that never arrive by the end of the run count as lost.
/// </summary>
public sealed class PhaseLossTests
{
    private static Scenario DelayedGateway()
    {
        // The gateway's cable holds every frame 30 ms, so at 100 packets a second three frames of each UDP direction are
        // on the wire at every phase boundary; the events only open phases (the backup member carries no traffic). The
        // UDP streams start after the pings have resolved both hosts' addresses, so no frame waits for ARP.
        string text = File.ReadAllText(LabTestFiles.Example("operator-no-primary.yaml"))
            .Replace("- endpoints: [\"gw:eth0\", \"tor:p3\"]", "- endpoints: [\"gw:eth0\", \"tor:p3\"]\n      impair: { delay: 30ms }", StringComparison.Ordinal)
            .Replace("both-directions: true }", "both-directions: true, start: 1s }", StringComparison.Ordinal)
            .Replace("link-down: sw1:eno1", "impair: sw1:eno2\n    delay: 1ms", StringComparison.Ordinal)
            .Replace("link-up: sw1:eno1", "clear-impairments: sw1:eno2", StringComparison.Ordinal);
        ScenarioReadResult read = ScenarioReader.Parse(System.Text.Encoding.UTF8.GetBytes(text), "examples/operator-no-primary.yaml");
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));
        Assert.Equal(2, read.Scenario!.Events.Count);
        return read.Scenario!;
    }

    [Fact]
    public void Frames_in_flight_at_a_phase_boundary_are_delivered_in_the_phase_they_were_sent_in()
    {
        LabResult result = LabRunner.Run(DelayedGateway());

        Assert.Equal(3, result.Phases.Count);
        foreach (PhaseResult phase in result.Phases)
        {
            foreach (LegSample leg in phase.Legs.Where(l => l.Label.StartsWith("udp", StringComparison.Ordinal)))
            {
                Assert.True(leg.Stats.Sent >= 900, $"phase {phase.Index + 1} {leg.Label}: sent {leg.Stats.Sent}");
                // Only frames still on the wire when the run ends are lost: those sent at 29.980 s and 29.990 s (the one
                // sent at 29.970 s is released at 30.000 s, the run's last instant).
                long expectedLost = phase.Index == 2 ? 2 : 0;
                Assert.True(expectedLost == leg.Stats.Lost, $"phase {phase.Index + 1} {leg.Label}: lost {leg.Stats.Lost}, expected {expectedLost}");
            }
        }
    }
}
