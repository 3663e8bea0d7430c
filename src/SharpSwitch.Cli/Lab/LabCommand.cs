// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using SharpSwitch.Lab;
using SharpSwitch.Lab.RealInterfaces;
using SharpSwitch.Lab.RealOvs;
using SharpSwitch.Lab.Reports;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Cli.Lab;

/// <summary>
/// <c>vsw lab run SCENARIO.yaml [--json] [--timing] [--html FILE] [--pcap FILE]</c>: reads a scenario, runs it under
/// virtual time and prints the report, optionally also writing an HTML report and a pcapng capture; and
/// <c>vsw lab compare</c> (see <see cref="LabCompareCommand"/>). Exit codes: 0 after a run, 2 for a usage error or an
/// invalid scenario (nothing runs then).
/// </summary>
internal static class LabCommand
{
    /// <summary>Exit code of a completed run.</summary>
    public const int Success = 0;

    /// <summary>Exit code for bad arguments or a scenario with errors.</summary>
    public const int UsageOrScenarioError = 2;

    /// <summary>Exit code when a valid scenario hit a SharpSwitch bug.</summary>
    public const int InternalError = 1;

    /// <summary>Exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    private const string Usage = "usage: vsw lab run SCENARIO.yaml [--switch sharpswitch|ovs] [--real] [--json] [--timing] [--html FILE] [--pcap FILE]\n       " + LabCompareCommand.Usage + "\n       " + LabDiffCommand.Usage;

    [VswSubcommand("lab", "run failover/failback experiments under virtual time")]
    internal static int Run(string[] args)
    {
        return Run(args, Console.Out, Console.Error, LabProgress.ForConsole());
    }

    /// <summary>The command with its output streams given, so tests can read what it prints.</summary>
    internal static int Run(string[] args, TextWriter output, TextWriter error)
    {
        return Run(args, output, error, null);
    }

