// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Cli;
using SharpSwitch.Cli.Lab;

namespace SharpSwitch.Lab.Tests;

/// <summary><c>vsw lab run</c>, as a user types it: registered with the dispatcher, prints the report, exits 0 or 2.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class CliTests
{
    private static (int ExitCode, string Output, string Error) RunLab(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = LabCommand.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public void Vsw_dispatches_lab_run_on_the_readme_example_and_exits_zero()
    {
        // Through the real entry point, with the README's relative path, from the repository root.
        TextWriter originalOut = Console.Out;
        string originalDirectory = Directory.GetCurrentDirectory();
        using var output = new StringWriter();
        int exitCode;
        try
        {
            Console.SetOut(output);
            Directory.SetCurrentDirectory(LabTestFiles.RepositoryRoot);
            exitCode = VswCommand.Run(["lab", "run", "examples/operator-no-primary.yaml"]);
        }
        finally
        {
            Console.SetOut(originalOut);
            Directory.SetCurrentDirectory(originalDirectory);
        }

        Assert.Equal(0, exitCode);
        Assert.Equal(File.ReadAllText(LabTestFiles.Golden("operator-no-primary.txt")), output.ToString());
        Assert.EndsWith("  sw1 bond-mgt: traffic stayed on eno2: no failback\n", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Lab_is_registered_with_its_summary()
    {
        Assert.Equal("run failover/failback experiments under virtual time", VswCommand.Subcommands["lab"].Summary);
    }

    [Fact]
    public void Invalid_scenario_prints_located_errors_and_exits_two()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sharpswitch-lab-bad-{Environment.ProcessId}.yaml");
        File.WriteAllText(path, "name: broken\nduration: 30\ntopology: { nodes: {} }\n");
        try
        {
            (int exitCode, string output, string error) = RunLab("run", path);

            Assert.Equal(2, exitCode);
            Assert.Equal("", output);
            Assert.Contains($"{path}:2:11: duration: '30' needs a unit", error, StringComparison.Ordinal);
            Assert.Contains("nothing was run", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(new string[] { }, "usage: vsw lab run")]
    [InlineData(new[] { "walk" }, "unknown subcommand 'walk'")]
    [InlineData(new[] { "run" }, "missing SCENARIO.yaml")]
    [InlineData(new[] { "run", "a.yaml", "--colour" }, "unknown option '--colour'")]
    [InlineData(new[] { "run", "a.yaml", "b.yaml" }, "one scenario at a time")]
    [InlineData(new[] { "run", "/no/such/dir/x.yaml" }, "/no/such/dir/x.yaml:1:1: no such file")]
    public void Bad_arguments_give_a_clear_message_and_exit_two(string[] args, string message)
    {
        (int exitCode, _, string error) = RunLab(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_is_json_with_the_answer()
    {
        (int exitCode, string output, _) = RunLab("run", LabTestFiles.Example("operator-primary.yaml"), "--json");

        Assert.Equal(0, exitCode);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("traffic failed back to eno1 at 20.000 s", json.RootElement.GetProperty("answers")[0].GetProperty("answer").GetString());
    }

    [Fact]
    public void Wall_time_is_printed_only_with_timing()
    {
        string example = LabTestFiles.Example("operator-no-primary.yaml");
        (_, string plain, _) = RunLab("run", example);
        (int exitCode, string timed, _) = RunLab("run", example, "--timing");

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("wall time:", plain, StringComparison.Ordinal);
        Assert.StartsWith(plain, timed, StringComparison.Ordinal);
        Assert.Matches(@"\nwall time: \d+\.\d ms for 30\.000 s of virtual time\n$", timed);
    }
}

/// <summary>Tests that redirect the process-wide console or working directory run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
