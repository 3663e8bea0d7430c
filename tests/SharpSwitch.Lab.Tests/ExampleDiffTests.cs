// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Diff;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Testing;
using Xunit.Abstractions;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// The sweep of every example against real OVS: like every other real-OVS test it needs the OVS tools, skips with the
/// reason printed when they are missing, and fails instead under <c>SHARPSWITCH_REQUIRE_ALL=1</c>. (xunit has no
/// theory counterpart of <see cref="RequiresToolsFactAttribute"/>, hence this one.)
/// </summary>
public sealed class RequiresOvsTheoryAttribute : TheoryAttribute
{
    public RequiresOvsTheoryAttribute()
    {
        Skip = Requirements.SkipUnlessRequired(Requirements.MissingExecutables("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl"));
    }
}

/// <summary>
/// Every example scenario run on SharpSwitch and on real OVS 3.1 through <c>vsw lab diff</c>: the examples that set
/// only OVS's keys must agree, the ones that set a SharpSwitch-only key must differ. Which example is which is read
/// from the files themselves (<see cref="SharpSwitchOnlyKeys"/>), so a new example joins the right test by itself.
/// </summary>
public sealed class ExampleDiffTests(ITestOutputHelper output)
{
    private static IEnumerable<(string Name, IReadOnlyList<string> OnlyKeys)> Classified() =>
        Directory.GetFiles(Path.Combine(LabTestFiles.RepositoryRoot, "examples"), "*.yaml")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .Select(name => (name!, SharpSwitchOnlyKeys.UsedBy(LabTestFiles.LoadExample(name!))));

    public static TheoryData<string> OvsKeysOnlyExamples()
    {
        var data = new TheoryData<string>();
        foreach ((string name, IReadOnlyList<string> only) in Classified())
        {
            if (only.Count == 0)
            {
                data.Add(name);
            }
        }
        return data;
    }

    public static TheoryData<string> SharpSwitchOnlyExamples()
    {
        var data = new TheoryData<string>();
        foreach ((string name, IReadOnlyList<string> only) in Classified())
        {
            if (only.Count > 0)
            {
                data.Add(name);
            }
        }
        return data;
    }

    [Fact]
    public void Examples_split_into_both_kinds_by_their_keys()
    {
        List<(string Name, IReadOnlyList<string> OnlyKeys)> all = Classified().ToList();

        Assert.Contains(all, e => e.OnlyKeys.Count == 0);
        Assert.Contains(all, e => e.OnlyKeys.Count > 0);
        // The failback examples set bond-failback on the bond; this pins the classifier to the files' contents.
        Assert.Contains("sw1 bond-mgt bond-failback", all.Single(e => e.Name == "failback-never.yaml").OnlyKeys);
        Assert.Empty(all.Single(e => e.Name == "operator-primary.yaml").OnlyKeys);
        Assert.Equal(all.Count, OvsKeysOnlyExamples().Count + SharpSwitchOnlyExamples().Count);
    }

