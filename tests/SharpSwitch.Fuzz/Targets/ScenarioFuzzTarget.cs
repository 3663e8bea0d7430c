// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab;
using SharpSwitch.Lab.Reports;
using SharpSwitch.Lab.Scenarios;

namespace SharpSwitch.Fuzz.Targets;

/// <summary>
/// Fuzz target "scenario": the scenario reader on arbitrary bytes must return either a scenario or at least one
/// located error (line and column from 1, a message, the given file name, in file order), and nothing else may
/// escape it. A valid scenario that is short enough is also run and rendered, because a scenario the reader accepts
/// must never make the runner fail.
/// </summary>
internal static class ScenarioFuzzTarget
{
    /// <summary>Longest valid scenario the target runs, in virtual ms, so that one input stays fast.</summary>
    private const long MaximumRunMs = 5_000;

    [FuzzTarget("scenario")]
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        ScenarioReadResult result = ScenarioReader.Parse(input, "fuzz.yaml");
        if (result.Succeeded)
        {
            Check(result.Errors.Count == 0, "a scenario came back together with errors");
            Scenario scenario = result.Scenario!;
            if (scenario.DurationMs <= MaximumRunMs)
            {
                LabResult run = LabRunner.Run(scenario);
                Check(TextReport.Render(run).Length > 0, "empty text report");
                Check(JsonReport.Render(run).Length > 0, "empty JSON report");
            }
            return;
        }
        Check(result.Errors.Count > 0, "neither a scenario nor an error");
        ScenarioError? previous = null;
        foreach (ScenarioError error in result.Errors)
        {
            Check(error.SourceName == "fuzz.yaml", "the error names another file");
            Check(error.Line >= 1 && error.Column >= 1, $"error without a position: {error}");
            Check(!string.IsNullOrWhiteSpace(error.Message), "error without a message");
            Check(!error.Message.Contains('\n', StringComparison.Ordinal), $"multi-line message: {error}");
            if (previous is not null)
            {
                Check(previous.Line < error.Line || (previous.Line == error.Line && previous.Column <= error.Column), "errors are not in file order");
            }
            previous = error;
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("scenario fuzz target: " + message);
        }
    }
}
