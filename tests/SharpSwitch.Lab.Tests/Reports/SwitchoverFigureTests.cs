// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;
using SharpSwitch.Lab.Traffic;

namespace SharpSwitch.Lab.Tests;

/// <summary>The headline figures per switchover and the per-flow placement, against what the scenarios must give.</summary>
public sealed class SwitchoverFigureTests
{
    private static Scenario WithBond(Scenario scenario, Func<BondSpec, BondSpec> change)
    {
        ScenarioTopology topology = scenario.Topology with
        {
            Switches = scenario.Topology.Switches.Select(s => s with
            {
                Bridges = s.Bridges.Select(b => b with { Bonds = b.Bonds.Select(change).ToList() }).ToList(),
            }).ToList(),
        };
        return new Scenario(scenario.SourceName, scenario.Name, scenario.DurationMs, topology, scenario.Traffic, scenario.Events);
    }

    [Fact]
    public void Primary_scenario_has_one_failover_and_one_failback_without_loss()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("operator-primary.yaml"));
        IReadOnlyList<Switchover> switchovers = result.Recording.Switchovers;

        Assert.Equal(2, switchovers.Count);
        Switchover failover = switchovers[0];
        Assert.Equal(("eno1", "eno2", false), (failover.FromMember, failover.ToMember, failover.IsFailback));
        Assert.Equal("link-down sw1:eno1", failover.Cause);
        Assert.Equal((10_000L, 10_000L, 20_000L), (failover.CauseAtMs, failover.ActiveAtMs, failover.WindowEndMs));
        Assert.Equal(0, failover.DetectionMs);
        Assert.Equal(0, failover.SwitchoverMs);
        Assert.Equal((0L, 0L, 0L, 0L), (failover.Lost, failover.Duplicated, failover.Reordered, failover.InterruptionMs!.Value));
        // The window is the 10 s from the fault to the failback: 100 pings and 1000 datagrams each way.
        Assert.Equal([100L, 1000L, 1000L], failover.Flows.Select(f => f.Sent));

        Switchover failback = switchovers[1];
        Assert.Equal(("eno2", "eno1", true), (failback.FromMember, failback.ToMember, failback.IsFailback));
        Assert.Equal("link-up sw1:eno1", failback.Cause);
        Assert.Equal(30_000, failback.WindowEndMs);
    }

    [Fact]
    public void A_downdelay_shows_as_detection_time_switchover_time_loss_and_interruption()
    {
        Scenario scenario = WithBond(LabTestFiles.LoadExample("operator-primary.yaml"), b => b with { DowndelayMs = 500 });
        LabResult result = LabRunner.Run(scenario);
        Switchover failover = result.Recording.Switchovers[0];

        Assert.Equal(500, failover.DetectionMs);
        Assert.Equal(10_500, failover.ActiveAtMs);
        Assert.Equal(500, failover.SwitchoverMs);
        // Everything sent into the dead cable for 500 ms is lost: 5 pings (every 100 ms), 50 datagrams each way.
        Assert.Equal([5L, 50L, 50L], failover.Flows.Select(f => f.Lost));
        Assert.Equal(105, failover.Lost);
        Assert.Equal(500, failover.InterruptionMs);
        // The per-phase loss the phase table reports agrees with the switchover's.
        Assert.Equal(105, result.Phases[1].Legs.Sum(l => l.Stats.Lost));
    }

    [Fact]
    public void An_updelay_on_failback_is_detection_time_and_costs_nothing()
    {
        Scenario scenario = WithBond(LabTestFiles.LoadExample("operator-primary.yaml"), b => b with { UpdelayMs = 2000 });
        Switchover failback = LabRunner.Run(scenario).Recording.Switchovers[1];

        Assert.True(failback.IsFailback);
        Assert.Equal(2000, failback.DetectionMs);
        Assert.Equal(22_000, failback.ActiveAtMs);
        Assert.Equal(2000, failback.SwitchoverMs);
        Assert.Equal(0, failback.Lost);
    }

    [Fact]
    public void Placement_counts_each_flow_on_the_member_that_carried_it()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("operator-no-primary.yaml"));
        IReadOnlyList<IReadOnlyList<FlowPlacement>> placement = result.Recording.PlacementByPhase;

        Assert.Equal(3, placement.Count);
        FlowPlacement Cell(int phase, string flow, string member) => placement[phase].Single(p => p.Flow == flow && p.Member == member);
        // Before the fault eno1 carries everything; after it (and after eno1 returns, without failback) eno2 does.
        Assert.Equal((1000L, 0L), (Cell(0, "udp-1 mgt -> gw", "eno1").Out, Cell(0, "udp-1 mgt -> gw", "eno1").In));
        Assert.Equal((0L, 1000L), (Cell(0, "udp-1 gw -> mgt", "eno1").Out, Cell(0, "udp-1 gw -> mgt", "eno1").In));
        Assert.Equal((100L, 100L), (Cell(0, "ping-1 mgt -> gw (echo replies)", "eno1").Out, Cell(0, "ping-1 mgt -> gw (echo replies)", "eno1").In));
        for (int phase = 1; phase < 3; phase++)
        {
            Assert.Equal(0, Cell(phase, "udp-1 mgt -> gw", "eno1").Out + Cell(phase, "udp-1 gw -> mgt", "eno1").In);
            Assert.Equal(1000, Cell(phase, "udp-1 mgt -> gw", "eno2").Out);
            Assert.Equal(1000, Cell(phase, "udp-1 gw -> mgt", "eno2").In);
        }
        // Placement comes from frames: the flow frames on a member never exceed its interface counters.
        for (int phase = 0; phase < 3; phase++)
        {
            foreach (InterfaceSample sample in result.Phases[phase].Interfaces)
            {
                string member = sample.Label.Split(':')[1];
                long flowOut = placement[phase].Where(p => p.Member == member).Sum(p => p.Out);
                Assert.True(flowOut <= sample.AtEnd.TxPackets - sample.AtStart.TxPackets, $"{sample.Label} phase {phase + 1}");
            }
        }
    }

    [Fact]
    public void Balance_slb_placement_shows_the_spread_and_the_move_to_the_survivor()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("balance-slb.yaml"));
        IReadOnlyList<FlowPlacement> before = result.Recording.PlacementByPhase[0];
        IReadOnlyList<FlowPlacement> outage = result.Recording.PlacementByPhase[1];

        // Each flow leaves by exactly one member before the fault, and both members carry some flow.
        var outbound = before.Where(p => p.Out > 0).ToList();
        Assert.Equal(outbound.Count, outbound.Select(p => p.Flow).Distinct().Count());
        Assert.Equal(["eno1", "eno2"], outbound.Select(p => p.Member).Distinct().Order(StringComparer.Ordinal));
        // With eno1's cable out, every frame of every flow is on eno2.
        Assert.All(outage.Where(p => p.Member == "eno1"), p => Assert.Equal((0L, 0L), (p.Out, p.In)));
        Assert.True(outage.Where(p => p.Member == "eno2").Sum(p => p.Out + p.In) > 0);
    }

    [Fact]
    public void Rate_buckets_add_up_to_the_interface_counters()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("failback-flap.yaml"));
        RunRecording recording = result.Recording;

        // 35 s of virtual time in at most 300 buckets: 200 ms each (the last one 100 ms).
        Assert.Equal(35_000, result.Scenario.DurationMs);
        Assert.Equal(200, recording.BucketMs);
        foreach (MemberSeries member in recording.Members)
        {
            InterfaceSample last = result.Phases[^1].Interfaces.Single(i => i.Label == member.Label);
            Assert.Equal(last.AtEnd.TxPackets, member.TxPackets.Sum());
            Assert.Equal(last.AtEnd.RxPackets, member.RxPackets.Sum());
            Assert.Equal(175, member.TxPackets.Count);
        }
    }

    [Fact]
    public void Leg_history_counts_duplicates_and_late_arrivals()
    {
        var leg = new FlowLeg("test", "a", "b", 0, 1000, 1);
        var history = new LegHistory(leg, FlowMatch.Udp(1, 2, 3));
        for (uint s = 0; s < 5; s++)
        {
            history.RecordSend(s, s * 10);
        }
        history.RecordArrival(0, 1);
        history.RecordArrival(2, 21);
        history.RecordArrival(1, 22);
        history.RecordArrival(2, 23);
        history.RecordArrival(4, 41);

        SwitchoverFlow all = SwitchoverAnalysis.Measure(history, 0, 1000);
        Assert.Equal((5L, 1L, 1L, 1L), (all.Sent, all.Lost, all.Duplicated, all.Reordered));
        // Packet 3 was lost and 4 arrived at 41 ms, 20 ms after 2: 10 ms beyond the 10 ms spacing.
        SwitchoverFlow late = SwitchoverAnalysis.Measure(history, 30, 1000);
        Assert.Equal((2L, 1L, 0L, 0L), (late.Sent, late.Lost, late.Duplicated, late.Reordered));
    }
}