    [Fact]
    public void Classifier_sees_member_keys_as_well_as_bond_keys()
    {
        string text = File.ReadAllText(LabTestFiles.Example("operator-no-primary.yaml"));
        Assert.Contains("interfaces: [eno1, eno2]", text, StringComparison.Ordinal);
        string withPriority = text.Replace(
            "interfaces: [eno1, eno2]",
            "interfaces:\n                eno1: {}\n                eno2: { other_config: { bond-member-priority: 5 } }",
            StringComparison.Ordinal);
        ScenarioReadResult read = ScenarioReader.Parse(withPriority, "priority.yaml");
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));

        Assert.Equal(["sw1 bond-mgt eno2 bond-member-priority"], SharpSwitchOnlyKeys.UsedBy(read.Scenario!));
    }

    [RequiresOvsTheory]
    [MemberData(nameof(OvsKeysOnlyExamples))]
    public void Example_with_only_ovs_keys_runs_the_same_on_real_ovs(string example)
    {
        LabDiffResult diff = LabDiff.Run(LabTestFiles.LoadExample(example));
        output.WriteLine(diff.Render());

        Assert.True(diff.Same, diff.Render());
        // Only the two stated classifications may leave anything out: per-flow loss under a random impairment, and a
        // LACP bond after its link returns from an outage longer than the LACP timeout (OVS's dummy interfaces).
        Assert.All(diff.NotCompared, n => Assert.True(
            n.StartsWith("loss per flow: the scenario has a random impairment", StringComparison.Ordinal)
            || n.Contains("OVS 3.1's dummy interfaces count no carrier resets", StringComparison.Ordinal), n));
    }

    [Fact]
    public void Diff_leaves_out_a_lacp_bond_only_after_its_link_returns_from_an_outage_longer_than_the_lacp_timeout()
    {
        // balance-tcp: eno1's cable is out from 10 s to 21 s, LACP fast (3 s timeout), bonds at both ends.
        DummyCarrierGaps gaps = DummyCarrierGaps.Find(LabTestFiles.LoadExample("balance-tcp.yaml"));
        Assert.Equal(2, gaps.Reasons.Count);
        Assert.StartsWith("sw1 bond0 from 21.000 s: the link of sw1:eno1 came back after 11.000 s down, longer than the LACP timeout (3.000 s)", gaps.Reasons[0], StringComparison.Ordinal);
        Assert.StartsWith("tor po1 from 21.000 s: the link of tor:p1 came back", gaps.Reasons[1], StringComparison.Ordinal);
        Assert.False(gaps.Excludes("sw1", "bond0", 20_999));
        Assert.True(gaps.Excludes("sw1", "bond0", 21_000));
        Assert.True(gaps.ExcludesPhase("tor", "po1", 29_500));
        Assert.False(gaps.ExcludesPhase("tor", "po1", 21_000));

        // The same outage under the 3 s timeout, or a bond without LACP, leaves nothing out.
        string text = File.ReadAllText(LabTestFiles.Example("balance-tcp.yaml"));
        Assert.Contains("  - at: 21s\n", text, StringComparison.Ordinal);
        ScenarioReadResult brief = ScenarioReader.Parse(text.Replace("  - at: 21s\n", "  - at: 12s\n", StringComparison.Ordinal), "brief.yaml");
        Assert.True(brief.Succeeded, string.Join("\n", brief.Errors));
        Assert.Empty(DummyCarrierGaps.Find(brief.Scenario!).Reasons);
        Assert.Empty(DummyCarrierGaps.Find(LabTestFiles.LoadExample("tcp-failover.yaml")).Reasons);
    }

    [Fact]
    public void Diff_leaves_out_per_flow_loss_only_under_a_random_impairment_and_says_so()
    {
        LabResult lossy = LabRunner.Run(LabTestFiles.LoadExample("lossy-link.yaml"));
        LabResult plain = LabRunner.Run(LabTestFiles.LoadExample("operator-no-primary.yaml"));

        LabDiffResult lossyDiff = LabDiff.Compare(lossy, lossy);
        Assert.Single(lossyDiff.NotCompared);
        Assert.Contains("  not compared: loss per flow", lossyDiff.Render(), StringComparison.Ordinal);
        Assert.Empty(LabDiff.Compare(plain, plain).NotCompared);
    }

    [Fact]
    public void Diff_compares_per_flow_loss_under_a_certain_loss_of_every_frame()
    {
        // blackhole-window.yaml loses every frame for 5 s: no draw decides anything, so per-flow loss is compared.
        LabResult blackhole = LabRunner.Run(LabTestFiles.LoadExample("blackhole-window.yaml"));
        Assert.Empty(LabDiff.Compare(blackhole, blackhole).NotCompared);

        string correlated = File.ReadAllText(LabTestFiles.Example("blackhole-window.yaml"))
            .Replace("    loss: 100%\n", "    loss: 100% 25%\n", StringComparison.Ordinal);
        ScenarioReadResult read = ScenarioReader.Parse(correlated, "blackhole-window.yaml");
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));
        // With correlation the first frame may share the fate of a "previous" frame that was not lost: random again.
        LabResult run = LabRunner.Run(read.Scenario!);
        Assert.Single(LabDiff.Compare(run, run).NotCompared);
    }
}

/// <summary>
/// The other half of the sweep: every example that sets a SharpSwitch-only key must differ on real OVS. It is a class
/// of its own so that xunit runs it beside <see cref="ExampleDiffTests"/> rather than after it: a real-OVS run spends
/// much of its time waiting for the daemons (each clock step costs OVS a 10 ms sleep), so two runs overlap well.
/// </summary>
public sealed class SharpSwitchOnlyExampleDiffTests(ITestOutputHelper output)
{
    [RequiresOvsTheory]
    [MemberData(nameof(ExampleDiffTests.SharpSwitchOnlyExamples), MemberType = typeof(ExampleDiffTests))]
    public void Example_with_a_sharpswitch_only_key_differs_on_real_ovs(string example)
    {
        LabDiffResult diff = LabDiff.Run(LabTestFiles.LoadExample(example));
        output.WriteLine(diff.Render());

        Assert.False(diff.Same, diff.Render());
        Assert.Contains("differ on examples/" + example, diff.Render(), StringComparison.Ordinal);
    }
}
