// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Fuzz;

/// <summary>
/// Runs one fuzz target under SharpFuzz: <c>SharpSwitch.Fuzz TARGET</c>, started by afl-fuzz on an
/// instrumented build. The same targets are replayed over tests/TestData/corpus by SharpSwitch.Fuzz.Tests.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length != 1 || !FuzzTargets.All.TryGetValue(args[0], out FuzzTarget? target))
        {
            Console.Error.WriteLine("usage: SharpSwitch.Fuzz TARGET   (targets: " + string.Join(", ", FuzzTargets.All.Keys) + ")");
            return 2;
        }
        SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target(buffer.ToArray());
        });
        return 0;
    }
}
