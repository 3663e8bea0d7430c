// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.RegularExpressions;
using SharpSwitch.Testing;

namespace SharpSwitch.Switchd.Tests;

/// <summary>
/// Bad input to the daemon, compared with real OVS 3.1: an interface that cannot be opened gets its error in the
/// database and ovs-vsctl reports it, bad unixctl commands get OVS's error texts and exit codes, and the switch keeps
/// running for everything else.
/// </summary>
public sealed partial class BadInputTests
{
    [GeneratedRegex("[0-9a-f]{2}(:[0-9a-f]{2}){5}")]
    private static partial Regex MacPattern();

    private static async Task<string> Transcript(SwitchKind kind)
    {
        await using SwitchSandbox sandbox = await SwitchSandbox.StartAsync(kind);
        var text = new StringBuilder();
        void Record(string title, ProcessRunner.Result result)
        {
            string output = (result.StandardOutput + result.StandardError).Replace(sandbox.Directory, "RUNDIR", StringComparison.Ordinal);
            text.Append("### ").Append(title).Append(" rc=").Append(result.ExitCode).Append('\n').Append(MacPattern().Replace(output, "MAC"));
        }
        var env = new Dictionary<string, string> { ["OVS_RUNDIR"] = sandbox.Directory, ["OVS_LOGDIR"] = sandbox.Directory };
        ProcessRunner.Result Vsctl(params string[] args) => ProcessRunner.Run(Requirements.FindExecutable("ovs-vsctl")!, [$"--db=unix:{sandbox.DbSocket}", "--timeout=30", .. args], env);

        sandbox.Vsctl("add-br", "br0", "--", "add-bond", "br0", "bond0", "d1", "d2", "--", "set", "interface", "d1", "type=dummy", "--", "set", "interface", "d2", "type=dummy");
        Record("add-port bogus type", Vsctl("add-port", "br0", "bad0", "--", "set", "interface", "bad0", "type=bogus"));
        Record("list bad0", Vsctl("--columns=name,ofport,error", "list", "interface", "bad0"));
        Record("add-port after the bad one", Vsctl("add-port", "br0", "p0", "--", "set", "interface", "p0", "type=dummy"));
        Record("list p0", Vsctl("--columns=name,error", "list", "interface", "p0"));
        Record("del bad0", Vsctl("del-port", "bad0"));
        Record("unknown command", sandbox.Appctl("no-such-command"));
        Record("too few args", sandbox.Appctl("bond/set-active-member", "bond0"));
        Record("too many args", sandbox.Appctl("bond/show", "bond0", "extra"));
        Record("no such bond", sandbox.Appctl("bond/set-active-member", "nosuch", "d1"));
        Record("no such member", sandbox.Appctl("bond/set-active-member", "bond0", "nosuch"));
        Record("enable no such member", sandbox.Appctl("bond/enable-member", "bond0", "nosuch"));
        Record("bad mac", sandbox.Appctl("bond/hash", "zz"));
        Record("bad vlan", sandbox.Appctl("bond/hash", "02:00:00:00:00:01", "x"));
        Record("good hash", sandbox.Appctl("bond/hash", "02:00:00:00:00:01", "10"));
        Record("bad vlog module", sandbox.Appctl("vlog/set", "nosuchmodule"));
        Record("fdb/show no bridge", sandbox.Appctl("fdb/show", "nosuch"));
        Record("warp without stop", sandbox.Appctl("time/warp", "100"));
        Record("set-admin-state unknown netdev", sandbox.Appctl("netdev-dummy/set-admin-state", "nosuch", "down"));
        Record("set-admin-state bad state", sandbox.Appctl("netdev-dummy/set-admin-state", "d1", "sideways"));
        sandbox.AppctlOk("time/stop");
        sandbox.AppctlOk("netdev-dummy/set-admin-state", "d1", "down");
        sandbox.AppctlOk("netdev-dummy/set-admin-state", "d2", "down");
        sandbox.AppctlOk("time/warp", "100");
        Record("disabled member cannot be made active", sandbox.Appctl("bond/set-active-member", "bond0", "d1"));
        Record("bond/show with everything down", sandbox.Appctl("bond/show", "bond0"));
        Record("switch still answers", sandbox.Appctl("version"));
        return text.ToString();
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl", "ovs-vswitchd")]
    public async Task Bad_input_gets_the_same_errors_as_ovs_and_the_switch_keeps_running()
    {
        string ovs = await Transcript(SwitchKind.RealOvs);
        string ours = await Transcript(SwitchKind.SharpSwitch);
        Assert.Contains("could not open network device bad0", ovs, StringComparison.Ordinal);
        Assert.Equal(ovs, ours);
    }
}
