// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Globalization;
using SharpSwitch.Lab;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Benchmarks;

/// <summary>
/// The lab's speed target: the wall time of one in-process run of a scenario, split into setup (building the
/// topology: each switch node's OVSDB database and switch daemon, configured through the database, plus hosts and
/// cables) and run (the virtual-time loop and the result). A plain loop rather than BenchmarkDotNet because one run
/// takes most of a second and the question is that run's wall time, setup included, not a per-operation mean.
/// </summary>
internal static class LabRunProbe
{
    public static void Run(string path, int runs)
    {
        ScenarioReadResult read = ScenarioReader.Parse(File.ReadAllBytes(path), path);
        if (!read.Succeeded)
        {
            throw new InvalidOperationException(string.Join("\n", read.Errors));
        }
        Scenario scenario = read.Scenario!;
        // One warm-up run: JIT compilation is a cost of the first run in a process, not of the lab's work per run.
        (double coldSetup, double coldRun) = Measure(scenario, out _);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first run in this process (JIT included, not counted): setup {coldSetup:F1} ms, run {coldRun:F1} ms"));
        var setup = new List<double>();
        var run = new List<double>();
        var cpu = new List<double>();
        long frames = 0;
        for (int i = 0; i < runs; i++)
        {
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            (double s, double r) = Measure(scenario, out frames);
            double c = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
            setup.Add(s);
            run.Add(r);
            cpu.Add(c);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {i + 1}: setup {s:F1} ms, run {r:F1} ms, total {s + r:F1} ms (process CPU {c:F1} ms)"));
        }
        double total = Median(setup.Zip(run, (s, r) => s + r).ToList());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{scenario.Name}: {scenario.DurationMs / 1000.0:F0} s virtual, {frames} frames sent by hosts; median of {runs}: setup {Median(setup):F1} ms, run {Median(run):F1} ms, total {total:F1} ms wall; process CPU {Median(cpu):F1} ms; target < 1000 ms: {(total < 1000 ? "met" : "missed")}"));
    }

    private static (double SetupMs, double RunMs) Measure(Scenario scenario, out long frames)
    {
        long start = Stopwatch.GetTimestamp();
        using var simulation = new LabSimulation(scenario);
        long built = Stopwatch.GetTimestamp();
        LabResult result = simulation.Run();
        long done = Stopwatch.GetTimestamp();
        frames = result.Phases.SelectMany(p => p.Legs).Sum(l => l.Stats.Sent);
        return (Stopwatch.GetElapsedTime(start, built).TotalMilliseconds, Stopwatch.GetElapsedTime(built, done).TotalMilliseconds);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2;
    }
}
