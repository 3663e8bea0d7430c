// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.Cli.Lab;
using SharpSwitch.Lab.Compare;
using SharpSwitch.Lab.Scenarios;

namespace SharpSwitch.Lab.Tests;

/// <summary><c>vsw lab compare</c>: the parameters it accepts and refuses, the combinations it runs, and its table.</summary>
public sealed class CompareTests
{
    private static (int ExitCode, string Output, string Error) Lab(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = LabCommand.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("bond-failback=never", "unknown key 'bond-failback'")]
    [InlineData("other_config:bond-fallback=never", "'other_config:bond-fallback' is not a bond port key")]
    [InlineData("other_config:bond-failback=never,sometimes", "bad value 'sometimes' for other_config:bond-failback")]
    [InlineData("bond_updelay=10,-1", "bad value '-1' for bond_updelay")]
    [InlineData("bond_updelay=10,,20", "empty value")]
    [InlineData("bond_updelay=10,10", "listed twice")]
    [InlineData("bond9.bond_updelay=10", "no bond named 'bond9'")]
    [InlineData("other_config:bond-primary=eno3", "bad value 'eno3' for other_config:bond-primary")]
    [InlineData("bond_updelay", "expected KEY=VALUE1,VALUE2")]
    public void Bad_vary_arguments_are_refused_with_the_argument_named(string vary, string expected)
    {
        (int exitCode, string output, string error) = Lab("compare", LabTestFiles.Example("operator-no-primary.yaml"), "--vary", vary);

        Assert.Equal(LabCommand.UsageOrScenarioError, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains($"--vary '{vary}'", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains("nothing was run", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_vary_is_a_usage_error()
    {
        (int exitCode, _, string error) = Lab("compare", LabTestFiles.Example("operator-no-primary.yaml"));
        Assert.Equal(LabCommand.UsageOrScenarioError, exitCode);
        Assert.Contains("give at least one --vary", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_combination_runs_in_order_with_its_own_figures()
    {
        Scenario scenario = LabTestFiles.LoadExample("operator-no-primary.yaml");
        VaryParameter failback = LabComparison.Parse("other_config:bond-failback=never,always", scenario, out string e1)!;
        VaryParameter downdelay = LabComparison.Parse("bond-mgt.bond_downdelay=0,300", scenario, out string e2)!;
        Assert.True(e1.Length == 0 && e2.Length == 0, e1 + e2);

        ComparisonResult comparison = LabComparison.Run(scenario, [failback, downdelay]);

        Assert.Equal([["never", "0"], ["never", "300"], ["always", "0"], ["always", "300"]], comparison.Runs.Select(r => r.Values.ToArray()));
        ComparisonRun[] runs = [.. comparison.Runs];
        // Without failback traffic stays on eno2 after one switchover; with it, it returns to eno1 after two.
        Assert.Equal([1, 1, 2, 2], runs.Select(r => r.Switchovers));
        Assert.Equal(["eno2", "eno2", "eno1", "eno1"], runs.Select(r => r.FinalActive.Single().Value));
        Assert.Equal([null, null, 0L, 0L], runs.Select(r => r.FailbackGapMs));
        // A 300 ms downdelay black-holes 300 ms of traffic at the failover: 3 pings and 30 datagrams each way.
        Assert.Equal([0L, 300L, 0L, 300L], runs.Select(r => r.FailoverGapMs!.Value));
        Assert.Equal([0L, 63L, 0L, 63L], runs.Select(r => r.Lost));
    }

    [Fact]
    public void Table_and_json_are_deterministic_and_carry_the_same_runs()
    {
        string path = LabTestFiles.Example("operator-primary.yaml");
        (int exitCode, string text, _) = Lab("compare", path, "--vary", "bond_updelay=0,1000", "--vary", "other_config:bond-primary=unset,eno1");
        Assert.Equal(0, exitCode);
        Assert.Equal(text, Lab("compare", path, "--vary", "bond_updelay=0,1000", "--vary", "other_config:bond-primary=unset,eno1").Output);
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("bond_updelay  other_config:bond-primary  failover gap (ms)  failback gap (ms)  lost  switchovers  final active", lines[2], StringComparison.Ordinal);
        Assert.Equal(3 + 4, lines.Length);
        // Unsetting bond-primary gives OVS's behaviour without it: no failback, traffic ends on eno2.
        Assert.EndsWith("eno2", lines[3], StringComparison.Ordinal);
        Assert.EndsWith("eno1", lines[4], StringComparison.Ordinal);

        (int jsonExit, string json, _) = Lab("compare", path, "--vary", "bond_updelay=0,1000", "--vary", "other_config:bond-primary=unset,eno1", "--json");
        Assert.Equal(0, jsonExit);
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement runs = document.RootElement.GetProperty("runs");
        Assert.Equal(4, runs.GetArrayLength());
        Assert.Equal("bond_updelay", document.RootElement.GetProperty("vary")[0].GetProperty("key").GetString());
        Assert.Equal(["1000", "eno1"], runs[3].GetProperty("values").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("eno1", runs[3].GetProperty("final_active").GetProperty("sw1 bond-mgt").GetString());
        Assert.Equal(2, runs[3].GetProperty("switchovers").GetInt32());
    }
}
