// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Cli;

/// <summary>Dispatches <c>vsw SUBCOMMAND ...</c> to the subcommand registered under that name.</summary>
internal static class VswCommand
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine("usage: vsw COMMAND [ARG...]");
            return args.Length == 0 ? 1 : 0;
        }
        Console.Error.WriteLine($"vsw: unknown command '{args[0]}' (use --help)");
        return 1;
    }
}
