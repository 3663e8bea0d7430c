// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Reports;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Tests;

/// <summary>The flap, impairment and TCP examples give the answers their header comments promise, run after run.</summary>
public sealed class ImpairmentExampleTests
{
    private static LegSample Leg(PhaseResult phase, string prefix) => phase.Legs.Single(l => l.Label.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public void Flap_holddown_keeps_traffic_on_eno2_through_the_flap_and_fails_back_once()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("flap-holddown.yaml"));

        Assert.Equal(["sw1 bond-mgt: traffic failed back to eno1 at 29.000 s"], result.AnswerLines);
        Assert.Equal(["eno1", "eno2", "eno1"], result.Phases.Select(p => p.Bonds.Single().ActiveMember));
        Assert.Equal([0L, 10_000L, 24_000L], result.Phases.Select(p => p.StartMs));
        Assert.Equal(
            [10_000L, 12_000L, 14_000L, 16_000L, 18_000L, 20_000L, 22_000L, 24_000L],
            result.Timeline.Where(e => e.Node == "lab").Select(e => e.TimeMs));
        Assert.Equal("link-up sw1:eno1 (flap 4/4)", result.Timeline.Last(e => e.Node == "lab").Text);
        // One failover when the flap starts and one failback after the hold-down: never a bounce in between.
        List<TimelineEntry> switches = result.Timeline.Where(e => e.Text.StartsWith("bond bond-mgt: active member is now", StringComparison.Ordinal)).ToList();
        Assert.Equal([0L, 10_000L, 29_000L], switches.Select(e => e.TimeMs));
        Assert.All(result.Phases.SelectMany(p => p.Legs), l => Assert.InRange(l.Stats.Lost, 0, 2));
    }

    [Fact]
    public void Lossy_link_loses_and_corrupts_frames_without_a_failover()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("lossy-link.yaml"));

        Assert.Equal(["sw1 bond-mgt: traffic stayed on eno1: no failover"], result.AnswerLines);
        Assert.Equal(["eno1", "eno1", "eno1"], result.Phases.Select(p => p.Bonds.Single().ActiveMember));
        Assert.Equal("impair sw1:eno1 (loss 5% 25%, corrupt 1%, seed 7)", result.Timeline.First(e => e.Node == "lab").Text);
        (PhaseResult before, PhaseResult lossy, PhaseResult after) = (result.Phases[0], result.Phases[1], result.Phases[2]);

        foreach (string udp in new[] { "udp-1 mgt -> gw", "udp-1 gw -> mgt" })
        {
            Assert.Equal(0, Leg(before, udp).Stats.Lost);
            // 5% lost plus 1% corrupted of 1000 frames, give or take what chance does with seed 7.
            Assert.InRange(Leg(lossy, udp).Stats.Lost, 35, 90);
            Assert.Equal(0, Leg(after, udp).Stats.Lost);
        }
        InterfaceSample eno1 = lossy.Interfaces.Single(i => i.Label == "sw1:eno1");
        long crcErrors = eno1.AtEnd.RxCrcErrors - eno1.AtStart.RxCrcErrors;
        Assert.InRange(crcErrors, 5, 60);
        Assert.Equal(crcErrors, eno1.AtEnd.RxErrors - eno1.AtStart.RxErrors);
        Assert.Equal(0, before.Interfaces.Single(i => i.Label == "sw1:eno1").AtEnd.RxCrcErrors);
        InterfaceSample eno1After = after.Interfaces.Single(i => i.Label == "sw1:eno1");
        Assert.Equal(eno1After.AtStart.RxCrcErrors, eno1After.AtEnd.RxCrcErrors);

        // The cable's own account: both directions lost and corrupted frames, and the receivers counted each corruption.
        Assert.Equal(["sw1:eno1 -> tor:p1", "tor:p1 -> sw1:eno1", "gw:eth0 -> tor:p3", "tor:p3 -> gw:eth0"], result.Impairments.Select(i => i.Label));
        Assert.All(result.Impairments.Take(2), i => Assert.True(i.Lost > 0 && i.Corrupted > 0, i.ToString()));
        Assert.Equal(crcErrors, result.Impairments[1].Corrupted);
        Assert.All(result.Impairments.Take(2), i => Assert.Equal(i.Offered - i.Lost - i.Corrupted, i.Delivered));
        // The gw cable only delays: everything it took arrived, the last frames at the end of the run included.
        Assert.All(result.Impairments.Skip(2), i => Assert.Equal((0L, 0L, i.Offered), (i.Lost, i.Corrupted, i.Delivered)));

        // The TCP-like stream retransmits what the wire lost and ends the run with nothing missing.
        LegSample tcpLossy = Leg(lossy, "tcp-1");
        Assert.True(tcpLossy.Stats.Retransmitted > 0);
        Assert.True(tcpLossy.Stats.MaxGapMs >= 200, $"a timeout should stall the stream, max gap {tcpLossy.Stats.MaxGapMs} ms");
        Assert.Equal(0, Leg(after, "tcp-1").Stats.Lost);
        Assert.Equal(0, Leg(before, "tcp-1").Stats.Retransmitted);
    }

    [Fact]
    public void Tcp_failover_stalls_for_about_one_retransmission_timeout_and_recovers()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("tcp-failover.yaml"));

        Assert.Equal(["sw1 bond-mgt: traffic stayed on eno2: no failback"], result.AnswerLines);
        LegSample tcp = Leg(result.Phases[1], "tcp-1");
        Assert.InRange(tcp.Stats.MaxGapMs!.Value, 150, 250);
        Assert.True(tcp.Stats.Retransmitted >= 1);
        Assert.InRange(Leg(result.Phases[2], "tcp-1").Stats.MaxGapMs!.Value, 0, 10);
        Assert.Equal(0, Leg(result.Phases[2], "tcp-1").Stats.Retransmitted);
        Assert.InRange(Leg(result.Phases[1], "udp-1").Stats.MaxGapMs!.Value, 0, 10);
    }

    [Theory]
    [InlineData("flap-holddown.yaml")]
    [InlineData("lossy-link.yaml")]
    [InlineData("tcp-failover.yaml")]
    public void Impaired_runs_are_byte_for_byte_reproducible(string example)
    {
        string first = TextReport.Render(LabRunner.Run(LabTestFiles.LoadExample(example)));
        string second = TextReport.Render(LabRunner.Run(LabTestFiles.LoadExample(example)));
        Assert.Equal(first, second);
    }

    [Fact]
    public void A_different_seed_loses_different_frames()
    {
        string text = File.ReadAllText(LabTestFiles.Example("lossy-link.yaml"));
        LabResult seven = LabRunner.Run(Scenarios.ScenarioReader.Parse(text, "a.yaml").Scenario!);
        LabResult eight = LabRunner.Run(Scenarios.ScenarioReader.Parse(text.Replace("seed: 7", "seed: 8", StringComparison.Ordinal), "a.yaml").Scenario!);
        Assert.NotEqual(
            seven.Phases[1].Legs.Select(l => l.Stats.Lost),
            eight.Phases[1].Legs.Select(l => l.Stats.Lost));
    }
}
