// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using SharpSwitch.JsonRpc;

namespace SharpSwitch.Cli.Unixctl;

/// <summary>
/// <c>vsw appctl [-t TARGET] COMMAND [ARG...]</c>: sends one command to a daemon's control socket, as ovs-appctl
/// does, with its messages and exit codes: 0 and the reply on standard output when the command succeeds, 2 when the
/// daemon answers with an error, 1 when the daemon cannot be reached or the conversation fails.
/// </summary>
internal static class AppctlCommand
{
    private const string DefaultRunDirectory = "/var/run/openvswitch";
    private const string DefaultTarget = "ovs-vswitchd";

    /// <summary>Where output goes and how the environment is read.</summary>
    internal sealed class Host
    {
        public required TextWriter Out { get; init; }

        public required TextWriter Error { get; init; }

        public Func<string, string?> GetEnvironment { get; init; } = Environment.GetEnvironmentVariable;
    }

    [VswSubcommand("appctl", "send a command to a running daemon's control socket, like ovs-appctl")]
    internal static int Run(string[] args)
    {
        return Run(args, new Host { Out = Console.Out, Error = Console.Error });
    }

    internal static int Run(string[] args, Host host)
    {
        string target = DefaultTarget;
        int? timeoutSeconds = null;
        int index = 0;
        for (; index < args.Length && args[index].StartsWith('-') && args[index] != "-"; index++)
        {
            string arg = args[index];
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? arg : arg[..equals];
            string? inline = equals < 0 ? null : arg[(equals + 1)..];
            switch (name)
            {
                case "-t":
                case "--target":
                case "-T":
                case "--timeout":
                    {
                        string? value = inline ?? (index + 1 < args.Length ? args[++index] : null);
                        if (value is null)
                        {
                            return Fail(host, $"option '{name}' requires an argument");
                        }
                        if (name is "-t" or "--target")
                        {
                            target = value;
                        }
                        else if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
                        {
                            timeoutSeconds = seconds;
                        }
                        else
                        {
                            return Fail(host, $"value {value} on -T or --timeout is invalid");
                        }
                        break;
                    }
                case "-h":
                case "--help":
                    host.Out.Write("vsw appctl: send a command to a running daemon, like ovs-appctl\n"
                        + "usage: vsw appctl [-t TARGET] [-T SECS] COMMAND [ARG...]\n"
                        + "  -t, --target=TARGET  pidfile name under $OVS_RUNDIR or control socket path (default: ovs-vswitchd)\n"
                        + "  -T, --timeout=SECS   give up after SECS seconds\n");
                    return 0;
                case "-V":
                case "--version":
                    host.Out.Write("ovs-appctl (Open vSwitch) 3.1.0\n");
                    return 0;
                default:
                    return Fail(host, name.StartsWith("--", StringComparison.Ordinal) ? $"unrecognized option '{name}'" : $"invalid option -- '{name.TrimStart('-')}'");
            }
        }
        if (index >= args.Length)
        {
            return Fail(host, "at least one non-option argument is required (use --help for help)");
        }
        string command = args[index];
        string[] commandArgs = args[(index + 1)..];
        using var timeout = new CancellationTokenSource();
        if (timeoutSeconds is > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds.Value));
        }
        try
        {
            return RunAsync(host, target, command, commandArgs, timeout.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return Fail(host, $"{target}: transaction error (Connection timed out)");
        }
    }

    private static async Task<int> RunAsync(Host host, string target, string command, string[] commandArgs, CancellationToken cancellationToken)
    {
        string? socketPath = ResolveTarget(host, target, out int failure);
        if (socketPath is null)
        {
            return failure;
        }
        JsonRpcConnection connection;
        try
        {
            connection = await JsonRpcConnection.ConnectAsync(JsonRpcAddress.Parse("unix:" + socketPath), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            host.Error.Write(LogLine("unixctl", $"failed to connect to {socketPath}"));
            return Fail(host, $"cannot connect to \"{socketPath}\" ({Vsctl.SocketErrors.Describe(ex)})");
        }
        await using (connection.ConfigureAwait(false))
        {
            JsonElement @params = JsonValues.StringArray(commandArgs);
            JsonRpcMessage? reply;
            try
            {
                await connection.SendAsync(JsonRpcMessage.CreateRequest(0, command, @params), cancellationToken).ConfigureAwait(false);
                reply = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                return Fail(host, $"{target}: transaction error ({ex.Message})");
            }
            catch (JsonRpcProtocolException)
            {
                return Fail(host, $"{target}: transaction error (Protocol error)");
            }
            if (reply is null)
            {
                return Fail(host, $"{target}: transaction error (End of file)");
            }
            if (reply.Kind == JsonRpcMessageKind.Error && reply.Error is { ValueKind: JsonValueKind.String } error)
            {
                host.Error.Write(error.GetString());
                return Fail(host, $"{target}: server returned an error", exitCode: 2);
            }
            if (reply.Kind == JsonRpcMessageKind.Reply && reply.Result is { ValueKind: JsonValueKind.String } result)
            {
                host.Out.Write(result.GetString());
                host.Out.Flush();
                return 0;
            }
            return Fail(host, $"{target}: transaction error (Protocol error)");
        }
    }

    /// <summary>
    /// A target with a slash is a socket path; otherwise it names a daemon whose pidfile in the run directory gives
    /// the pid, and the socket is <c>NAME.PID.ctl</c> next to it.
    /// </summary>
    private static string? ResolveTarget(Host host, string target, out int failure)
    {
        failure = 0;
        if (target.Contains('/', StringComparison.Ordinal))
        {
            return target;
        }
        string runDirectory = host.GetEnvironment("OVS_RUNDIR") ?? DefaultRunDirectory;
        string pidfile = Path.Combine(runDirectory, target + ".pid");
        string text;
        try
        {
            text = File.ReadAllText(pidfile);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            host.Error.Write(LogLine("daemon_unix", $"{pidfile}: open: No such file or directory"));
            failure = Fail(host, $"cannot read pidfile \"{pidfile}\" (No such file or directory)");
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = Fail(host, $"cannot read pidfile \"{pidfile}\" ({ex.Message})");
            return null;
        }
        string firstLine = text.Split('\n')[0].Trim();
        if (!int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
        {
            host.Error.Write(LogLine("daemon_unix", $"{pidfile}: stale pidfile for pid {firstLine} being deleted"));
            failure = Fail(host, $"cannot read pidfile \"{pidfile}\" (No such process)");
            return null;
        }
        return Path.Combine(runDirectory, $"{target}.{pid}.ctl");
    }

    private static int Fail(Host host, string message, int exitCode = 1)
    {
        host.Error.Write($"ovs-appctl: {message}\n");
        return exitCode;
    }

    private static string LogLine(string module, string message)
    {
        string time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return $"{time}|00001|{module}|WARN|{message}\n";
    }
}
