// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Switchd.Logging;
using SharpSwitch.Switchd.Unixctl;
using SharpSwitch.Testing;

namespace SharpSwitch.Switchd.Tests;

/// <summary>Which switch daemon a sandbox runs against its database.</summary>
public enum SwitchKind
{
    /// <summary>Real ovs-vswitchd 3.1 with dummy interfaces (<c>--enable-dummy=override</c>).</summary>
    RealOvs,

    /// <summary>SharpSwitch's daemon, in this process, with the same options.</summary>
    SharpSwitch,
}

/// <summary>Which database server a sandbox runs.</summary>
public enum DatabaseKind
{
    /// <summary>Real ovsdb-server 3.1 on a database made by ovsdb-tool from OVS's schema.</summary>
    RealOvs,

    /// <summary><c>vsw ovsdb-server</c> as a separate process, on a database it creates from SharpSwitch's own schema.</summary>
    SharpSwitch,
}

/// <summary>
/// A private run directory with a real ovsdb-server and one switch daemon, driven only through the real
/// ovs-vsctl and ovs-appctl, so that the same script can run against real OVS and against SharpSwitch.
/// Real OVS with <c>--enable-dummy=override</c> opens every interface type as a dummy, so nothing touches the host's
/// network; disposing stops exactly the daemons started here.
/// </summary>
public sealed class SwitchSandbox : IAsyncDisposable
{
    private const string OvsSchema = "/usr/share/openvswitch/vswitch.ovsschema";

    private readonly Dictionary<string, string> _environment;
    private SwitchDaemon? _daemon;
    private UnixctlServer? _control;
    private Task? _daemonTask;
    private Vlog? _log;

    private SwitchSandbox(SwitchKind kind)
    {
        Kind = kind;
        Directory = System.IO.Directory.CreateTempSubdirectory("sharpswitch-sandbox-").FullName;
        _environment = new Dictionary<string, string>
        {
            ["OVS_RUNDIR"] = Directory,
            ["OVS_DBDIR"] = Directory,
            ["OVS_LOGDIR"] = Directory,
            ["OVS_SYSCONFDIR"] = Directory,
        };
    }

    public SwitchKind Kind { get; }

    public string Directory { get; }

    public string DbSocket => Path.Combine(Directory, "db.sock");

    public string VswitchdControl => Path.Combine(Directory, "ovs-vswitchd.ctl");

    public string VswitchdLog => Path.Combine(Directory, "ovs-vswitchd.log");

    /// <summary>SharpSwitch's in-process daemon (null when the sandbox runs real OVS), for tests that look inside it.</summary>
    public SwitchDaemon? Daemon => _daemon;

    /// <summary>SharpSwitch's log (null for real OVS), so tests can route more of the daemon's messages into the log file.</summary>
    internal Vlog? DaemonLog => _log;

    /// <summary>Starts ovsdb-server on a fresh database and then the chosen switch.</summary>
    public static async Task<SwitchSandbox> StartAsync(SwitchKind kind, DatabaseKind database = DatabaseKind.RealOvs)
    {
        var sandbox = new SwitchSandbox(kind);
        string db = Path.Combine(sandbox.Directory, "conf.db");
        if (database == DatabaseKind.RealOvs)
        {
            sandbox.Require("ovsdb-tool", "create", db, OvsSchema);
            OvsDaemons.StartDetached("ovsdb-server", sandbox._environment, db, $"--remote=punix:{sandbox.DbSocket}",
                $"--pidfile={Path.Combine(sandbox.Directory, "ovsdb-server.pid")}", $"--unixctl={Path.Combine(sandbox.Directory, "ovsdb-server.ctl")}",
                $"--log-file={Path.Combine(sandbox.Directory, "ovsdb-server.log")}", "--detach", "--no-chdir");
        }
        else
        {
            sandbox.StartOurDatabaseServer(db);
        }
        sandbox.Vsctl("--no-wait", "init");
        if (kind == SwitchKind.RealOvs)
        {
            OvsDaemons.StartDetached("ovs-vswitchd", sandbox._environment, $"unix:{sandbox.DbSocket}", $"--pidfile={Path.Combine(sandbox.Directory, "ovs-vswitchd.pid")}",
                $"--unixctl={sandbox.VswitchdControl}", $"--log-file={sandbox.VswitchdLog}", "--detach", "--no-chdir",
                "--enable-dummy=override", "--disable-system");
        }
        else
        {
            sandbox._log = new Vlog(() => DateTimeOffset.UtcNow, TextWriter.Null);
            sandbox._log.OpenFile(sandbox.VswitchdLog);
            sandbox._daemon = new SwitchDaemon(new SwitchDaemonOptions
            {
                Remote = $"unix:{sandbox.DbSocket}",
                EnableDummy = true,
                DummyOverridesSystem = true,
            }, sandbox._log);
            sandbox._control = UnixctlServer.Start(sandbox.VswitchdControl, sandbox._daemon.Commands, handler => sandbox._daemon.InvokeAsync(handler));
            sandbox._daemonTask = Task.Run(() => sandbox._daemon.RunAsync());
            Task ready = await Task.WhenAny(sandbox._daemon.Ready, sandbox._daemonTask, Task.Delay(TimeSpan.FromSeconds(30)));
            if (ready != sandbox._daemon.Ready)
            {
                await sandbox._daemonTask.WaitAsync(TimeSpan.FromSeconds(1));
                throw new TimeoutException("SharpSwitch vswitchd did not become ready");
            }
        }
        return sandbox;
    }

