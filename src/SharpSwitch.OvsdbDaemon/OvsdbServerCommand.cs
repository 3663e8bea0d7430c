// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Runtime.InteropServices;
using SharpSwitch.Ovsdb;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Server;
using SharpSwitch.Ovsdb.Storage;
using SharpSwitch.Switchd.Unixctl;

namespace SharpSwitch.OvsdbDaemon;

/// <summary>
/// <c>vsw-ovsdb-server</c> (also run as <c>vsw ovsdb-server</c>): serves one database file over the OVSDB protocol
/// until SIGTERM, SIGINT or <c>ovs-appctl exit</c>, with an OVS-style pidfile and control socket.
/// </summary>
public static class OvsdbServerCommand
{
    private const string Version = "ovsdb-server (Open vSwitch) 3.1.0";

    /// <summary>Runs the server with ovsdb-server's command line and returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        UseOneSocketEventLoop();
        (OvsdbServerOptions? options, string? error) = OvsdbServerOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("vsw ovsdb-server: " + error);
            return 1;
        }
        if (options.ShowHelp)
        {
            Console.WriteLine(OvsdbServerOptions.Usage);
            return 0;
        }
        if (options.ShowVersion)
        {
            Console.WriteLine(Version);
            return 0;
        }
        using var log = new ServerLog(options.LogFilePath);
        try
        {
            return Serve(options, log);
        }
        catch (Exception e) when (e is OvsdbException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            log.Write("ERR", e.Message);
            Console.Error.WriteLine("vsw ovsdb-server: " + e.Message);
            return 1;
        }
    }

    /// <summary>
    /// The runtime variables that make socket continuations run on the socket event thread instead of hopping to
    /// thread-pool threads, and make that one thread. They are read once, when the first socket is made, so they are
    /// set here, before any.
    /// </summary>
    internal static readonly (string Name, string Value)[] SocketEventLoopVariables =
    [
        ("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1"),
        ("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", "1"),
    ];

    /// <summary>
    /// Runs every request on one socket event thread, as ovsdb-server runs everything in its one poll loop (the
    /// engine is serialized by one lock anyway). Beyond saving a thread hop per message, this keeps the runtime's
    /// shared array pool, which parsing a request's JSON rents its token table from, to one cached table of each
    /// size: spread over thread-pool threads, every thread kept its own copy (a 320 KB request has a 512 KB table),
    /// 3.5 MB of RSS more after 1000 add-ports. An operator's own setting of a variable wins.
    /// </summary>
    internal static void UseOneSocketEventLoop()
    {
        foreach ((string name, string value) in SocketEventLoopVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is null)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    private static int Serve(OvsdbServerOptions options, ServerLog log)
    {
        string dbPath = options.DatabasePath!;
        if (!File.Exists(dbPath))
        {
            DatabaseSchema schema = options.SchemaPath is null ? VswitchSchema.Load() : DatabaseSchema.Parse(File.ReadAllText(options.SchemaPath));
            DatabaseFile.Create(dbPath, schema);
            log.Write("INFO", $"{dbPath}: created new database from schema {schema.Name} {schema.Version}");
        }
        foreach (string remote in options.IgnoredRemotes)
        {
            log.Write("WARN", $"--remote={remote}: remotes read from the database are not supported; ignoring");
        }
        using DatabaseFile file = DatabaseFile.Open(dbPath, log: message => log.Write("WARN", message), takeLock: true);
        using Pidfile? pidfile = options.PidfilePath is null ? null : Pidfile.Create(options.PidfilePath);
        var engine = new OvsdbServerEngine([new ServedDatabase(file)], message => log.Write("INFO", message));
        using var stop = new ManualResetEventSlim();
        // The daemon gives memory back after bursts of requests and, when ovsdb-server/memory-trim-on-compaction is
        // switched on, after each compaction (MemoryTrimPolicy says why each rule exists). Only this standalone daemon
        // does: in vsw start and the lab the server shares its process with the switch, whose threads a full
        // collection would stop.
        var trimPolicy = new MemoryTrimPolicy(MemoryTrimPolicy.DefaultIdleDelay, allocatedBytesNow: GC.GetTotalAllocatedBytes());
        SharpSwitch.Ovsdb.Server.OvsdbServer server = SharpSwitch.Ovsdb.Server.OvsdbServer.Start(engine, options.Remotes,
            log: message => log.Write("INFO", message), trimPolicy: trimPolicy);
        try
        {
            var commands = new UnixctlCommandTable(Version);
            commands.RegisterAll(ControlCommands(server, options, stop, log));
            string controlPath = options.UnixctlPath ?? RunDirectory.ControlSocketPath("ovsdb-server", Environment.ProcessId);
            UnixctlServer control = UnixctlServer.Start(controlPath, commands);
            try
            {
                using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Set(); });
                using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Set(); });
                log.Write("INFO", $"serving {file.Schema.Name} from {dbPath} on {string.Join(", ", options.Remotes.Select(r => r.Text))}");
                stop.Wait();
                log.Write("INFO", "exiting");
            }
            finally
            {
                control.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }

    /// <summary>
    /// <c>memory/show</c>: OVS's counters (<c>atoms</c>, <c>cells</c>, <c>monitors</c>, <c>n-weak-refs</c>, <c>sessions</c>) on one line, as
    /// OVS prints them, followed by the garbage collector's view of the process on a second line, which OVS does not
    /// have: the managed heap after the last collection (in total and per generation), the memory the collector has committed, the number of
    /// collections and whether the server runs the workstation or server collector.
    /// </summary>
    internal static string MemoryShow(OvsdbServerEngine engine)
    {
        string counters = string.Join(" ", engine.MemoryReport().Select(p => $"{p.Key}:{p.Value}"));
        GCMemoryInfo info = GC.GetGCMemoryInfo(GCKind.Any);
        string gc = string.Join(" ",
            $"gc-heap-kB:{info.HeapSizeBytes / 1024}",
            $"gc-committed-kB:{info.TotalCommittedBytes / 1024}",
            $"gc-fragmented-kB:{info.FragmentedBytes / 1024}",
            $"gc-gen0-kB:{info.GenerationInfo[0].SizeAfterBytes / 1024}",
            $"gc-gen1-kB:{info.GenerationInfo[1].SizeAfterBytes / 1024}",
            $"gc-gen2-kB:{info.GenerationInfo[2].SizeAfterBytes / 1024}",
            $"gc-loh-kB:{info.GenerationInfo[3].SizeAfterBytes / 1024}",
            $"gc-poh-kB:{info.GenerationInfo[4].SizeAfterBytes / 1024}",
            $"gc-collections:{GC.CollectionCount(0)}",
            $"gc-mode:{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}",
            $"gc-conserve:{AppContext.GetData("System.GC.ConserveMemory") ?? "0"}");
        return counters + "\n" + gc;
    }

    /// <summary>The ovs-appctl commands of our ovsdb-server, as data.</summary>
    private static IEnumerable<UnixctlCommand> ControlCommands(SharpSwitch.Ovsdb.Server.OvsdbServer server, OvsdbServerOptions options, ManualResetEventSlim stop, ServerLog log)
    {
        // As in OVS 3.1: an empty reply, a log line saying what is now in force, "invalid argument" for anything else.
        yield return new UnixctlCommand("ovsdb-server/memory-trim-on-compaction", "on|off", 1, 1, args => server.Invoke(_ =>
        {
            bool? on = args[0] switch
            {
                "on" => true,
                "off" => false,
                _ => null,
            };
            if (on is not { } enabled || server.TrimPolicy is not { } policy)
            {
                return UnixctlResult.Error("invalid argument");
            }
            policy.TrimOnCompaction = enabled;
            log.Write("INFO", $"memory trimming after compaction {(enabled ? "enabled" : "disabled")}.");
            return UnixctlResult.Ok("");
        }));
        yield return new UnixctlCommand("exit", "", 0, 1, _ => UnixctlResult.Ok("") with { AfterReply = stop.Set });
        yield return new UnixctlCommand("ovsdb-server/compact", "", 0, 1, args => server.Invoke(engine =>
        {
            if (args.Count == 1 && !engine.Databases.ContainsKey(args[0]))
            {
                return UnixctlResult.Error("no database by that name");
            }
            try
            {
                engine.Compact(args.Count == 1 ? args[0] : null);
                return UnixctlResult.Ok("");
            }
            catch (IOException e)
            {
                return UnixctlResult.Error("compaction failed: " + e.Message);
            }
        }));
        yield return new UnixctlCommand("memory/show", "", 0, 0, _ => server.Invoke(engine => UnixctlResult.Ok(MemoryShow(engine))));
        yield return new UnixctlCommand("ovsdb-server/list-dbs", "", 0, 0, _ => server.Invoke(engine =>
            UnixctlResult.Ok(string.Concat(engine.Databases.Keys.Order(StringComparer.Ordinal).Select(n => n + "\n")))));
        yield return new UnixctlCommand("ovsdb-server/list-remotes", "", 0, 0, _ =>
            UnixctlResult.Ok(string.Concat(options.Remotes.Select(r => r.Text).Concat(options.IgnoredRemotes).Order(StringComparer.Ordinal).Select(r => r + "\n"))));
        yield return new UnixctlCommand("ovsdb-server/get-db-storage-status", "DB", 1, 1, args => server.Invoke(engine =>
            engine.Databases.ContainsKey(args[0]) ? UnixctlResult.Ok("status: ok") : UnixctlResult.Error("no database by that name")));
    }
}
