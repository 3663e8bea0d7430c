// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Testing;

namespace SharpSwitch.Packets.Tests.Interop;

/// <summary>
/// A private instance of the real OVS 3.1 daemons (ovsdb-server and ovs-vswitchd with dummy interfaces only, so no
/// kernel datapath and no network), in its own temporary run directory. Used as an oracle for the bond hashes.
/// Dispose stops exactly the two processes it started (by the pids in their pidfiles) and removes the directory.
/// </summary>
internal sealed class OvsSandbox : IDisposable
{
    /// <summary>The schema that Debian's openvswitch-common installs; the sandbox database is created from it.</summary>
    public const string SchemaPath = "/usr/share/openvswitch/vswitch.ovsschema";

    private readonly Dictionary<string, string> _environment;

    public OvsSandbox()
    {
        // Unix socket paths are limited to 108 bytes, so keep the directory short.
        RunDirectory = Path.Combine("/tmp", "ssovs-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(RunDirectory);
        _environment = new Dictionary<string, string>
        {
            ["OVS_RUNDIR"] = RunDirectory,
            ["OVS_DBDIR"] = RunDirectory,
            ["OVS_LOGDIR"] = RunDirectory,
            ["OVS_SYSCONFDIR"] = RunDirectory,
        };
        try
        {
            Start();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string RunDirectory { get; }

    private string InRunDirectory(string name) => Path.Combine(RunDirectory, name);

    private void Start()
    {
        if (!File.Exists(SchemaPath))
        {
            throw new InvalidOperationException($"the OVS schema {SchemaPath} is missing (install Debian's openvswitch-common)");
        }
        Run("ovsdb-tool", "create", InRunDirectory("conf.db"), SchemaPath);
        Run("ovsdb-server", InRunDirectory("conf.db"), "--remote=punix:" + InRunDirectory("db.sock"), "--pidfile=" + InRunDirectory("ovsdb-server.pid"),
            "--unixctl=" + InRunDirectory("ovsdb-server.ctl"), "--log-file=" + InRunDirectory("ovsdb-server.log"), "--detach", "--no-chdir");
        Vsctl("--no-wait", "init");
        Run("ovs-vswitchd", "unix:" + InRunDirectory("db.sock"), "--pidfile=" + InRunDirectory("ovs-vswitchd.pid"), "--unixctl=" + InRunDirectory("ovs-vswitchd.ctl"),
            "--log-file=" + InRunDirectory("ovs-vswitchd.log"), "--detach", "--no-chdir", "--enable-dummy=override", "--disable-system");
    }

    /// <summary>Runs ovs-vsctl against the sandbox database and returns its standard output.</summary>
    public string Vsctl(params string[] arguments) => Run("ovs-vsctl", ["--db=unix:" + InRunDirectory("db.sock"), "--timeout=20", .. arguments]);

    /// <summary>Runs ovs-appctl against the sandbox ovs-vswitchd and returns its standard output.</summary>
    public string Appctl(params string[] arguments) => Run("ovs-appctl", ["-t", InRunDirectory("ovs-vswitchd.ctl"), .. arguments]);

    /// <summary>Runs ovs-ofctl (OpenFlow 1.5) against a sandbox bridge.</summary>
    public string Ofctl(string command, string bridge, params string[] arguments) =>
        Run("ovs-ofctl", ["-O", "OpenFlow15", command, "unix:" + InRunDirectory(bridge + ".mgmt"), .. arguments]);

    private string Run(string tool, params string[] arguments)
    {
        string executable = Requirements.FindExecutable(tool) ?? throw new InvalidOperationException(tool + " is not installed");
        ProcessRunner.Result result = ProcessRunner.Run(executable, arguments, _environment, timeoutMs: 30_000);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited {result.ExitCode}: {result.StandardError}");
        }
        return result.StandardOutput;
    }

    public void Dispose()
    {
        StopDaemon("ovs-vswitchd");
        StopDaemon("ovsdb-server");
        try
        {
            Directory.Delete(RunDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A daemon that is still closing its log can race the delete; the directory is in /tmp and harmless.
        }
    }

    private void StopDaemon(string name)
    {
        string pidFile = InRunDirectory(name + ".pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid))
        {
            return;
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(10_000);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
            // Exited between the lookup and the kill.
        }
    }
}
