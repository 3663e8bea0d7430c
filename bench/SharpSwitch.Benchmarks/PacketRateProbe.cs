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

    /// <summary>Measures every case whose name contains <paramref name="filter"/> (all when null).</summary>
    public static void Run(string? filter = null)
    {
        var benchmarks = new ForwardingBenchmarks();
        benchmarks.Setup();
        var balanceTcp = new BalanceTcpBenchmarks();
        balanceTcp.Setup();
        Console.WriteLine("| Case | ns/packet (CPU) | Mpps per core | ns/packet (wall) | allocated B/packet |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach ((string name, Action burst) in benchmarks.Cases().Concat(balanceTcp.Cases()))
        {
            if (filter is not null && !name.Contains(filter, StringComparison.Ordinal))
            {
                continue;
            }
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

    /// <summary>How the balance-tcp case spread its flows: buckets in use and packets sent per member.</summary>
    public static void DescribeBalanceTcp()
    {
        var benchmarks = new BalanceTcpBenchmarks();
        benchmarks.Setup();
        for (int i = 0; i < 10_000 / PacketBatch.MaxSize + 1; i++)
        {
            benchmarks.ForwardTenThousandFlowsThroughFourMemberBalanceTcpBond();
        }
        var perMember = new Dictionary<string, int>();
        int used = 0;
        for (int bucket = 0; bucket < 256; bucket++)
        {
            if (benchmarks.Bond.GetBucketMember(bucket) is { } member)
            {
                used++;
                perMember[member.Name] = perMember.GetValueOrDefault(member.Name) + 1;
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"buckets in use: {used}; per member: {string.Join(", ", perMember.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}"));
    }
}
