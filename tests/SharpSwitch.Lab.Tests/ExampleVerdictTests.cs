// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Tests;

/// <summary>Each example scenario gives the verdict its header comment promises.</summary>
public sealed class ExampleVerdictTests
{
    public static TheoryData<string, string[], string> Expectations() => new()
    {
        // file, active member at the end of each phase, the answer line.
        { "operator-no-primary.yaml", ["eno1", "eno2", "eno2"], "sw1 bond-mgt: traffic stayed on eno2: no failback" },
        { "operator-primary.yaml", ["eno1", "eno2", "eno1"], "sw1 bond-mgt: traffic failed back to eno1 at 20.000 s" },
        { "failback-never.yaml", ["eno1", "eno2", "eno2"], "sw1 bond-mgt: traffic stayed on eno2: no failback" },
        { "failback-always.yaml", ["eno1", "eno2", "eno1"], "sw1 bond-mgt: traffic failed back to eno1 at 25.000 s" },
        { "failback-better.yaml", ["eno1", "eno2", "eno3", "eno2", "eno1"], "sw1 bond-mgt: traffic failed back to eno1 at 25.000 s" },
        { "failback-failure.yaml", ["eno1", "eno2", "eno2", "eno1"], "sw1 bond-mgt: traffic returned to eno1 at 30.000 s only because the active member failed: no failback" },
        { "failback-flap.yaml", ["eno1", "eno2", "eno2", "eno2", "eno1"], "sw1 bond-mgt: traffic failed back to eno1 at 28.000 s" },
    };

    [Theory]
    [MemberData(nameof(Expectations))]
    public void Example_gives_its_documented_verdict(string file, string[] activePerPhase, string answer)
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample(file));

        Assert.Equal(activePerPhase, result.Phases.Select(p => p.Bonds.Single().ActiveMember).ToArray());
        Assert.Equal([answer], result.AnswerLines);
    }

    [Theory]
    [MemberData(nameof(Expectations))]
    public void Carrier_failover_loses_at_most_a_packet_or_two_per_flow_and_phase(string file, string[] activePerPhase, string answer)
    {
        _ = activePerPhase;
        _ = answer;
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample(file));

        foreach (PhaseResult phase in result.Phases)
        {
            foreach (LegSample leg in phase.Legs)
            {
                Assert.True(leg.Stats.Sent > 0, $"{file} phase {phase.Index + 1} {leg.Label} sent nothing");
                // Carrier loss is seen in the same millisecond (bonding-spec H.2 item 21), so a failover or failback
                // costs at most the frames in flight on the pulled cable.
                Assert.InRange(leg.Stats.Lost, 0, 2);
                Assert.Equal(0, leg.Stats.Duplicates);
            }
        }
    }

    [Fact]
    public void Failback_moves_the_operators_counters_back_to_eno1()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("operator-primary.yaml"));
        PhaseResult last = result.Phases[^1];
        InterfaceSample eno1 = last.Interfaces.Single(i => i.Label == "sw1:eno1");
        InterfaceSample eno2 = last.Interfaces.Single(i => i.Label == "sw1:eno2");

        Assert.True(eno1.AtEnd.TxPackets - eno1.AtStart.TxPackets > 1000, "eno1 should carry the traffic after failback");
        Assert.True(eno1.AtEnd.RxPackets - eno1.AtStart.RxPackets > 1000, "replies should come back on eno1 after failback");
        Assert.Equal(0, eno2.AtEnd.TxPackets - eno2.AtStart.TxPackets);
    }

    [Fact]
    public void Without_primary_the_counters_stay_on_eno2_after_eno1_returns()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("operator-no-primary.yaml"));
        PhaseResult last = result.Phases[^1];
        InterfaceSample eno1 = last.Interfaces.Single(i => i.Label == "sw1:eno1");
        InterfaceSample eno2 = last.Interfaces.Single(i => i.Label == "sw1:eno2");

        Assert.Equal(0, eno1.AtEnd.TxPackets - eno1.AtStart.TxPackets);
        Assert.True(eno2.AtEnd.TxPackets - eno2.AtStart.TxPackets > 1000);
    }

    [Fact]
    public void Timeline_uses_ovs_wording_with_virtual_timestamps()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("operator-no-primary.yaml"));
        string report = Reports.TextReport.Render(result);

        Assert.Contains("   10.000 s  sw1  member eno1: link state down\n", report, StringComparison.Ordinal);
        Assert.Contains("   10.000 s  sw1  bond bond-mgt: active member is now eno2\n", report, StringComparison.Ordinal);
        Assert.Contains("   20.000 s  sw1  member eno1: enabled\n", report, StringComparison.Ordinal);
    }
}
