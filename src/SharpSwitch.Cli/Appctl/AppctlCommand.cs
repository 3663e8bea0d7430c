// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Switchd.Unixctl;

namespace SharpSwitch.Cli.Appctl;

/// <summary>
/// <c>vsw appctl [-t TARGET] [-T SECS] COMMAND [ARG...]</c>: sends one command to a daemon's control socket, with
/// ovs-appctl's target resolution, output and exit codes (0 success, 2 error reply, 1 could not talk to the daemon).
/// </summary>
internal static class AppctlCommand
{
    private const string Usage = "usage: vsw appctl [-t TARGET] [-T SECS] COMMAND [ARG...]";

    [VswSubcommand("appctl", "send a command to a running daemon (ovs-appctl compatible)")]
    internal static int Run(string[] args)
    {
        string target = "ovs-vswitchd";
        TimeSpan timeout = TimeSpan.FromSeconds(30);
        int position = 0;
        while (position < args.Length && args[position].StartsWith('-'))
        {
            string option = args[position];
            string? value = null;
            int equals = option.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                value = option[(equals + 1)..];
                option = option[..equals];
            }
            switch (option)
            {
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                case "-t" or "--target" or "-T" or "--timeout":
                    if (value is null)
                    {
                        if (position + 1 >= args.Length)
                        {
                            Console.Error.WriteLine($"vsw appctl: option '{option}' requires an argument");
                            return 1;
                        }
                        value = args[++position];
                    }
                    if (option is "-t" or "--target")
                    {
                        target = value;
                    }
                    else if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds > 0)
                    {
                        timeout = TimeSpan.FromSeconds(seconds);
                    }
                    else
                    {
                        Console.Error.WriteLine($"vsw appctl: value {value} on -T or --timeout is invalid");
                        return 1;
                    }
                    break;
                default:
                    Console.Error.WriteLine($"vsw appctl: unrecognized option '{args[position]}'");
                    return 1;
            }
            position++;
        }
        if (position >= args.Length)
        {
            Console.Error.WriteLine("vsw appctl: at least one non-option argument is required (use --help for help)");
            return 1;
        }
        string command = args[position];
        string[] commandArgs = args[(position + 1)..];
        try
        {
            string socket = UnixctlClient.ResolveTarget(target);
            UnixctlResult result = UnixctlClient.CallAsync(socket, command, commandArgs, timeout).GetAwaiter().GetResult();
            if (result.Success)
            {
                Console.Out.Write(result.Text);
                return 0;
            }
            Console.Error.Write(result.Text);
            Console.Error.WriteLine($"vsw appctl: {target}: server returned an error");
            return 2;
        }
        catch (UnixctlClientException ex)
        {
            Console.Error.WriteLine($"vsw appctl: {ex.Message}");
            return 1;
        }
    }
}
