// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using SharpSwitch.Ovsdb.Storage;
using SharpSwitch.Ovsdb.Tests.Storage;
using SharpSwitch.Testing;

namespace SharpSwitch.Ovsdb.Tests.Interop;

/// <summary>
/// The <c>vsw ovsdb-server</c> process as OVS tools see it: it creates its database from our schema, ovs-appctl finds
/// it through the locked pidfile, and its control commands (version, list-dbs, compact, memory-trim-on-compaction,
/// exit) answer like OVS's.
/// </summary>
public sealed class VswOvsdbServerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vsw-ovsdb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, string> Environment => new() { ["OVS_RUNDIR"] = _dir, ["OVS_DBDIR"] = _dir, ["OVS_LOGDIR"] = _dir };

    private ProcessRunner.Result Appctl(params string[] args) =>
        ProcessRunner.Run(Requirements.FindExecutable("ovs-appctl")!, ["-t", "ovsdb-server", .. args], Environment);

    [RequiresToolsFact("ovsdb-server")]
    public void Version_option_prints_what_ovsdb_server_prints()
    {
        ProcessRunner.Result real = ProcessRunner.Run(Requirements.FindExecutable("ovsdb-server")!, ["--version"]);
        Assert.Equal(0, real.ExitCode);
        foreach (string option in new[] { "--version", "-V" })
        {
            ProcessRunner.Result ours = ProcessRunner.Run("dotnet", [CrashTests.VswDll(), "ovsdb-server", option]);
            Assert.Equal(0, ours.ExitCode);
            Assert.Equal(real.StandardOutput, ours.StandardOutput);
        }
    }

    [RequiresToolsFact("ovs-appctl", "ovs-vsctl", "ovsdb-tool")]
    public void Ovs_appctl_finds_and_controls_our_server_through_its_pidfile()
    {
        string db = Path.Combine(_dir, "conf.db");
        string socket = Path.Combine(_dir, "db.sock");
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { CrashTests.VswDll(), "ovsdb-server", db, "--remote=punix:" + socket, "--remote=db:Open_vSwitch,Open_vSwitch,manager_options", "--pidfile", "--log-file" })
        {
            psi.ArgumentList.Add(arg);
        }
        foreach ((string key, string value) in Environment)
        {
            psi.Environment[key] = value;
        }
        using Process server = Process.Start(psi)!;
        try
        {
            // An external process: poll for its control socket with a deadline.
            DateTime deadline = DateTime.UtcNow.AddSeconds(60);
            while (!File.Exists(Path.Combine(_dir, $"ovsdb-server.{server.Id}.ctl")) || !File.Exists(socket))
            {
                Assert.False(server.HasExited, "server exited early");
                Assert.True(DateTime.UtcNow < deadline, "server did not start");
                Thread.Sleep(20);
            }
            Assert.Equal(server.Id + "\n", File.ReadAllText(Path.Combine(_dir, "ovsdb-server.pid")));
            ProcessRunner.Result version = Appctl("version");
            Assert.Equal(0, version.ExitCode);
            Assert.Equal("ovsdb-server (Open vSwitch) 3.1.0\n", version.StandardOutput);
            Assert.Equal("Open_vSwitch\n_Server\n", Appctl("ovsdb-server/list-dbs").StandardOutput);
            Assert.Contains("db:Open_vSwitch,Open_vSwitch,manager_options", Appctl("ovsdb-server/list-remotes").StandardOutput);
            // OVS 3.1's replies: nothing on success, "invalid argument" for anything but on or off.
            ProcessRunner.Result trimBad = Appctl("ovsdb-server/memory-trim-on-compaction", "maybe");
            Assert.Equal(2, trimBad.ExitCode);
            Assert.StartsWith("invalid argument\n", trimBad.StandardError);
            ProcessRunner.Result trimOn = Appctl("ovsdb-server/memory-trim-on-compaction", "on");
            Assert.Equal(0, trimOn.ExitCode);
            Assert.Equal("", trimOn.StandardOutput);
            foreach (string command in new[] { "init", "add-br br0", "add-port br0 p1", "set bridge br0 external_ids:a=b" })
            {
                ProcessRunner.Result vsctl = ProcessRunner.Run(Requirements.FindExecutable("ovs-vsctl")!, ["--db=unix:" + socket, "--no-wait", "--timeout=30", .. command.Split(' ')], Environment);
                Assert.True(vsctl.ExitCode == 0, vsctl.StandardError);
            }
            // One socket event thread serves every connection, as ovsdb-server's one poll loop does: the server asks
            // the runtime for it before its first socket (the default here would be one per core).
            string[] threads = [.. System.IO.Directory.GetDirectories($"/proc/{server.Id}/task").Select(task => File.ReadAllText(Path.Combine(task, "comm")).Trim())];
            Assert.Equal(1, threads.Count(name => name == ".NET Sockets"));
            ProcessRunner.Result compact = Appctl("ovsdb-server/compact");
            Assert.Equal(0, compact.ExitCode);
            Assert.Equal("", compact.StandardOutput);
            string serverLog = File.ReadAllText(Path.Combine(_dir, "ovsdb-server.log"));
            Assert.Contains("|ovsdb_server|INFO|memory trimming after compaction enabled.", serverLog);
            Assert.Contains("|ovsdb_server|INFO|memory trimmed (after compaction): managed heap ", serverLog);
            ProcessRunner.Result bad = Appctl("ovsdb-server/compact", "NoSuchDb");
            Assert.Equal(2, bad.ExitCode);
            Assert.StartsWith("no database by that name\n", bad.StandardError);
            ProcessRunner.Result log = ProcessRunner.Run(Requirements.FindExecutable("ovsdb-tool")!, ["show-log", db]);
            Assert.Contains("record 1:", log.StandardOutput);
            Assert.DoesNotContain("record 2:", log.StandardOutput);
            Assert.Contains("compacting database online", log.StandardOutput);
            Assert.Equal(0, Appctl("exit").ExitCode);
            Assert.True(server.WaitForExit(30_000), "server did not exit after ovs-appctl exit");
            Assert.Equal(0, server.ExitCode);
            Assert.False(File.Exists(Path.Combine(_dir, "ovsdb-server.pid")));
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }
        }
        using DatabaseFile file = DatabaseFile.Open(db);
        Assert.Equal("{a=b}", file.Database.Rows("Bridge").Values.Single().Get("external_ids").ToOvsString());
    }
}
