// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.JsonRpc;

namespace SharpSwitch.OvsdbDaemon;

/// <summary>The command line of <c>vsw ovsdb-server</c>, parsed the way ovsdb-server spells its options.</summary>
internal sealed class OvsdbServerOptions
{
    public string? DatabasePath { get; private set; }

    public List<JsonRpcAddress> Remotes { get; } = [];

    public List<string> IgnoredRemotes { get; } = [];

    public string? PidfilePath { get; private set; }

    public string? UnixctlPath { get; private set; }

    public string? LogFilePath { get; private set; }

    public string? SchemaPath { get; private set; }

    public bool ShowHelp { get; private set; }

    public bool ShowVersion { get; private set; }

    public const string Usage = """
        usage: vsw ovsdb-server [DATABASE] [OPTIONS]
        Serves the OVSDB database in DATABASE (default: $OVS_DBDIR/conf.db), creating it from the
        schema when it does not exist yet.

          --remote=REMOTE     listen on REMOTE: punix:PATH or ptcp:PORT[:IP] (may be repeated)
          --pidfile[=FILE]    write a locked pidfile (default: $OVS_RUNDIR/ovsdb-server.pid)
          --unixctl=SOCKET    control socket for ovs-appctl (default: $OVS_RUNDIR/ovsdb-server.PID.ctl)
          --log-file[=FILE]   log to FILE (default: $OVS_LOGDIR/ovsdb-server.log)
          --schema=FILE       schema for a new database (default: SharpSwitch's vswitch schema)
          -V, --version       print the version (as ovsdb-server prints it) and exit
        """;

    /// <summary>Parses the arguments; returns an error message for bad input.</summary>
    public static (OvsdbServerOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var options = new OvsdbServerOptions();
        foreach (string arg in args)
        {
            (string name, string? value) = arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains('=')
                ? (arg[..arg.IndexOf('=')], arg[(arg.IndexOf('=') + 1)..])
                : (arg, null);
            switch (name)
            {
                case "-h" or "--help":
                    options.ShowHelp = true;
                    break;
                case "-V" or "--version":
                    options.ShowVersion = true;
                    break;
                case "--remote":
                    if (string.IsNullOrEmpty(value))
                    {
                        return (null, "--remote needs a value, e.g. --remote=punix:/run/db.sock");
                    }
                    if (value.StartsWith("db:", StringComparison.Ordinal))
                    {
                        // ovs-ctl passes remotes stored in the database (Manager rows); those are not served yet.
                        options.IgnoredRemotes.Add(value);
                        break;
                    }
                    if (!JsonRpcAddress.TryParse(value, out JsonRpcAddress? address, out string? error))
                    {
                        return (null, $"--remote={value}: {error}");
                    }
                    if (!address.IsPassive)
                    {
                        return (null, $"--remote={value}: only passive remotes (punix:, ptcp:) are supported");
                    }
                    options.Remotes.Add(address);
                    break;
                case "--pidfile":
                    options.PidfilePath = value ?? SharpSwitch.Switchd.Unixctl.RunDirectory.PidfilePath("ovsdb-server");
                    break;
                case "--unixctl":
                    if (string.IsNullOrEmpty(value))
                    {
                        return (null, "--unixctl needs a socket path");
                    }
                    options.UnixctlPath = value;
                    break;
                case "--log-file":
                    options.LogFilePath = value ?? Path.Combine(Environment.GetEnvironmentVariable("OVS_LOGDIR") is { Length: > 0 } dir ? dir : "/var/log/openvswitch", "ovsdb-server.log");
                    break;
                case "--schema":
                    if (string.IsNullOrEmpty(value))
                    {
                        return (null, "--schema needs a file name");
                    }
                    options.SchemaPath = value;
                    break;
                case "--no-chdir":
                    // Accepted for compatibility with ovsdb-server command lines; this process never changes directory.
                    break;
                default:
                    if (arg.StartsWith('-'))
                    {
                        return (null, $"unrecognized option '{arg}'");
                    }
                    if (options.DatabasePath is not null)
                    {
                        return (null, "only one database file is supported");
                    }
                    options.DatabasePath = arg;
                    break;
            }
        }
        options.DatabasePath ??= Path.Combine(Environment.GetEnvironmentVariable("OVS_DBDIR") is { Length: > 0 } db ? db : "/etc/openvswitch", "conf.db");
        return (options, null);
    }
}