    /// <summary>The command with its streams and progress bar given (null: no bar), so tests control both.</summary>
    internal static int Run(string[] args, TextWriter output, TextWriter error, LabProgress? progress)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? error : output).WriteLine(Usage);
            output.Flush();
            return args.Length == 0 ? UsageOrScenarioError : Success;
        }
        if (args[0] == "compare")
        {
            return LabCompareCommand.Run(args[1..], output, error, progress);
        }
        if (args[0] == "diff")
        {
            return LabDiffCommand.Run(args[1..], output, error);
        }
        if (args[0] != "run")
        {
            error.WriteLine($"vsw lab: unknown subcommand '{args[0]}'");
            error.WriteLine(Usage);
            return UsageOrScenarioError;
        }
        string? path = null;
        bool json = false;
        bool timing = false;
        string? htmlPath = null;
        string? pcapPath = null;
        LabSwitchKind switchKind = LabSwitchKind.SharpSwitch;
        bool real = false;
        string[] rest = args[1..];
        for (int i = 0; i < rest.Length; i++)
        {
            string argument = rest[i];
            switch (argument)
            {
                case "--html" or "--pcap":
                    if (i + 1 >= rest.Length)
                    {
                        error.WriteLine($"vsw lab run: {argument} needs a FILE");
                        error.WriteLine(Usage);
                        return UsageOrScenarioError;
                    }
                    if (argument == "--html")
                    {
                        htmlPath = rest[++i];
                    }
                    else
                    {
                        pcapPath = rest[++i];
                    }
                    break;
                case "--json":
                    json = true;
                    break;
                case "--switch":
                    if (i + 1 >= rest.Length || !LabDiffCommand.TryParseSwitch(rest[i + 1], out switchKind))
                    {
                        error.WriteLine("vsw lab run: --switch needs sharpswitch or ovs");
                        error.WriteLine(Usage);
                        return UsageOrScenarioError;
                    }
                    i++;
                    break;
                case "--timing":
                    timing = true;
                    break;
                case "--real":
                    real = true;
                    break;
                case "-h" or "--help":
                    output.WriteLine(Usage);
                    return Success;
                default:
                    if (argument.StartsWith('-'))
                    {
                        error.WriteLine($"vsw lab run: unknown option '{argument}'");
                        error.WriteLine(Usage);
                        return UsageOrScenarioError;
                    }
                    if (path is not null)
                    {
                        error.WriteLine($"vsw lab run: one scenario at a time ('{path}' and '{argument}' given)");
                        return UsageOrScenarioError;
                    }
                    path = argument;
                    break;
            }
        }
        if (path is null)
        {
            error.WriteLine("vsw lab run: missing SCENARIO.yaml");
            error.WriteLine(Usage);
            return UsageOrScenarioError;
        }

        if (real)
        {
            if (switchKind != LabSwitchKind.SharpSwitch)
            {
                error.WriteLine("vsw lab run: --real runs SharpSwitch on veth pairs; it cannot be combined with --switch ovs");
                return UsageOrScenarioError;
            }
            switchKind = LabSwitchKind.RealInterfaces;
        }

        // Wall time is measured here, in the front end, and printed only on request: the report itself must stay
        // identical from run to run.
        long startTicks = Stopwatch.GetTimestamp();
        ScenarioReadResult read = ScenarioReader.ReadFile(path);
        if (!read.Succeeded)
        {
            foreach (ScenarioError scenarioError in read.Errors)
            {
                error.WriteLine(scenarioError.ToString());
            }
            error.WriteLine($"vsw lab run: {read.Errors.Count} error(s); nothing was run");
            return UsageOrScenarioError;
        }
        LabResult result;
        FileStream? capture = null;
        try
        {
            if (pcapPath is not null)
            {
                capture = new FileStream(pcapPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            }
            var options = new LabRunOptions { Capture = capture, Progress = progress is null ? null : progress.Report, Switch = switchKind };
            // Namespaces, veths and daemons of a real run must not outlive an interrupted command. The first Ctrl-C
            // keeps the process alive and asks the run to stop, so it unwinds on its own thread and removes what it
            // made (a cleanup on the signal's thread would race the run, which may be creating a veth that moment);
            // a second Ctrl-C removes everything from here and lets the process end.
            ConsoleCancelEventHandler? onCancel = real
                ? (_, e) =>
                {
                    if (RealInterfacesCleanup.Interrupt())
                    {
                        e.Cancel = true;
                    }
                    else
                    {
                        RealInterfacesCleanup.RemoveAll();
                    }
                }
                : null;
            Console.CancelKeyPress += onCancel;
            // 'kill' and a service manager stopping the command send SIGTERM; it gets the same orderly stop, where the
            // runtime's default would end the process with the namespaces, veths and daemons still there.
            using PosixSignalRegistration? onTerminate = real
                ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
                {
                    if (RealInterfacesCleanup.Interrupt())
                    {
                        context.Cancel = true;
                    }
                    else
                    {
                        RealInterfacesCleanup.RemoveAll();
                    }
                })
                : null;
            try
            {
                result = LabRunner.Run(read.Scenario!, options);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }
        catch (RealInterfacesException ex)
        {
            error.WriteLine($"vsw lab run: {ex.Message}");
            return UsageOrScenarioError;
        }
        catch (OperationCanceledException) when (real)
        {
            error.WriteLine("vsw lab run: interrupted; the namespaces, veths and daemons of the run were removed");
            return Interrupted;
        }
        catch (RealOvsException ex)
        {
            error.WriteLine($"vsw lab run: {ex.Message}");
            return UsageOrScenarioError;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"vsw lab run: cannot write {pcapPath}: {ex.Message}");
            return UsageOrScenarioError;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or KeyNotFoundException or NullReferenceException)
        {
            // A valid scenario that the switch cannot run is a SharpSwitch bug; say so plainly instead of crashing.
            error.WriteLine($"vsw lab run: {path}: internal error while running the scenario ({ex.GetType().Name}: {ex.Message}); please report it");
            return InternalError;
        }
        finally
        {
            progress?.Finish();
            capture?.Dispose();
        }
        if (htmlPath is not null)
        {
            try
            {
                File.WriteAllText(htmlPath, HtmlReport.Render(result));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"vsw lab run: cannot write {htmlPath}: {ex.Message}");
                return UsageOrScenarioError;
            }
        }
        output.Write(json ? JsonReport.Render(result) : TextReport.Render(result));
        if (timing)
        {
            double elapsedMs = Stopwatch.GetElapsedTime(startTicks).TotalMilliseconds;
            string line = string.Create(CultureInfo.InvariantCulture, $"wall time: {elapsedMs:F1} ms for {result.Scenario.DurationMs / 1000.0:F3} s of virtual time");
            (json ? error : output).WriteLine(json ? line : "\n" + line);
        }
        output.Flush();
        return Success;
    }
}
