// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Runtime.InteropServices;
using SharpSwitch.JsonRpc;
using SharpSwitch.Ovsdb;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Server;
using SharpSwitch.Ovsdb.Storage;
using SharpSwitch.Switchd;
using SharpSwitch.Switchd.Logging;
using SharpSwitch.Switchd.Unixctl;
using OvsdbServerHost = SharpSwitch.Ovsdb.Server.OvsdbServer;

namespace SharpSwitch.Cli.Start;

/// <summary>
/// <c>vsw start [--rundir=DIR]</c>: the database server and the switch daemon in one process, with the embedded
/// defaults a new user wants: a database file, its socket and both control sockets in one run directory, and every
/// interface opened as a dummy (no root needed). Drive it with <c>vsw vsctl</c>/<c>vsw appctl</c> or the real OVS tools.
/// </summary>
internal static class StartCommand
{
    private const string Usage = "usage: vsw start [--rundir=DIR] [--log-file[=FILE]] [-vSPEC]...\n" +
        "DIR defaults to $OVS_RUNDIR, else /var/run/openvswitch as root, else ./run.";

    [VswSubcommand("start", "run the database server and the switch daemon in one process (dummy interfaces)")]
    internal static int Run(string[] args)
    {
        string? runDirectory = null;
        string? logFile = null;
        var vlogSpecs = new List<string>();
        foreach (string arg in args)
        {
            if (arg is "-h" or "--help")
            {
                Console.WriteLine(Usage);
                return 0;
            }
            if (arg.StartsWith("--rundir=", StringComparison.Ordinal))
            {
                runDirectory = Path.GetFullPath(arg["--rundir=".Length..]);
            }
            else if (arg == "--log-file" || arg.StartsWith("--log-file=", StringComparison.Ordinal))
            {
                logFile = arg.Length > "--log-file=".Length ? Path.GetFullPath(arg["--log-file=".Length..]) : "";
            }
            else if (arg.StartsWith("-v", StringComparison.Ordinal))
            {
                vlogSpecs.Add(arg.Length > 2 ? arg[2..] : "dbg");
            }
            else
            {
                Console.Error.WriteLine($"vsw start: unrecognized argument '{arg}'");
                Console.Error.WriteLine(Usage);
                return 1;
            }
        }
        runDirectory ??= DefaultRunDirectory();
        if (logFile == "")
        {
            logFile = Path.Combine(runDirectory, "ovs-vswitchd.log");
        }
        try
        {
            return RunAsync(runDirectory, logFile, vlogSpecs).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OvsdbException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"vsw start: {ex.Message}");
            return 1;
        }
    }

    private static string DefaultRunDirectory()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("OVS_RUNDIR");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }
        return Environment.UserName == "root" ? "/var/run/openvswitch" : Path.GetFullPath("run");
    }

    private static async Task<int> RunAsync(string runDirectory, string? logFile, List<string> vlogSpecs)
    {
        Directory.CreateDirectory(runDirectory);
        using var log = new Vlog(() => DateTimeOffset.UtcNow, modules: ["bond", "bridge", "lacp", "netdev_dummy", "ovsdb_idl", "ovsdb_server", "reconnect", "unixctl", "vswitchd", "timeval", "memory"]);
        foreach (string spec in vlogSpecs)
        {
            if (log.Set(spec) is string error)
            {
                Console.Error.WriteLine($"vsw start: {error}");
                return 1;
            }
        }
        if (logFile is not null)
        {
            log.OpenFile(logFile);
        }

        string dbPath = Path.Combine(runDirectory, "conf.db");
        if (!File.Exists(dbPath))
        {
            DatabaseSchema schema = VswitchSchema.Load();
            DatabaseFile.Create(dbPath, schema);
            log.Info("ovsdb_server", $"{dbPath}: created new database from schema {schema.Name} {schema.Version}");
        }
        using DatabaseFile file = DatabaseFile.Open(dbPath, log: message => log.Warn("ovsdb_server", message), takeLock: true);
        using Pidfile serverPidfile = Pidfile.Create(RunDirectory.PidfilePath("ovsdb-server", runDirectory));
        using Pidfile switchPidfile = Pidfile.Create(RunDirectory.PidfilePath("ovs-vswitchd", runDirectory));
        var engine = new OvsdbServerEngine([new ServedDatabase(file)], message => log.Info("ovsdb_server", message));
        string dbSocket = Path.Combine(runDirectory, "db.sock");
        await using OvsdbServerHost server = OvsdbServerHost.Start(engine, [JsonRpcAddress.Parse("punix:" + dbSocket)], log: message => log.Info("ovsdb_server", message));

        var serverCommands = new UnixctlCommandTable($"ovsdb-server (Open vSwitch) {SwitchdAssembly.Version}");
        using var stop = new CancellationTokenSource();
        serverCommands.Register(new UnixctlCommand("exit", "", 0, 1, _ => UnixctlResult.Ok("") with { AfterReply = stop.Cancel }));
        serverCommands.Register(new UnixctlCommand("ovsdb-server/compact", "", 0, 1, _ => server.Invoke(e =>
        {
            e.Compact(null);
            return UnixctlResult.Ok("");
        })));
        await using UnixctlServer serverControl = UnixctlServer.Start(RunDirectory.ControlSocketPath("ovsdb-server", Environment.ProcessId, runDirectory), serverCommands);

        await using var daemon = new SwitchDaemon(new SwitchDaemonOptions
        {
            Remote = "unix:" + dbSocket,
            EnableDummy = true,
            DummyOverridesSystem = true,
        }, log);
        await using UnixctlServer switchControl = UnixctlServer.Start(RunDirectory.ControlSocketPath("ovs-vswitchd", Environment.ProcessId, runDirectory), daemon.Commands, handler => daemon.InvokeAsync(handler));

        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        Console.WriteLine($"SharpSwitch running in {runDirectory} (database {dbPath}).");
        Console.WriteLine($"Configure it:  vsw vsctl --db=unix:{dbSocket} add-br br0");
        Console.WriteLine($"   or, with the OVS tools:  OVS_RUNDIR={runDirectory} ovs-vsctl add-br br0; OVS_RUNDIR={runDirectory} ovs-appctl bond/show");
        Console.WriteLine("Stop it with Ctrl-C, or: vsw appctl -t " + Path.Combine(runDirectory, $"ovs-vswitchd.{Environment.ProcessId}.ctl") + " exit");
        Task running = daemon.RunAsync(stop.Token);
        await Task.WhenAny(running, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
        daemon.RequestExit();
        await running.ConfigureAwait(false);
        log.Info("vswitchd", "exiting");
        return 0;
    }
}
