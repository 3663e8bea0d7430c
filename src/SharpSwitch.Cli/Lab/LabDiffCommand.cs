// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Diff;
using SharpSwitch.Lab.RealOvs;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Cli.Lab;

/// <summary>
/// <c>vsw lab diff SCENARIO.yaml</c>: runs the scenario on SharpSwitch and on the installed Open vSwitch and prints
/// where they behave differently (bond events of the timeline, active member per phase, loss per flow). Exit codes:
/// 0 when they agree, 1 when they differ, 2 for a usage error, an invalid scenario or OVS missing.
/// </summary>
internal static class LabDiffCommand
{
    /// <summary>The usage line, also printed by <c>vsw lab</c>.</summary>
    public const string Usage = "vsw lab diff SCENARIO.yaml";

    /// <summary>Exit code when the two switches behaved differently.</summary>
    public const int Different = 1;

    /// <summary>Parses a <c>--switch</c> value.</summary>
    public static bool TryParseSwitch(string text, out LabSwitchKind kind)
    {
        switch (text)
        {
            case "sharpswitch" or "vsw":
                kind = LabSwitchKind.SharpSwitch;
                return true;
            case "ovs":
                kind = LabSwitchKind.Ovs;
                return true;
            default:
                kind = LabSwitchKind.SharpSwitch;
                return false;
        }
    }

    internal static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 1 && args[0] is "-h" or "--help")
        {
            output.WriteLine("usage: " + Usage);
            return LabCommand.Success;
        }
        if (args.Length != 1 || args[0].StartsWith('-'))
        {
            error.WriteLine("usage: " + Usage);
            return LabCommand.UsageOrScenarioError;
        }
        ScenarioReadResult read = ScenarioReader.ReadFile(args[0]);
        if (!read.Succeeded)
        {
            foreach (ScenarioError scenarioError in read.Errors)
            {
                error.WriteLine(scenarioError.ToString());
            }
            error.WriteLine($"vsw lab diff: {read.Errors.Count} error(s); nothing was run");
            return LabCommand.UsageOrScenarioError;
        }
        LabDiffResult result;
        try
        {
            result = LabDiff.Run(read.Scenario!);
        }
        catch (RealOvsException ex)
        {
            error.WriteLine($"vsw lab diff: {ex.Message}");
            return LabCommand.UsageOrScenarioError;
        }
        output.Write(result.Render());
        output.Flush();
        return result.Same ? LabCommand.Success : Different;
    }
}
