// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Tests;

/// <summary>Variants of the operator's scenario that exercise what the examples do not: delays, admin state, hosts.</summary>
public sealed class VariantScenarioTests
{
    private static LabResult RunVariant(params (string Find, string Replace)[] edits)
    {
        string text = File.ReadAllText(LabTestFiles.Example("operator-no-primary.yaml"));
        foreach ((string find, string replace) in edits)
        {
            Assert.Contains(find, text, StringComparison.Ordinal);
            text = text.Replace(find, replace, StringComparison.Ordinal);
        }
        ScenarioReadResult read = ScenarioReader.Parse(text, "variant.yaml");
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));
        return LabRunner.Run(read.Scenario!);
    }

    [Fact]
    public void Downdelay_black_holes_traffic_for_the_delay_and_the_gap_shows_it()
    {
        // bonding-spec B.3 and H.2 item 8: during bond_downdelay the dead member stays active.
        LabResult result = RunVariant(("bond_mode: active-backup", "bond_mode: active-backup\n              bond_downdelay: 2000"));
        PhaseResult afterFailure = result.Phases[1];
        LegSample udp = afterFailure.Legs.Single(l => l.Label == "udp-1 mgt -> gw");

        Assert.InRange(udp.Stats.Lost, 195, 205);
        Assert.InRange(udp.Stats.MaxGapMs!.Value, 2000, 2020);
        Assert.Contains(result.Timeline, e => e.TimeMs == 10_000 && e.Text == "member eno1: will be disabled if it stays down for 2000 ms");
        Assert.Contains(result.Timeline, e => e.TimeMs == 12_000 && e.Text == "bond bond-mgt: active member is now eno2");
        Assert.Equal(0, result.Phases[0].Legs.Sum(l => l.Stats.Lost));
    }

    [Fact]
    public void Updelay_with_primary_delays_the_failback_by_the_updelay()
    {
        LabResult result = RunVariant(("bond_mode: active-backup", "bond_mode: active-backup\n              bond_updelay: 3000\n              other_config: { bond-primary: eno1 }"));

        Assert.Equal(["sw1 bond-mgt: traffic failed back to eno1 at 23.000 s"], result.AnswerLines);
        Assert.Contains(result.Timeline, e => e.TimeMs == 20_000 && e.Text == "member eno1: will be enabled if it stays up for 3000 ms");
    }

    [Fact]
    public void Admin_down_of_a_member_fails_over_like_a_pulled_cable()
    {
        LabResult result = RunVariant(("link-down: sw1:eno1", "admin-down: sw1:eno1"), ("link-up: sw1:eno1", "admin-up: sw1:eno1"));

        Assert.Equal(new[] { "eno1", "eno2", "eno2" }, result.Phases.Select(p => p.Bonds.Single().ActiveMember).ToArray());
        Assert.Equal(["sw1 bond-mgt: traffic stayed on eno2: no failback"], result.AnswerLines);
        Assert.Equal("lab", result.Timeline.First(e => e.TimeMs == 10_000).Node);
    }

    [Fact]
    public void Pulling_both_cables_stops_all_traffic_until_one_returns()
    {
        LabResult result = RunVariant(("  - at: 20s\n    link-up: sw1:eno1", "  - at: 12s\n    link-down: sw1:eno2\n  - at: 20s\n    link-up: sw1:eno1"));
        PhaseResult bothDown = result.Phases[2];

        Assert.Null(bothDown.Bonds.Single().ActiveMember);
        Assert.All(bothDown.Legs, l => Assert.Equal(l.Stats.Sent, l.Stats.Lost));
        Assert.Contains(result.Timeline, e => e.Text == "bond bond-mgt: all members disabled");
        // The first member back becomes active at once (bonding-spec C.5), and traffic flows again.
        Assert.Equal("eno1", result.Phases[3].Bonds.Single().ActiveMember);
        Assert.All(result.Phases[3].Legs, l => Assert.InRange(l.Stats.Lost, 0, 2));
    }

    [Fact]
    public void A_host_cabled_to_the_switch_directly_gets_its_pings_answered()
    {
        LabResult result = RunVariant(
            ("      attach: sw1:port-mgt\n", ""),
            ("port-mgt: { type: internal, tag: 0 }", "port-mgt: { tag: 0 }"),
            ("    - endpoints: [\"gw:eth0\", \"tor:p3\"]\n", "    - endpoints: [\"gw:eth0\", \"tor:p3\"]\n    - endpoints: [\"mgt:eth0\", \"sw1:port-mgt\"]\n"));

        Assert.All(result.Phases.SelectMany(p => p.Legs), l => Assert.InRange(l.Stats.Lost, 0, 2));
        Assert.True(result.Phases[0].Legs.All(l => l.Stats.Sent > 0 && l.Stats.Delivered == l.Stats.Sent));
    }

    [Fact]
    public void Access_vlans_that_match_across_the_trunk_carry_traffic()
    {
        LabResult result = RunVariant(
            ("port-mgt: { type: internal, tag: 0 }", "port-mgt: { type: internal, tag: 10 }"),
            ("            p3:\n", "            p3: { tag: 10 }\n"));

        Assert.All(result.Phases.SelectMany(p => p.Legs), l => Assert.InRange(l.Stats.Lost, 0, 2));
        // The bond is a trunk, so the same frames cross it with an 802.1Q tag: 4 bytes more each than in VLAN 0.
        InterfaceSample tagged = result.Phases[0].Interfaces.Single(i => i.Label == "sw1:eno1");
        InterfaceSample untagged = RunVariant().Phases[0].Interfaces.Single(i => i.Label == "sw1:eno1");
        Assert.Equal(untagged.AtEnd.TxPackets, tagged.AtEnd.TxPackets);
        Assert.Equal(untagged.AtEnd.TxBytes + (4 * tagged.AtEnd.TxPackets), tagged.AtEnd.TxBytes);
    }

    [Fact]
    public void Access_vlans_that_differ_carry_nothing()
    {
        LabResult result = RunVariant(
            ("port-mgt: { type: internal, tag: 0 }", "port-mgt: { type: internal, tag: 10 }"),
            ("            p3:\n", "            p3: { tag: 20 }\n"));

        Assert.All(result.Phases.SelectMany(p => p.Legs), l => Assert.Equal(0, l.Stats.Delivered));
    }

    [Fact]
    public void Events_at_the_same_time_open_one_phase()
    {
        LabResult result = RunVariant(("  - at: 10s\n    link-down: sw1:eno1", "  - at: 10s\n    link-down: sw1:eno1\n  - at: 10s\n    admin-down: tor:p2"));

        Assert.Equal(3, result.Phases.Count);
        Assert.Equal(["link-down sw1:eno1", "admin-down tor:p2"], result.Phases[1].OpeningEvents.Select(e => $"{e.ActionName} {e.Target}"));
        Assert.Null(result.Phases[1].Bonds.Single().ActiveMember);
        Assert.Equal("eno1", result.Phases[2].Bonds.Single().ActiveMember);
    }
}
