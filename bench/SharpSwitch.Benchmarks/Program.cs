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
        if (args.Length >= 1 && args[0] == "--packet-rate")
        {
            // An optional second argument keeps only the cases whose name contains it.
            PacketRateProbe.Run(args.Length > 1 ? args[1] : null);
            return;
        }
        if (args.Length >= 2 && args[0] == "--lab")
        {
            // The lab's wall-time target: a scenario file and an optional number of measured runs (see bench/lab/).
            LabRunProbe.Run(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 7);
            return;
        }
        if (args.Length == 1 && args[0] == "--describe-balance-tcp")
        {
            PacketRateProbe.DescribeBalanceTcp();
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
