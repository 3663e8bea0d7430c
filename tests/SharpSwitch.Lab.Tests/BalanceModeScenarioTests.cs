// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// The balance-slb and balance-tcp examples: which member carries each flow, what moves when eno1 fails, that nothing
/// moves back when it recovers until the rebalance at 30 s moves load back, and that no frame is lost on the way.
/// Phases: before the failure (0–10 s), eno1 down (10–21 s), eno1 back (21–29.5 s), after the rebalance (29.5–40 s).
/// </summary>
public sealed class BalanceModeScenarioTests
{
    private static LabResult Run(string file) => LabRunner.Run(LabTestFiles.LoadExample(file));

    /// <summary>Frames each flow sent out of <paramref name="member"/> in phase <paramref name="phase"/>, by flow label.</summary>
    private static Dictionary<string, long> Out(LabResult result, int phase, string bond, string member) =>
        result.Recording.PlacementByPhase[phase]
            .Where(p => p.Bond == bond && p.Member == member)
            .GroupBy(p => p.Flow)
            .ToDictionary(g => g.Key, g => g.Sum(p => p.Out));

    private static void AssertNoLoss(LabResult result)
    {
        foreach (PhaseResult phase in result.Phases)
        {
            foreach (LegSample leg in phase.Legs)
            {
                Assert.True(leg.Stats.Sent > 0 || phase.Index == 0, $"phase {phase.Index + 1} {leg.Label} sent nothing");
                Assert.Equal(0, leg.Stats.Lost);
                Assert.Equal(0, leg.Stats.Duplicates);
            }
        }
    }

    [Fact]
    public void Balance_slb_spreads_hosts_fails_over_and_moves_load_back_only_at_the_rebalance()
    {
        LabResult result = Run("balance-slb.yaml");
        Assert.Equal(4, result.Phases.Count);
        string[] upstream = ["udp-1 h1 -> gw", "udp-2 h2 -> gw", "udp-3 h3 -> gw", "udp-4 h4 -> gw"];

        // Each host's source MAC is one bucket, and buckets take eno1 and eno2 in turn: h1 and h3 (buckets 38, 230)
        // on eno1, h2 and h4 (235, 9) on eno2; each flow uses one member only.
        Dictionary<string, long> eno1 = Out(result, 0, "bond0", "eno1");
        Dictionary<string, long> eno2 = Out(result, 0, "bond0", "eno2");
        Assert.Equal(["udp-1 h1 -> gw", "udp-3 h3 -> gw"], upstream.Where(f => eno1.GetValueOrDefault(f) > 0));
        Assert.Equal(["udp-2 h2 -> gw", "udp-4 h4 -> gw"], upstream.Where(f => eno2.GetValueOrDefault(f) > 0));

        // eno1 fails: everything leaves on eno2.
        Assert.All(upstream, f => Assert.Equal(0, Out(result, 1, "bond0", "eno1").GetValueOrDefault(f)));
        Assert.All(upstream, f => Assert.True(Out(result, 1, "bond0", "eno2").GetValueOrDefault(f) > 0, f));

        // eno1 is back and enabled, but no bucket moves to it before the rebalance: not one frame.
        Assert.All(Out(result, 2, "bond0", "eno1").Values, n => Assert.Equal(0, n));

        // The rebalance at 30 s moves two of the four equal buckets (h1's 38 and h4's 9, heaviest first with ties by
        // bucket number) back to eno1; from then on they leave there.
        Dictionary<string, long> after = Out(result, 3, "bond0", "eno1");
        Assert.Equal(["udp-1 h1 -> gw", "udp-4 h4 -> gw"], upstream.Where(f => after.GetValueOrDefault(f) > 0));
        AssertNoLoss(result);
    }

    [Fact]
    public void Balance_tcp_spreads_flows_by_l4_hash_over_lacp_fails_over_and_rebalances()
    {
        LabResult result = Run("balance-tcp.yaml");
        Assert.Equal(4, result.Phases.Count);
        const string Upstream = "udp-1 h1 -> gw";
        const string Downstream = "udp-1 gw -> h1";
        long Sent(int phase, string bond, string member, string flow) => Out(result, phase, bond, member).GetValueOrDefault(flow);

        // The eight 5-tuples of the flow spread over both members, in both directions (tor's po1 hashes the replies).
        foreach ((string bond, string a, string b, string flow) in new[] { ("bond0", "eno1", "eno2", Upstream), ("po1", "p1", "p2", Downstream) })
        {
            Assert.True(Sent(0, bond, a, flow) > 0 && Sent(0, bond, b, flow) > 0, $"{bond} phase 1");
            Assert.Equal(0, Sent(1, bond, a, flow));
            Assert.Equal(0, Sent(2, bond, a, flow));
            Assert.True(Sent(3, bond, a, flow) > 0 && Sent(3, bond, b, flow) > 0, $"{bond} after the rebalance");
        }
        Assert.All(result.Phases.SelectMany(p => p.Bonds), b => Assert.NotNull(b.ActiveMember));
        AssertNoLoss(result);
    }
}
