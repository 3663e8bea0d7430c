// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios;

namespace SharpSwitch.Lab.Tests;

/// <summary>Finds the repository's example scenarios and golden files from the test's output directory.</summary>
internal static class LabTestFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Example(string name) => Path.Combine(RepositoryRoot, "examples", name);

    public static string Golden(string name) => Path.Combine(RepositoryRoot, "tests", "TestData", "golden", "lab", name);

    /// <summary>Reads an example under the name the report prints (relative, as a user types it).</summary>
    public static Scenario LoadExample(string name)
    {
        ScenarioReadResult result = ScenarioReader.Parse(File.ReadAllBytes(Example(name)), "examples/" + name);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Scenario!;
    }

    private static string FindRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "SharpSwitch.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        return dir ?? throw new DirectoryNotFoundException("SharpSwitch.slnx not found above " + AppContext.BaseDirectory);
    }
}
