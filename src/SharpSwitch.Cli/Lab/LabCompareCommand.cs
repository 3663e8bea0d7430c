// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Compare;
using SharpSwitch.Lab.Scenarios;

namespace SharpSwitch.Cli.Lab;

/// <summary>
/// <c>vsw lab compare SCENARIO.yaml --vary KEY=v1,v2,... [--vary ...] [--json]</c>: runs the scenario once per
/// combination of bond settings under virtual time and prints one table of failover and failback gaps, loss,
/// switchovers and the final active member. Exit codes as <c>vsw lab run</c>.
/// </summary>
internal static class LabCompareCommand
{
    /// <summary>The usage line, also shown by <c>vsw lab</c>.</summary>
    public const string Usage = "vsw lab compare SCENARIO.yaml --vary [BOND.]KEY=V1,V2,... [--vary ...] [--json]";

    /// <summary>Runs the command; <paramref name="args"/> follow the word <c>compare</c>.</summary>
    internal static int Run(string[] args, TextWriter output, TextWriter error, LabProgress? progress)
    {
        string? path = null;
        bool json = false;
        var varies = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string argument = args[i];
            if (argument is "-h" or "--help")
            {
                output.WriteLine("usage: " + Usage);
                return LabCommand.Success;
            }
            if (argument == "--json")
            {
                json = true;
            }
            else if (argument == "--vary")
            {
                if (i + 1 >= args.Length)
                {
                    error.WriteLine("vsw lab compare: --vary needs KEY=V1,V2,...");
                    error.WriteLine("usage: " + Usage);
                    return LabCommand.UsageOrScenarioError;
                }
                varies.Add(args[++i]);
            }
            else if (argument.StartsWith("--vary=", StringComparison.Ordinal))
            {
                varies.Add(argument["--vary=".Length..]);
            }
            else if (argument.StartsWith('-'))
            {
                error.WriteLine($"vsw lab compare: unknown option '{argument}'");
                error.WriteLine("usage: " + Usage);
                return LabCommand.UsageOrScenarioError;
            }
            else if (path is not null)
            {
                error.WriteLine($"vsw lab compare: one scenario at a time ('{path}' and '{argument}' given)");
                return LabCommand.UsageOrScenarioError;
            }
            else
            {
                path = argument;
            }
        }
        if (path is null || varies.Count == 0)
        {
            error.WriteLine(path is null ? "vsw lab compare: missing SCENARIO.yaml" : "vsw lab compare: nothing to compare; give at least one --vary KEY=V1,V2,...");
            error.WriteLine("usage: " + Usage);
            return LabCommand.UsageOrScenarioError;
        }

        ScenarioReadResult read = ScenarioReader.ReadFile(path);
        if (!read.Succeeded)
        {
            foreach (ScenarioError scenarioError in read.Errors)
            {
                error.WriteLine(scenarioError.ToString());
            }
            error.WriteLine($"vsw lab compare: {read.Errors.Count} error(s); nothing was run");
            return LabCommand.UsageOrScenarioError;
        }
        Scenario scenario = read.Scenario!;
        var parameters = new List<VaryParameter>();
        bool bad = false;
        foreach (string vary in varies)
        {
            VaryParameter? parameter = LabComparison.Parse(vary, scenario, out string problem);
            if (parameter is null)
            {
                error.WriteLine("vsw lab compare: " + problem);
                bad = true;
                continue;
            }
            if (parameters.Any(p => p.Key == parameter.Key && p.Bond == parameter.Bond))
            {
                error.WriteLine($"vsw lab compare: --vary '{vary}': {parameter.Key} is already varied");
                bad = true;
                continue;
            }
            parameters.Add(parameter);
        }
        if (bad)
        {
            error.WriteLine("vsw lab compare: nothing was run");
            return LabCommand.UsageOrScenarioError;
        }
        long runs = LabComparison.CountRuns(parameters);
        if (runs > LabComparison.MaximumRuns)
        {
            error.WriteLine($"vsw lab compare: {runs} combinations; at most {LabComparison.MaximumRuns} are run at once (vary fewer values)");
            return LabCommand.UsageOrScenarioError;
        }
        ComparisonResult result;
        try
        {
            // The bar counts finished runs as the share of virtual time, since every run lasts the scenario's duration.
            result = LabComparison.Run(scenario, parameters, progress is null ? null : (done, total) => progress.Report(done * scenario.DurationMs / total, scenario.DurationMs));
        }
        catch (AggregateException ex)
        {
            Exception inner = ex.InnerExceptions[0];
            error.WriteLine($"vsw lab compare: {path}: internal error while running a combination ({inner.GetType().Name}: {inner.Message}); please report it");
            return LabCommand.InternalError;
        }
        finally
        {
            progress?.Finish();
        }
        output.Write(json ? ComparisonReport.RenderJson(result) : ComparisonReport.RenderText(result));
        output.Flush();
        return LabCommand.Success;
    }
}
