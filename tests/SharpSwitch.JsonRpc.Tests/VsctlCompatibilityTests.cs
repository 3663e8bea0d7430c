// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using SharpSwitch.Cli.Vsctl;
using SharpSwitch.Testing;
using Xunit.Abstractions;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary>
/// Runs the same ovs-vsctl command lines through the real ovs-vsctl and through <c>vsw vsctl</c>, each against its
/// own fresh ovsdb-server, and compares what they print and their exit codes. Commands that only read are also run
/// by both tools against the same database, where even uuids and row order must match byte for byte.
/// </summary>
public sealed partial class VsctlCompatibilityTests(ITestOutputHelper output)
{
    /// <summary>One step: the arguments, and whether it only reads (so both tools can share one database).</summary>
    private sealed record Step(bool ReadOnly, params string[] Args);

    private static Step W(params string[] args) => new(false, args);

    private static Step R(params string[] args) => new(true, args);

    private static readonly Step[] s_script =
    [
        W("init"),
        W("add-br", "br0"),
        W("add-br", "br0"),
        W("--may-exist", "add-br", "br0"),
        W("set", "bridge", "br0", "datapath_type=netdev"),
        W("add-port", "br0", "p1", "tag=10", "--", "set", "interface", "p1", "type=dummy"),
        W("add-port", "br0", "vlan20", "tag=20", "--", "set", "interface", "vlan20", "type=internal"),
        W("add-port", "br0", "p1"),
        W("add-port", "nosuchbr", "p9"),
        W("add-bond", "br0", "bond0", "b0", "b1", "bond_mode=active-backup", "other_config:bond-primary=b1", "--", "set", "interface", "b0", "type=dummy", "--", "set", "interface", "b1", "type=dummy"),
        W("add-bond", "br0", "bond1", "c0"),
        W("set", "port", "bond0", "other_config:bond-detect-mode=miimon", "other_config:bond-miimon-interval=100"),
        W("set", "port", "bond0", "other_config:bond-primary=b0"),
        R("get", "port", "p1", "tag"),
        R("get", "port", "bond0", "other_config:bond-primary"),
        R("get", "interface", "p1", "name", "type", "ofport"),
        R("get", "bridge", "br0", "datapath_type", "other_config", "flood_vlans"),
        R("get", "port", "bond0", "bond_mode", "other_config"),
        R("--if-exists", "get", "port", "p1", "other_config:nokey"),
        R("get", "port", "p1", "other_config:nokey"),
        R("list-br"),
        R("list-ports", "br0"),
        R("list-ifaces", "br0"),
        R("iface-to-br", "b0"),
        R("port-to-br", "bond0"),
        R("br-to-vlan", "br0"),
        R("br-to-parent", "br0"),
        R("br-exists", "br0"),
        R("br-exists", "nosuch"),
        R("iface-to-br", "nosuch"),
        R("port-to-br", "nosuch"),
        R("list", "interface", "p1"),
        R("list", "port"),
        R("list", "interface"),
        R("list", "bridge", "br0"),
        R("list", "open_vswitch"),
        R("find", "interface", "type=dummy"),
        R("--columns=name,type", "find", "interface", "type=dummy"),
        R("find", "port", "tag!=10"),
        R("find", "port", "other_config:bond-primary=b0"),
        R("--format=table", "--columns=name,tag,trunks", "list", "port"),
        R("--format=table", "--no-headings", "--columns=name,tag", "list", "port"),
        R("--bare", "--columns=name,tag", "list", "port"),
        R("--format=csv", "--columns=name,tag,other_config", "list", "port"),
        R("--format=json", "--columns=name,tag,trunks,other_config", "list", "port"),
        R("--data=json", "--columns=name,tag", "list", "port"),
        R("--columns=_uuid,name", "list", "interface"),
        R("show"),
        R("wait-until", "interface", "p1", "type=dummy"),
        W("clear", "port", "p1", "tag"),
        W("remove", "port", "bond0", "other_config", "bond-detect-mode"),
        W("remove", "port", "bond0", "other_config", "bond-miimon-interval=100"),
        W("set", "bridge", "br0", "other_config:hwaddr=02:00:00:00:00:01"),
        W("add", "bridge", "br0", "flood_vlans", "10", "20"),
        W("remove", "bridge", "br0", "flood_vlans", "10"),
        R("get", "bridge", "br0", "flood_vlans", "other_config"),
        W("del-port", "br0", "vlan20"),
        W("--if-exists", "del-port", "br0", "nosuch"),
        W("del-port", "br0", "nosuch"),
        W("del-port", "nosuchbr", "p1"),
        W("add-bond-iface", "bond0", "b2"),
        W("del-bond-iface", "bond0", "b2"),
        W("del-bond-iface", "b0", "--", "del-bond-iface", "b1"),
        R("show"),
        W("--", "--id=@q", "create", "qos", "type=linux-htb", "--", "set", "port", "p1", "qos=@q"),
        R("get", "port", "p1", "qos"),
        R("list", "qos", "p1"),
        W("destroy", "qos", "nosuch"),
        W("set", "port", "p1", "tag=5000"),
        W("set", "port", "p1", "tag=abc"),
        W("set", "interface", "nosuchif", "mtu_request=9000"),
        W("set", "bridge", "br0", "name=x"),
        W("set", "bridge", "br0", "fail_mode:x=1"),
        W("set", "bridge", "br0", "name"),
        W("set", "bridge", "br0", ":x=1"),
        W("set", "port", "p1", "qos=@nope"),
        W("clear", "port", "p1", "interfaces"),
        W("add", "port", "p1", "tag", "1", "2"),
        W("list", "foo"),
        W("list", "i"),
        W("get", "bridge", "br0", "d"),
        W("find", "port", "tag"),
        W("--", "--id=q", "get", "bridge", "br0"),
        W("wait-until", "interface", "p1", "link_state=nosuch"),
        W("--all", "destroy", "qos"),
        W("clear", "port", "p1", "qos", "--", "--all", "destroy", "qos"),
        W("--", "--id=@m", "create", "manager", "target=\"ptcp:6699:127.0.0.1\"", "--", "add", "open", ".", "manager_options", "@m"),
        R("list", "manager"),
        R("show"),
        W("create", "manager", "target=\"ptcp:6699:127.0.0.1\""),
        W("--", "--id=@c", "create", "controller", "target=x"),
        W("create", "controller", "target=x"),
        W("create", "queue", "dscp=1"),
        W("--dry-run", "add-br", "dry0"),
        R("br-exists", "dry0"),
        R("get-fail-mode", "br0"),
        W("set-fail-mode", "br0", "secure"),
        W("set-fail-mode", "br0", "bogus"),
        R("get-fail-mode", "br0"),
        W("set-controller", "br0", "tcp:1.1.1.1:6653", "tcp:2.2.2.2:6653"),
        R("get-controller", "br0"),
        R("show"),
        W("del-controller", "br0"),
        W("del-fail-mode", "br0"),
        W("set-manager", "ptcp:2", "ptcp:1"),
        R("get-manager"),
        W("del-manager"),
        R("get-manager"),
        W("br-set-external-id", "br0", "k", "v"),
        W("br-set-external-id", "br0", "a", "b c"),
        R("br-get-external-id", "br0"),
        R("br-get-external-id", "br0", "a"),
        W("br-set-external-id", "br0", "k"),
        R("br-get-external-id", "br0"),
        W("get-fail-mode", "nosuch"),
        W("del-br", "br0"),
        W("del-br", "nosuch"),
        W("--if-exists", "del-br", "nosuch"),
        R("show"),
        R("list-br"),
        W("add-br", "br1", "--", "add-br", "br1.10", "br1", "10", "--", "add-port", "br1.10", "v1"),
        R("list-br"),
        R("br-to-vlan", "br1.10"),
        R("br-to-parent", "br1.10"),
        R("list-ports", "br1"),
        R("list-ports", "br1.10"),
        R("port-to-br", "v1"),
        W("br-set-external-id", "br1.10", "fk", "fv"),
        R("br-get-external-id", "br1.10"),
        R("list-ifaces", "br1.10"),
        W("--may-exist", "add-br", "br1.10", "br1", "11"),
        W("--may-exist", "add-br", "br1.10"),
        W("--may-exist", "add-port", "br1", "v1"),
        W("--may-exist", "add-port", "br1.10", "v1"),
        W("add-br", "br2", "br1"),
        W("add-br", "br2", "br1", "5000"),
        W("del-br", "br1.10"),
        R("list-br"),
        W(),
        W("nosuchcmd"),
        W("--bogus", "list-br"),
        W("list-br", "x"),
        W("list-br", "--no-wait"),
        W("--if-exists", "--may-exist", "del-port", "nosuch"),
        W("--format=bogus", "list", "port"),
        W("--data=bogus", "list", "port"),
    ];

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public void Vsw_vsctl_prints_what_ovs_vsctl_prints()
    {
        using var reference = new OvsdbServerProcess();
        using var ours = new OvsdbServerProcess();
        var mismatches = new List<string>();
        foreach (Step step in s_script)
        {
            string[] args = ["--no-wait", .. step.Args];
            if (step.ReadOnly)
            {
                Outcome real = NormaliseTimes(RunReal(ours, args));
                Outcome mine = NormaliseTimes(RunOurs(ours, args));
                Compare(mismatches, "same database", step, real, mine);
            }
            else
            {
                Outcome real = Normalise(RunReal(reference, args));
                Outcome mine = Normalise(RunOurs(ours, args));
                Compare(mismatches, "separate databases", step, real, mine);
            }
        }
        foreach (string table in new[] { "Bridge", "Port", "Interface", "QoS", "Manager" })
        {
            Compare(mismatches, "final contents", new Step(true, "list", table), Contents(reference, table), Contents(ours, table));
        }
        foreach (string mismatch in mismatches)
        {
            output.WriteLine(mismatch);
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {s_script.Length} steps differ:\n{string.Join("\n", mismatches)}");
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public void Without_no_wait_vsctl_waits_for_cur_cfg_and_timeout_ends_the_wait()
    {
        using var server = new OvsdbServerProcess();
        Assert.Equal(0, server.Vsctl("--no-wait", "init").ExitCode);
        var time = new FakeTimeProvider();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        bool timedOut = false;
        Task<int> waiting = Task.Run(() => VsctlCommand.Run(["--db=" + server.Remote, "--timeout=5", "add-br", "br0"], new VsctlCommand.Host
        {
            Out = stdout,
            Error = stderr,
            TimeProvider = time,
            OnTimeout = () =>
            {
                timedOut = true;
                return 142;
            },
        }));
        // Interop only: wait, with a deadline, until the external server shows the commit; vsctl is then waiting for
        // cur_cfg, and only the (virtual) timeout can end that wait.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (server.Vsctl("get", "open_vswitch", ".", "next_cfg").StandardOutput != "1\n")
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "vsw vsctl did not commit");
            Thread.Sleep(20);
        }
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(waiting.Wait(TimeSpan.FromMilliseconds(200)));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(142, waiting.Wait(TimeSpan.FromSeconds(20)) ? waiting.Result : -1);
        Assert.True(timedOut);
        // As with ovs-vsctl, the commit happened before the wait for the switch began.
        Assert.Equal("br0\n", server.Vsctl("list-br").StandardOutput);
        Assert.Equal("1\n", server.Vsctl("get", "open_vswitch", ".", "next_cfg").StandardOutput);

        // A stand-in for the switch acknowledges the next configuration; the wait then ends on its own.
        using var acknowledger = new CancellationTokenSource();
        Task switchStandIn = Task.Run(async () =>
        {
            while (!acknowledger.IsCancellationRequested)
            {
                ProcessRunner.Result next = server.Vsctl("get", "open_vswitch", ".", "next_cfg");
                if (next.StandardOutput.Trim() == "2")
                {
                    server.Vsctl("--no-wait", "set", "open_vswitch", ".", "cur_cfg=2");
                    return;
                }
                await Task.Delay(20);
            }
        });
        int rc = VsctlCommand.Run(["--db=" + server.Remote, "--timeout=20", "add-port", "br0", "p1"], new VsctlCommand.Host { Out = stdout, Error = stderr, OnTimeout = () => 142 });
        acknowledger.Cancel();
        switchStandIn.Wait();
        Assert.Equal(0, rc);
        Assert.Equal("2\n", server.Vsctl("get", "open_vswitch", ".", "cur_cfg").StandardOutput);
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public void After_the_wait_interfaces_the_switch_failed_to_open_are_reported_like_ovs_vsctl()
    {
        using var reference = new OvsdbServerProcess();
        using var ours = new OvsdbServerProcess();
        var outcomes = new List<Outcome>();
        foreach ((OvsdbServerProcess server, bool real) in new[] { (reference, true), (ours, false) })
        {
            Assert.Equal(0, server.Vsctl("--no-wait", "init", "--", "add-br", "br0").ExitCode);
            using var stop = new CancellationTokenSource();
            Task standIn = Task.Run(() => FailNewInterfaceLikeASwitch(server, stop.Token));
            string[] args = ["add-port", "br0", "bad0", "--", "add-port", "br0", "good0"];
            Outcome outcome = real
                ? RunReal(server, ["--timeout=20", .. args])
                : RunOurs(server, ["--timeout=20", .. args], server.Environment);
            stop.Cancel();
            standIn.Wait();
            outcomes.Add(outcome with { Stderr = outcome.Stderr.Replace(server.Directory, "$RUN", StringComparison.Ordinal) });
        }
        Assert.Equal(outcomes[0], outcomes[1]);
        Assert.Contains("Error detected while setting up 'bad0': could not open network device bad0 (No such device).  See ovs-vswitchd log for details.", outcomes[1].Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Plays the switch for one reconfiguration: once next_cfg moves past 0 it marks bad0 as failed (ofport -1 and
    /// an error), gives good0 a port number, and acknowledges with cur_cfg, all in one transaction.
    /// </summary>
    private static async Task FailNewInterfaceLikeASwitch(OvsdbServerProcess server, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            string next = server.Vsctl("get", "open_vswitch", ".", "next_cfg").StandardOutput.Trim();
            if (next != "0" && server.Vsctl("list-ports", "br0").StandardOutput.Contains("bad0", StringComparison.Ordinal))
            {
                server.Vsctl("--no-wait", "set", "interface", "bad0", "ofport=-1", "error=\"could not open network device bad0 (No such device)\"",
                    "--", "set", "interface", "good0", "ofport=1", "--", "set", "interface", "br0", "ofport=65534", "--", "set", "open_vswitch", ".", "cur_cfg=" + next);
                return;
            }
            // Interop only: poll the external server, with the test's own deadline on the vsctl run.
            await Task.Delay(20, CancellationToken.None);
        }
    }

    [Fact]
    public void Connection_failures_are_reported_like_ovs_vsctl()
    {
        string missing = Path.Combine(Path.GetTempPath(), "sharpswitch-none-" + Guid.NewGuid().ToString("N") + ".sock");
        Outcome outcome = RunOurs(null, ["--db=unix:" + missing, "show"]);
        Assert.Equal(new Outcome(1, "", $"ovs-vsctl: unix:{missing}: database connection failed (No such file or directory)\n"), outcome);
        Assert.Equal(new Outcome(1, "", "ovs-vsctl: bogus:x: database connection failed (Address family not supported by protocol)\n"), RunOurs(null, ["--db=bogus:x", "show"]));
    }

    private sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    private static Outcome RunReal(OvsdbServerProcess server, string[] args)
    {
        ProcessRunner.Result result = server.Vsctl(args);
        return new Outcome(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    private static Outcome RunOurs(OvsdbServerProcess? server, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] full = server is null ? args : ["--db=" + server.Remote, .. args];
        int rc = VsctlCommand.Run(full, new VsctlCommand.Host
        {
            Out = stdout,
            Error = stderr,
            OnTimeout = () => 142,
            GetEnvironment = name => environment is not null && environment.TryGetValue(name, out string? value) ? value : null,
        });
        return new Outcome(rc, stdout.ToString(), stderr.ToString());
    }

    private static Outcome Contents(OvsdbServerProcess server, string table)
    {
        ProcessRunner.Result result = server.Vsctl("--format=csv", "--no-headings", "list", table);
        string[] lines = [.. Normalise(result.StandardOutput).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
        return new Outcome(result.ExitCode, string.Join('\n', lines), result.StandardError);
    }

    private static Outcome NormaliseTimes(Outcome outcome)
    {
        return outcome with { Stderr = TimestampPattern().Replace(outcome.Stderr.Replace("/usr/bin/ovs-vsctl: ", "ovs-vsctl: ", StringComparison.Ordinal), "<time>") };
    }

    private static Outcome Normalise(Outcome outcome)
    {
        return new Outcome(outcome.ExitCode, Normalise(outcome.Stdout), Normalise(outcome.Stderr));
    }

    /// <summary>Replaces uuids (which differ between the two databases) and log timestamps with fixed text.</summary>
    private static string Normalise(string text)
    {
        // getopt names the program by the path it was started with; ovs-vsctl on PATH prints its bare name.
        text = text.Replace("/usr/bin/ovs-vsctl: ", "ovs-vsctl: ", StringComparison.Ordinal);
        text = UuidPattern().Replace(text, "<uuid>");
        return TimestampPattern().Replace(text, "<time>");
    }

    private static void Compare(List<string> mismatches, string how, Step step, Outcome expected, Outcome actual)
    {
        if (expected == actual)
        {
            return;
        }
        var text = new StringBuilder();
        text.Append($"--- ovs-vsctl {string.Join(' ', step.Args)} ({how})\n");
        text.Append($"expected rc={expected.ExitCode}\n{expected.Stdout}{(expected.Stderr.Length > 0 ? "[stderr] " + expected.Stderr : "")}");
        text.Append($"actual   rc={actual.ExitCode}\n{actual.Stdout}{(actual.Stderr.Length > 0 ? "[stderr] " + actual.Stderr : "")}");
        mismatches.Add(text.ToString());
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex UuidPattern();

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")]
    private static partial Regex TimestampPattern();
}
