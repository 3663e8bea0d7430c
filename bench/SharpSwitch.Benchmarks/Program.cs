// SharpSwitch: an Open vSwitch-compatible virtual switch.
using BenchmarkDotNet.Running;

namespace SharpSwitch.Benchmarks;

/// <summary>
/// Runs the BenchmarkDotNet suites; pass <c>--filter</c> to choose (see bench/README.md). <c>--packet-rate</c> instead
/// measures the forwarding cases by CPU time, which stays meaningful on a busy shared machine.
/// </summary>
internal static class Program
{
    private static void Main(string[] args)
    {
        if (args.Length == 1 && args[0] == "--packet-rate")
        {
            PacketRateProbe.Run();
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