    private System.Diagnostics.Process? _ourDatabaseServer;

    private void StartOurDatabaseServer(string db)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "vsw.dll"), "ovsdb-server", db, $"--remote=punix:{DbSocket}",
            $"--unixctl={Path.Combine(Directory, "ovsdb-server.ctl")}", $"--log-file={Path.Combine(Directory, "ovsdb-server.log")}" })
        {
            start.ArgumentList.Add(arg);
        }
        _ourDatabaseServer = System.Diagnostics.Process.Start(start)!;
        _ourDatabaseServer.OutputDataReceived += (_, _) => { };
        _ourDatabaseServer.ErrorDataReceived += (_, _) => { };
        _ourDatabaseServer.BeginOutputReadLine();
        _ourDatabaseServer.BeginErrorReadLine();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(DbSocket))
        {
            Assert.False(_ourDatabaseServer.HasExited, "vsw ovsdb-server exited at start");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "vsw ovsdb-server did not create its socket");
            Thread.Sleep(50);
        }
    }

    private static string Tool(string name) => OvsDaemons.Tool(name);

    /// <summary>Runs real ovs-vsctl (without --no-wait unless given, so it waits for the switch's cur_cfg).</summary>
    public string Vsctl(params string[] arguments) => Require("ovs-vsctl", [$"--db=unix:{DbSocket}", "--timeout=30", .. arguments]);

    /// <summary>Runs real ovs-appctl against the switch; returns exit code and output.</summary>
    public ProcessRunner.Result Appctl(params string[] arguments) => OvsDaemons.Appctl(VswitchdControl, _environment, arguments);

    /// <summary>Runs ovs-appctl and requires success.</summary>
    public string AppctlOk(params string[] arguments)
    {
        ProcessRunner.Result result = Appctl(arguments);
        Assert.True(result.ExitCode == 0, $"{Kind}: ovs-appctl {string.Join(' ', arguments)}: {result.StandardError}");
        return result.StandardOutput;
    }

    /// <summary>The bond module's log messages, in order.</summary>
    public List<string> BondLog() => OvsDaemons.BondLog(VswitchdLog);

    private string Require(string tool, params string[] arguments)
    {
        ProcessRunner.Result result = ProcessRunner.Run(Tool(tool), arguments, _environment, 60_000);
        Assert.True(result.ExitCode == 0, $"{Kind}: {tool} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StandardError}");
        return result.StandardOutput;
    }

    public async ValueTask DisposeAsync()
    {
        if (_daemon is not null)
        {
            _daemon.RequestExit();
            if (_daemonTask is not null)
            {
                await Task.WhenAny(_daemonTask, Task.Delay(TimeSpan.FromSeconds(10)));
            }
            await _daemon.DisposeAsync();
        }
        if (_control is not null)
        {
            await _control.DisposeAsync();
        }
        _log?.Dispose();
        OvsDaemons.Stop("ovs-vswitchd", Directory, VswitchdControl, _environment);
        OvsDaemons.Stop("ovsdb-server", Directory, Path.Combine(Directory, "ovsdb-server.ctl"), _environment);
        if (_ourDatabaseServer is not null)
        {
            if (!_ourDatabaseServer.HasExited)
            {
                _ourDatabaseServer.Kill();
                _ourDatabaseServer.WaitForExit(5000);
            }
            _ourDatabaseServer.Dispose();
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A daemon that is still shutting down may hold a file; the directory is in the temp area anyway.
        }
    }
}
