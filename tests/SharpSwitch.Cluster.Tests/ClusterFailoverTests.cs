// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Testing;

namespace SharpSwitch.Cluster.Tests;

/// <summary>
/// SharpSwitch against a real three-server OVSDB Raft cluster: the switch daemon follows the leader among all three
/// remotes, the operator's bond is configured through the cluster with <c>vsw vsctl</c> and the real
/// <c>ovs-vsctl</c>, servers are killed and restarted, and the switch must apply every change exactly once while
/// traffic injected on a dummy port keeps flowing out of the bond. Every wait polls a condition with a generous
/// limit, because the machine these run on is slow and shared.
/// </summary>
public sealed class ClusterFailoverTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private const string Broadcast = "eth(src=50:54:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.255,proto=17,ttl=64),udp(src=1,dst=2)";

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")]
    public async Task Killing_the_leader_loses_no_change_and_applies_none_twice()
    {
        using var cluster = new OvsdbCluster();
        await cluster.WaitForLeaderAsync(Patience);
        await using ClusterSwitch sw = await StartWithBondAsync(cluster);
        long baseline = NextCfg(sw);
        await using var traffic = new TrafficPump(sw);
        await AssertForwardingAsync(sw);

        int leader = cluster.Leader() ?? throw new InvalidOperationException("no leader");
        cluster.Kill(leader);

        // Configure at once, while the survivors are still electing a leader: both clients must find it themselves.
        Ok(sw.VswVsctl("set", "port", "bond-mgt", "bond_updelay=100"));
        Ok(sw.OvsVsctl("set", "port", "bond-mgt", "bond_downdelay=200"));
        Ok(sw.VswVsctl("add-port", "ovsbr-mgt", "host2"));
        await AssertForwardingAsync(sw);

        // Doing it again must fail as ovs-vsctl fails, not add a second port.
        ProcessRunner.Result again = sw.VswVsctl("add-port", "ovsbr-mgt", "host2");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("ovs-vsctl: cannot create a port named host2 because a port named host2 already exists on bridge ovsbr-mgt\n", again.StandardError);

        // Three committed changes since the baseline, each bumping next_cfg exactly once, all applied by the switch.
        AssertAppliedExactly(sw, baseline + 3);
        string bond = sw.Appctl("bond/show", "bond-mgt");
        Assert.Contains("updelay: 100 ms\n", bond, StringComparison.Ordinal);
        Assert.Contains("downdelay: 200 ms\n", bond, StringComparison.Ordinal);
        Assert.Contains("active-backup primary: eno1\n", bond, StringComparison.Ordinal);
        Assert.Equal(["bond-mgt", "host1", "host2", "ovsbr-mgt"], await sw.PortsAsync("ovsbr-mgt"));
        Assert.Equal("bond-mgt\nhost1\nhost2\n", Ok(sw.OvsVsctl("list-ports", "ovsbr-mgt")));

        // The daemon says why it left the dead leader and which server it follows now.
        List<string> log = sw.ReconnectLog();
        string dump = string.Join('\n', log);
        Assert.True(log.Any(line => line.Contains(cluster.ClientRemote(leader) + ": active -> connecting (connection lost", StringComparison.Ordinal)), dump);
        // It follows another server now, and catches up from the last transaction it had (monitor_cond_since found
        // it in the cluster's history) instead of copying the whole database again.
        Assert.True(log.Any(line => line.Contains("checking -> active (monitoring, resumed after transaction ", StringComparison.Ordinal)
            && !line.Contains(cluster.ClientRemote(leader) + ":", StringComparison.Ordinal)), dump);
        Assert.True(traffic.Failures == 0, $"{traffic.Failures} injections failed");
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")]
    public async Task A_follower_killed_and_restarted_changes_nothing_for_the_switch()
    {
        using var cluster = new OvsdbCluster();
        await cluster.WaitForLeaderAsync(Patience);
        await using ClusterSwitch sw = await StartWithBondAsync(cluster);
        long baseline = NextCfg(sw);
        await using var traffic = new TrafficPump(sw);

        int leader = cluster.Leader() ?? throw new InvalidOperationException("no leader");
        int follower = (leader + 1) % cluster.Size;
        cluster.Kill(follower);
        Ok(sw.VswVsctl("set", "port", "bond-mgt", "bond_updelay=300"));
        Ok(sw.OvsVsctl("add-port", "ovsbr-mgt", "host2"));
        await AssertForwardingAsync(sw);

        cluster.Start(follower);
        await cluster.WaitForLeaderAsync(Patience);
        Ok(sw.VswVsctl("set", "port", "bond-mgt", "other_config:bond-primary=eno2"));
        Assert.True(await ClusterSwitch.EventuallyAsync(() => Task.FromResult(sw.Appctl("bond/show", "bond-mgt").Contains("member eno2: enabled\n  active member\n", StringComparison.Ordinal)), Patience),
            sw.Appctl("bond/show", "bond-mgt"));
        await AssertForwardingAsync(sw);

        AssertAppliedExactly(sw, baseline + 3);
        string bond = sw.Appctl("bond/show", "bond-mgt");
        Assert.Contains("updelay: 300 ms\n", bond, StringComparison.Ordinal);
        Assert.Contains("active-backup primary: eno2\n", bond, StringComparison.Ordinal);
        Assert.Equal(["bond-mgt", "host1", "host2", "ovsbr-mgt"], await sw.PortsAsync("ovsbr-mgt"));

        // The restarted follower caught up with everything committed while it was down.
        Assert.True(await ClusterSwitch.EventuallyAsync(() => Task.FromResult(
            cluster.Require("ovs-vsctl", $"--db={cluster.ClientRemote(follower)}", "--no-leader-only", "get", "port", "bond-mgt", "bond_updelay") == "300\n"), Patience));
        Assert.True(traffic.Failures == 0, $"{traffic.Failures} injections failed");
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")]
    public async Task With_every_server_down_the_switch_keeps_forwarding_and_resynchronises_when_they_return()
    {
        using var cluster = new OvsdbCluster();
        await cluster.WaitForLeaderAsync(Patience);
        await using ClusterSwitch sw = await StartWithBondAsync(cluster);
        long baseline = NextCfg(sw);
        await using var traffic = new TrafficPump(sw);

        for (int i = 0; i < cluster.Size; i++)
        {
            cluster.Kill(i);
        }
        Assert.True(await ClusterSwitch.EventuallyAsync(() => Task.FromResult(sw.ReconnectLog().Any(l => l.Contains("no usable server among 3", StringComparison.Ordinal))), Patience),
            string.Join('\n', sw.ReconnectLog()));
        // No database, but the last configuration still forwards.
        await AssertForwardingAsync(sw);
        Assert.Contains("active-backup primary: eno1\n", sw.Appctl("bond/show", "bond-mgt"), StringComparison.Ordinal);

        for (int i = 0; i < cluster.Size; i++)
        {
            cluster.Start(i);
        }
        await cluster.WaitForLeaderAsync(Patience);
        Ok(sw.OvsVsctl("set", "port", "bond-mgt", "bond_updelay=500"));
        Ok(sw.VswVsctl("add-port", "ovsbr-mgt", "host2"));
        AssertAppliedExactly(sw, baseline + 2);
        Assert.Contains("updelay: 500 ms\n", sw.Appctl("bond/show", "bond-mgt"), StringComparison.Ordinal);
        Assert.Equal(["bond-mgt", "host1", "host2", "ovsbr-mgt"], await sw.PortsAsync("ovsbr-mgt"));
        await AssertForwardingAsync(sw);
        Assert.True(traffic.Failures == 0, $"{traffic.Failures} injections failed");
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")]
    public async Task A_switch_started_while_no_server_answers_waits_for_the_cluster()
    {
        using var cluster = new OvsdbCluster();
        await cluster.WaitForLeaderAsync(Patience);
        cluster.Require("ovs-vsctl", $"--db={cluster.Remotes}", "--timeout=120", "--no-wait", "init");
        for (int i = 0; i < cluster.Size; i++)
        {
            cluster.Kill(i);
        }
        Task<ClusterSwitch> starting = ClusterSwitch.StartAsync(cluster);
        string log = Path.Combine(cluster.Directory, "vswitchd.log");
        bool waiting = await ClusterSwitch.EventuallyAsync(() => Task.FromResult(
            File.Exists(log) && ReadShared(log).Contains("Connection refused; no usable server among 3", StringComparison.Ordinal)), Patience);
        // The switch must keep waiting while nothing answers, not give up; the servers come back after that.
        bool gaveUp = starting.IsCompleted;
        for (int i = 0; i < cluster.Size; i++)
        {
            cluster.Start(i);
        }
        await using ClusterSwitch sw = await starting;
        Assert.True(waiting, "the switch did not report a round without any server");
        Assert.False(gaveUp, "the switch finished starting before any server was up");
        Ok(sw.VswVsctl("add-br", "ovsbr-mgt", "--", "add-bond", "ovsbr-mgt", "bond-mgt", "eno1", "eno2", "--", "set", "port", "bond-mgt", "other_config:bond-primary=eno1"));
        Assert.Contains("active-backup primary: eno1\n", sw.Appctl("bond/show", "bond-mgt"), StringComparison.Ordinal);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The operator's bond, configured through the cluster: bridge ovsbr-mgt, active-backup bond bond-mgt of eno1 and
    /// eno2 with eno1 as primary (with <c>vsw vsctl</c>), and an access port host1 where traffic enters (with the real
    /// ovs-vsctl). Both wait for the switch's cur_cfg, so the switch has applied them when they return.
    /// </summary>
    private static async Task<ClusterSwitch> StartWithBondAsync(OvsdbCluster cluster)
    {
        cluster.Require("ovs-vsctl", $"--db={cluster.Remotes}", "--timeout=120", "--no-wait", "init");
        ClusterSwitch sw = await ClusterSwitch.StartAsync(cluster);
        try
        {
            Ok(sw.VswVsctl("add-br", "ovsbr-mgt", "--", "add-bond", "ovsbr-mgt", "bond-mgt", "eno1", "eno2", "--", "set", "port", "bond-mgt", "other_config:bond-primary=eno1"));
            Ok(sw.OvsVsctl("add-port", "ovsbr-mgt", "host1"));
            Assert.Contains("active-backup primary: eno1\n", sw.Appctl("bond/show", "bond-mgt"), StringComparison.Ordinal);
        }
        catch
        {
            await sw.DisposeAsync();
            throw;
        }
        return sw;
    }

    private static string Ok(ProcessRunner.Result result)
    {
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StandardError}");
        return result.StandardOutput;
    }

    private static long NextCfg(ClusterSwitch sw) => long.Parse(Ok(sw.OvsVsctl("get", "Open_vSwitch", ".", "next_cfg")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>next_cfg went up by exactly the number of committed changes, and the switch has caught up with it.</summary>
    private static void AssertAppliedExactly(ClusterSwitch sw, long expected)
    {
        string[] values = Ok(sw.OvsVsctl("get", "Open_vSwitch", ".", "next_cfg", "cur_cfg")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([expected.ToString(CultureInfo.InvariantCulture), expected.ToString(CultureInfo.InvariantCulture)], values);
    }

    /// <summary>Frames entering host1 leave through the bond: the bond members' transmit counters keep rising.</summary>
    private static async Task AssertForwardingAsync(ClusterSwitch sw)
    {
        long before = await BondTxAsync(sw);
        Assert.True(await ClusterSwitch.EventuallyAsync(async () => await BondTxAsync(sw) >= before + 3, Patience), "no traffic left the bond");
    }

    private static async Task<long> BondTxAsync(ClusterSwitch sw) => await sw.TxPacketsAsync("ovsbr-mgt", "eno1") + await sw.TxPacketsAsync("ovsbr-mgt", "eno2");

    /// <summary>Injects a broadcast frame on host1 with the real ovs-appctl every 200 ms until disposed.</summary>
    private sealed class TrafficPump : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public TrafficPump(ClusterSwitch sw)
        {
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        sw.Appctl("netdev-dummy/receive", "host1", Broadcast);
                        Sent++;
                    }
                    catch (Exception ex) when (ex is Xunit.Sdk.XunitException or TimeoutException)
                    {
                        Failures++;
                    }
                    await Task.Delay(200, CancellationToken.None);
                }
            });
        }

        public int Sent { get; private set; }

        public int Failures { get; private set; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }
}
