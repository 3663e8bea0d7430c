// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Globalization;
using SharpSwitch.NetDev;

namespace SharpSwitch.Benchmarks;

/// <summary>
/// Measures the forwarding cases by CPU time rather than wall-clock time (<c>-- --packet-rate</c>). On a machine
/// shared with other work, wall-clock benchmarks mostly measure the scheduler; the process's CPU time shows what
/// one core actually spends per packet. Allocation is measured on the forwarding thread.
/// </summary>
internal static class PacketRateProbe
{
    private const int Bursts = 500_000;

    public static void Run()
    {
        var benchmarks = new ForwardingBenchmarks();
        benchmarks.Setup();
        Console.WriteLine("| Case | ns/packet (CPU) | Mpps per core | ns/packet (wall) | allocated B/packet |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach ((string name, Action burst) in benchmarks.Cases())
        {
            // Warm up past tiered compilation, then take the best of three rounds.
            Measure(burst, Bursts / 5);
            (double cpu, double wall, double bytes) best = (double.MaxValue, 0, 0);
            for (int round = 0; round < 3; round++)
            {
                (double cpu, double wall, double bytes) result = Measure(burst, Bursts);
                if (result.cpu < best.cpu)
                {
                    best = result;
                }
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {best.cpu:0.0} | {1000 / best.cpu:0.00} | {best.wall:0.0} | {best.bytes:0.###} |"));
        }
    }

    private static (double CpuNs, double WallNs, double Bytes) Measure(Action burst, int bursts)
    {
        using var process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var wall = Stopwatch.StartNew();
        for (int i = 0; i < bursts; i++)
        {
            burst();
        }
        wall.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        process.Refresh();
        double packets = (double)bursts * PacketBatch.MaxSize;
        return ((process.TotalProcessorTime - cpuBefore).TotalNanoseconds / packets, wall.Elapsed.TotalNanoseconds / packets, allocated / packets);
    }
}
