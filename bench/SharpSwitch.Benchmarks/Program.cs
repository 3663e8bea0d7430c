// SharpSwitch: an Open vSwitch-compatible virtual switch.
using BenchmarkDotNet.Running;

namespace SharpSwitch.Benchmarks;

/// <summary>Runs the BenchmarkDotNet suites; pass <c>--filter</c> to choose (see bench/README.md).</summary>
internal static class Program
{
    private static void Main(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
