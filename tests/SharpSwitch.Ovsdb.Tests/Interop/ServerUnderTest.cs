// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Text.RegularExpressions;
using SharpSwitch.JsonRpc;
using SharpSwitch.Ovsdb.Server;
using SharpSwitch.Ovsdb.Storage;
using SharpSwitch.Ovsdb.Tests.Schema;
using SharpSwitch.Testing;

namespace SharpSwitch.Ovsdb.Tests.Interop;

/// <summary>
/// An OVSDB server on a unix socket in its own temporary directory: either the real ovsdb-server (over a database
/// made by the real ovsdb-tool from the installed schema) or ours (in-process, over our schema).
/// </summary>
internal sealed partial class ServerUnderTest : IAsyncDisposable
{
    private readonly Process? _realServer;
    private readonly OvsdbServer? _ourServer;
    private readonly DatabaseFile? _ourFile;

    private ServerUnderTest(string directory, Process? realServer, OvsdbServer? ourServer, DatabaseFile? ourFile)
    {
        Directory = directory;
        _realServer = realServer;
        _ourServer = ourServer;
        _ourFile = ourFile;
    }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "db.sock");

    public string Remote => "unix:" + SocketPath;

    public string DatabasePath => Path.Combine(Directory, "conf.db");

    public static ServerUnderTest StartReal(string? existingDatabase = null)
    {
        string dir = System.IO.Directory.CreateTempSubdirectory("ovsdb-real-").FullName;
        string db = Path.Combine(dir, "conf.db");
        if (existingDatabase is not null)
        {
            File.Copy(existingDatabase, db);
        }
        else
        {
            ProcessRunner.Result create = ProcessRunner.Run(Requirements.FindExecutable("ovsdb-tool")!, ["create", db, SchemaTests.InstalledOvsSchema]);
            Assert.True(create.ExitCode == 0, create.StandardError);
        }
        var psi = new ProcessStartInfo(Requirements.FindExecutable("ovsdb-server")!)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { db, "--remote=punix:" + Path.Combine(dir, "db.sock"), "--unixctl=" + Path.Combine(dir, "ovsdb-server.ctl"), "--no-chdir", "--log-file=" + Path.Combine(dir, "ovsdb-server.log") })
        {
            psi.ArgumentList.Add(arg);
        }
        psi.Environment["OVS_RUNDIR"] = dir;
        psi.Environment["OVS_DBDIR"] = dir;
        psi.Environment["OVS_LOGDIR"] = dir;
        Process process = Process.Start(psi)!;
        var server = new ServerUnderTest(dir, process, null, null);
        server.WaitForSocket();
        return server;
    }

    public static ServerUnderTest StartOurs(string? existingDatabase = null)
    {
        string dir = System.IO.Directory.CreateTempSubdirectory("ovsdb-ours-").FullName;
        string db = Path.Combine(dir, "conf.db");
        if (existingDatabase is not null)
        {
            File.Copy(existingDatabase, db);
        }
        else
        {
            DatabaseFile.Create(db, VswitchSchemaTests.Ours());
        }
        DatabaseFile file = DatabaseFile.Open(db);
        var engine = new OvsdbServerEngine([new ServedDatabase(file)]);
        OvsdbServer server = OvsdbServer.Start(engine, [JsonRpcAddress.Parse("punix:" + Path.Combine(dir, "db.sock"))]);
        var result = new ServerUnderTest(dir, null, server, file);
        result.WaitForSocket();
        return result;
    }

    private void WaitForSocket()
    {
        // Interop with an external process: poll for its socket with a deadline.
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(SocketPath))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("server socket did not appear: " + SocketPath);
            }
            Thread.Sleep(20);
        }
    }

    public Dictionary<string, string> Environment => new()
    {
        ["OVS_RUNDIR"] = Directory,
        ["OVS_DBDIR"] = Directory,
        ["OVS_LOGDIR"] = Directory,
    };

    /// <summary>Runs ovs-vsctl --no-wait against this server and returns "rc, stdout, stderr" as one text.</summary>
    public string Vsctl(string command)
    {
        var args = new List<string> { "--db=" + Remote, "--no-wait", "--timeout=30" };
        args.AddRange(SplitArguments(command));
        ProcessRunner.Result result = ProcessRunner.Run(Requirements.FindExecutable("ovs-vsctl")!, args, Environment);
        return $"$ ovs-vsctl {command}\nrc={result.ExitCode}\n{result.StandardOutput}{StripLogPrefixes(result.StandardError)}";
    }

    public ProcessRunner.Result Run(string tool, IEnumerable<string> args, int timeoutMs = 60_000) =>
        ProcessRunner.Run(Requirements.FindExecutable(tool)!, args, Environment, timeoutMs);

    private static IEnumerable<string> SplitArguments(string command) =>
        ArgumentPattern().Matches(command).Select(m => m.Value.Trim('\''));

    [GeneratedRegex(@"'[^']*'|\S+")]
    private static partial Regex ArgumentPattern();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT[\d:.]+Z\|\d+\|", RegexOptions.Multiline)]
    private static partial Regex LogPrefix();

    private static string StripLogPrefixes(string text) => LogPrefix().Replace(text, "");

    public async ValueTask DisposeAsync()
    {
        if (_realServer is not null)
        {
            try
            {
                _realServer.Kill(entireProcessTree: true);
                _realServer.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
            _realServer.Dispose();
        }
        if (_ourServer is not null)
        {
            await _ourServer.DisposeAsync();
        }
        _ourFile?.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
