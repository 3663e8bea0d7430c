// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Cli;

/// <summary>The <c>vsw</c> command: the user's front door to SharpSwitch.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        return VswCommand.Run(args);
    }
}
