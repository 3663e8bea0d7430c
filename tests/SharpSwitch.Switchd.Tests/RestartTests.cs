// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using SharpSwitch.Testing;

namespace SharpSwitch.Switchd.Tests;

/// <summary>
/// Killing <c>vsw vswitchd</c> with SIGKILL in the middle of operation and starting it again: the configuration is
/// applied again from the database, counters start again from zero, and each bond comes back with the active member it
/// had (the behaviour OVS only got in 3.5; 3.1 picks at random).
/// </summary>
public sealed class RestartTests : IDisposable
{
    private const string OvsSchema = "/usr/share/openvswitch/vswitch.ovsschema";
    private readonly string _directory = Directory.CreateTempSubdirectory("sharpswitch-restart-").FullName;
    private readonly Dictionary<string, string> _environment;
    private Process? _daemon;

    public RestartTests()
    {
        _environment = new Dictionary<string, string> { ["OVS_RUNDIR"] = _directory, ["OVS_LOGDIR"] = _directory, ["OVS_DBDIR"] = _directory };
    }

    private string Control => Path.Combine(_directory, "ovs-vswitchd.ctl");

    private static string Tool(string name) => Requirements.FindExecutable(name) ?? throw new InvalidOperationException(name + " not found");

    private string Run(string tool, params string[] args)
    {
        ProcessRunner.Result result = ProcessRunner.Run(Tool(tool), args, _environment, 60_000);
        Assert.True(result.ExitCode == 0, $"{tool} {string.Join(' ', args)}: {result.StandardError}");
        return result.StandardOutput;
    }

    private string Vsctl(params string[] args) => Run("ovs-vsctl", [$"--db=unix:{_directory}/db.sock", "--timeout=30", .. args]);

    private ProcessRunner.Result Appctl(params string[] args) => ProcessRunner.Run(Tool("ovs-appctl"), ["-t", Control, .. args], _environment, 30_000);

    private void StartDaemon()
    {
        string vsw = Path.Combine(AppContext.BaseDirectory, "vsw.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { vsw, "vswitchd", $"unix:{_directory}/db.sock", $"--pidfile={_directory}/ovs-vswitchd.pid",
            $"--unixctl={Control}", $"--log-file={_directory}/ovs-vswitchd.log", "--enable-dummy=override", "-vconsole:off" })
        {
            start.ArgumentList.Add(arg);
        }
        _daemon = Process.Start(start)!;
        _daemon.OutputDataReceived += (_, _) => { };
        _daemon.ErrorDataReceived += (_, _) => { };
        _daemon.BeginOutputReadLine();
        _daemon.BeginErrorReadLine();
        Eventually(() => Appctl("version").ExitCode == 0, "the daemon's control socket answers");
    }

    /// <summary>Polls an external process's observable state with a deadline (this is not a timer under test).</summary>
    private static void Eventually(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "timed out waiting until " + what);
            Thread.Sleep(50);
        }
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")]
    public void Kill_minus_9_then_restart_reapplies_config_and_keeps_the_active_member()
    {
        Run("ovsdb-tool", "create", $"{_directory}/conf.db", OvsSchema);
        Run("sh", "-c", "exec \"$0\" \"$@\" >/dev/null 2>&1", Tool("ovsdb-server"), $"{_directory}/conf.db", $"--remote=punix:{_directory}/db.sock",
            $"--pidfile={_directory}/ovsdb-server.pid", $"--unixctl={_directory}/ovsdb-server.ctl", "--detach", "--no-chdir");
        Vsctl("--no-wait", "init");
        StartDaemon();

        Vsctl("add-br", "br0", "--", "add-bond", "br0", "bond0", "eno1", "eno2", "--", "add-port", "br0", "p1");
        Assert.Equal("done\n", Appctl("bond/set-active-member", "bond0", "eno2").StandardOutput);
        string eno2Mac = Vsctl("get", "interface", "eno2", "mac_in_use").Trim();
        Eventually(() => Vsctl("get", "port", "bond0", "bond_active_slave").Trim() == eno2Mac, "bond_active_slave records eno2");

        // Traffic so that the counters are not zero before the crash: a broadcast from p1 floods out of eno2.
        // An ARP request for 10.0.0.2 from 02:00:00:00:00:01 (10.0.0.1), padded to the Ethernet minimum.
        const string ArpRequest = "ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002" + "000000000000000000000000000000000000";
        Assert.Equal(0, Appctl("netdev-dummy/receive", "p1", ArpRequest).ExitCode);
        Eventually(() => Vsctl("get", "interface", "eno2", "statistics:tx_packets").Trim() == "1", "eno2's tx_packets reaches the database");

        _daemon!.Kill();
        _daemon.WaitForExit();
        StartDaemon();

        string show = Appctl("bond/show", "bond0").StandardOutput;
        Assert.Contains("(eno2)", show.Split('\n').Single(l => l.StartsWith("active member mac:", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("p1", Appctl("dpif/show").StandardOutput, StringComparison.Ordinal);
        Eventually(() => Vsctl("get", "interface", "eno2", "statistics:tx_packets").Trim() == "0", "the restarted daemon's fresh counters reach the database");
        // A change after the restart is applied and acknowledged (cur_cfg), so the daemon really owns the database again.
        Vsctl("add-port", "br0", "p2");
        Assert.Contains("p2", Appctl("dpif/show").StandardOutput, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (_daemon is { HasExited: false })
        {
            _daemon.Kill();
            _daemon.WaitForExit(5000);
        }
        _daemon?.Dispose();
        string pidfile = Path.Combine(_directory, "ovsdb-server.pid");
        if (File.Exists(pidfile) && int.TryParse(File.ReadAllText(pidfile).Trim(), out int pid))
        {
            try
            {
                using Process server = Process.GetProcessById(pid);
                server.Kill();
                server.WaitForExit(5000);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort in the temp area.
        }
    }
}
