// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Testing;

namespace SharpSwitch.Bonding.Tests;

/// <summary>
/// A private real Open vSwitch 3.1 (ovsdb-server + ovs-vswitchd with dummy netdevs and a stopped clock) in a temporary
/// run directory, used as an oracle for bond behaviour. Disposing stops exactly the two daemons it started.
/// </summary>
internal sealed class OvsOracle : IDisposable
{
    private const string SchemaPath = "/usr/share/openvswitch/vswitch.ovsschema";

    private readonly string _directory;
    private readonly Dictionary<string, string> _environment;

    public OvsOracle()
    {
        _directory = Directory.CreateTempSubdirectory("sharpswitch-bond-oracle-").FullName;
        _environment = new Dictionary<string, string>
        {
            ["OVS_RUNDIR"] = _directory,
            ["OVS_DBDIR"] = _directory,
            ["OVS_LOGDIR"] = _directory,
            ["OVS_SYSCONFDIR"] = _directory,
        };
        Assert.True(File.Exists(SchemaPath), $"{SchemaPath} is missing (Debian's openvswitch-common provides it)");
        Require(Tool("ovsdb-tool"), "create", Path.Combine(_directory, "conf.db"), SchemaPath);
        OvsDaemons.StartDetached("ovsdb-server", _environment, Path.Combine(_directory, "conf.db"), $"--remote=punix:{DbSocket}",
            $"--pidfile={Path.Combine(_directory, "ovsdb-server.pid")}", $"--unixctl={Path.Combine(_directory, "ovsdb-server.ctl")}",
            $"--log-file={Path.Combine(_directory, "ovsdb-server.log")}", "--detach", "--no-chdir");
        Vsctl("--no-wait", "init");
        OvsDaemons.StartDetached("ovs-vswitchd", _environment, $"unix:{DbSocket}", $"--pidfile={Path.Combine(_directory, "ovs-vswitchd.pid")}",
            $"--unixctl={VswitchdControl}", $"--log-file={VswitchdLog}", "--detach", "--no-chdir",
            "--enable-dummy=override", "--disable-system");
    }

    private string DbSocket => Path.Combine(_directory, "db.sock");

    private string VswitchdControl => Path.Combine(_directory, "ovs-vswitchd.ctl");

    private string VswitchdLog => Path.Combine(_directory, "ovs-vswitchd.log");

    private static string Tool(string name) => OvsDaemons.Tool(name);

    public string Vsctl(params string[] arguments)
    {
        return Require(Tool("ovs-vsctl"), [$"--db=unix:{DbSocket}", "--timeout=30", .. arguments]);
    }

    /// <summary>Runs ovs-appctl against the private vswitchd; returns the exit code and the text of stdout or stderr.</summary>
    public ProcessRunner.Result Appctl(params string[] arguments) => OvsDaemons.Appctl(VswitchdControl, _environment, arguments);

    public string AppctlOk(params string[] arguments)
    {
        ProcessRunner.Result result = Appctl(arguments);
        Assert.True(result.ExitCode == 0, $"ovs-appctl {string.Join(' ', arguments)}: {result.StandardError}");
        return result.StandardOutput;
    }

    /// <summary>The messages of the module "bond" in the vswitchd log, in order.</summary>
    public List<string> BondLog() => OvsDaemons.BondLog(VswitchdLog);

    public void Dispose()
    {
        OvsDaemons.Stop("ovs-vswitchd", _directory, VswitchdControl, _environment);
        OvsDaemons.Stop("ovsdb-server", _directory, Path.Combine(_directory, "ovsdb-server.ctl"), _environment);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A daemon that is still shutting down may hold a file; the directory is in the temp area anyway.
        }
    }

    private string Require(string tool, params string[] arguments)
    {
        ProcessRunner.Result result = ProcessRunner.Run(tool, arguments, _environment, 30_000);
        Assert.True(result.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StandardError}");
        return result.StandardOutput;
    }
}
