// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Diff;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Testing;
using Xunit.Abstractions;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// The sweep of every example against real OVS: it needs the OVS tools, and because it runs each example's whole
/// duration on real daemons stepped through <c>time/warp</c> (about 25 minutes for the twelve examples on this kind of
/// machine) it runs only when asked with <c>SHARPSWITCH_LAB_SWEEP=1</c>. The operator examples, which answer the
/// project's founding question, are compared with real OVS on every test run by <c>RealOvsLabTests</c>.
/// </summary>
public sealed class ExampleSweepTheoryAttribute : TheoryAttribute
{
    public const string Variable = "SHARPSWITCH_LAB_SWEEP";

    public ExampleSweepTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) == "1")
        {
            Skip = Requirements.SkipUnlessRequired(Requirements.MissingExecutables("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl"));
            return;
        }
        // Printed like every other skip's reason, so that a run never skips without saying why.
        Skip = $"the example sweep against real OVS takes about 25 minutes; set {Variable}=1 to run it";
        Console.Error.WriteLine("SKIP: " + Skip);
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

    [ExampleSweepTheory]
    [MemberData(nameof(OvsKeysOnlyExamples))]
    public void Example_with_only_ovs_keys_runs_the_same_on_real_ovs(string example)
    {
        LabDiffResult diff = LabDiff.Run(LabTestFiles.LoadExample(example));
        output.WriteLine(diff.Render());

        Assert.True(diff.Same, diff.Render());
        // Only an example with a random impairment may leave anything out, and then only the per-flow loss.
        Assert.All(diff.NotCompared, n => Assert.StartsWith("loss per flow: the scenario has a random impairment", n, StringComparison.Ordinal));
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

    [ExampleSweepTheory]
    [MemberData(nameof(SharpSwitchOnlyExamples))]
    public void Example_with_a_sharpswitch_only_key_differs_on_real_ovs(string example)
    {
        LabDiffResult diff = LabDiff.Run(LabTestFiles.LoadExample(example));
        output.WriteLine(diff.Render());

        Assert.False(diff.Same, diff.Render());
        Assert.Contains("differ on examples/" + example, diff.Render(), StringComparison.Ordinal);
    }
}
