// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Switchd.Unixctl;

namespace SharpSwitch.Cli.Vswitchd;

/// <summary>The common options of OVS daemons (<c>--pidfile</c>, <c>--unixctl</c>, <c>--log-file</c>, <c>-v</c>, ...).</summary>
internal sealed record DaemonArguments
{
    public List<string> Positional { get; } = [];
    public string? Pidfile { get; set; }
    public string? Unixctl { get; set; }
    public string? LogFile { get; set; }
    public bool EnableDummy { get; set; }
    public bool DummyOverride { get; set; }
    public bool Help { get; set; }
    public List<string> VlogSpecs { get; } = [];

    /// <summary>Parses the arguments; options OVS accepts but that mean nothing here (<c>--detach</c>, <c>--no-chdir</c>, ...) are rejected with a reason rather than ignored.</summary>
    public static DaemonArguments Parse(IReadOnlyList<string> args, string program)
    {
        var parsed = new DaemonArguments();
        foreach (string arg in args)
        {
            if (!arg.StartsWith('-'))
            {
                parsed.Positional.Add(arg);
                continue;
            }
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals > 0 ? arg[..equals] : arg;
            string? value = equals > 0 ? arg[(equals + 1)..] : null;
            switch (name)
            {
                case "-h" or "--help":
                    parsed.Help = true;
                    break;
                case "--pidfile":
                    parsed.Pidfile = value is null ? RunDirectory.PidfilePath(program) : Path.GetFullPath(value);
                    break;
                case "--unixctl":
                    parsed.Unixctl = value is null ? throw new ArgumentException("--unixctl needs a socket path") : Path.GetFullPath(value);
                    break;
                case "--log-file":
                    parsed.LogFile = value is null ? Path.Combine(Environment.GetEnvironmentVariable("OVS_LOGDIR") is { Length: > 0 } dir ? dir : "/var/log/openvswitch", program + ".log") : Path.GetFullPath(value);
                    break;
                case "--enable-dummy":
                    parsed.EnableDummy = true;
                    parsed.DummyOverride = value == "override";
                    if (value is not null and not "override" and not "system")
                    {
                        throw new ArgumentException($"--enable-dummy: unknown value {value} (use override or nothing)");
                    }
                    break;
                case "--disable-system" or "--no-chdir" or "--mlockall":
                    // These change nothing for a user-space switch that never touches kernel datapaths.
                    break;
                case "--detach":
                    throw new ArgumentException("--detach is not emulated (.NET cannot fork safely); run under a supervisor instead");
                default:
                    if (arg.StartsWith("-v", StringComparison.Ordinal) || arg.StartsWith("--verbose", StringComparison.Ordinal))
                    {
                        string spec = arg.StartsWith("--verbose", StringComparison.Ordinal) ? (value ?? "dbg") : arg[2..];
                        parsed.VlogSpecs.Add(spec.Length == 0 ? "dbg" : spec);
                        break;
                    }
                    throw new ArgumentException($"unrecognized option '{arg}'");
            }
        }
        return parsed;
    }
}
