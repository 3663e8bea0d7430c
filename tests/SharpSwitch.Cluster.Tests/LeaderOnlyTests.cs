// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Testing;

namespace SharpSwitch.Cluster.Tests;

/// <summary>
/// Which server of a real three-server cluster the clients follow: <c>vsw vsctl --no-leader-only</c> may read from a
/// follower while the default refuses one, and the switch daemon leaves a leader that hands its leadership over
/// without dying, for the new leader, so the next change is applied exactly once. Every wait polls a condition with
/// a generous limit, because the machine these run on is slow and shared.
/// </summary>
public sealed class LeaderOnlyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")]
    public async Task No_leader_only_reads_from_a_follower_that_the_default_refuses()
    {
        using var cluster = new OvsdbCluster();
        int leader = await cluster.WaitForLeaderAsync(Patience);
        int follower = (leader + 1) % cluster.Size;
        cluster.Require("ovs-vsctl", $"--db={cluster.Remotes}", "--timeout=120", "--no-wait", "init", "--", "add-br", "br-ro");
        // The follower learns of the commit shortly after the leader; wait until it has it, asking it alone.
        Assert.True(await ClusterSwitch.EventuallyAsync(() => Task.FromResult(
            Ovs(cluster, $"--db={cluster.ClientRemote(follower)}", "--no-leader-only", "--timeout=30", "list-br").StandardOutput == "br-ro\n"), Patience));
        Assert.NotEqual(follower, cluster.Leader());

        ProcessRunner.Result read = Vsw(cluster, $"--db={cluster.ClientRemote(follower)}", "--no-leader-only", "--timeout=120", "list-br");
        Assert.True(read.ExitCode == 0, $"exit {read.ExitCode}: {read.StandardError}");
        Assert.Equal("br-ro\n", read.StandardOutput);

        // By default a follower is never used. With only a follower in the list, vsw vsctl keeps looking for a leader
        // until its --timeout kills it with SIGALRM, printing nothing, as the real ovs-vsctl does with --retry.
        foreach (string[] leaderOnly in new[] { Array.Empty<string>(), ["--leader-only"] })
        {
            ProcessRunner.Result ours = Vsw(cluster, [$"--db={cluster.ClientRemote(follower)}", "--timeout=5", .. leaderOnly, "list-br"]);
            ProcessRunner.Result real = Ovs(cluster, [$"--db={cluster.ClientRemote(follower)}", "--timeout=5", "--retry", .. leaderOnly, "list-br"]);
            Assert.Equal((142, ""), (real.ExitCode, real.StandardOutput));
            Assert.True((ours.ExitCode, ours.StandardOutput) == (real.ExitCode, real.StandardOutput), $"exit {ours.ExitCode}: {ours.StandardOutput}{ours.StandardError}");
            Assert.Contains("terminating with signal 14 (Alarm clock)", ours.StandardError, StringComparison.Ordinal);
        }

        // Without --retry the real ovs-vsctl refuses at once instead: the one remote it tried was unusable. vsw vsctl
        // does not copy that (see the README), so this only pins down the refusal the default stands for.
        ProcessRunner.Result refused = Ovs(cluster, $"--db={cluster.ClientRemote(follower)}", "--timeout=30", "list-br");
        Assert.Equal((1, $"ovs-vsctl: {cluster.ClientRemote(follower)}: database connection failed ()\n"), (refused.ExitCode, refused.StandardError));
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")]
    public async Task The_switch_leaves_a_leader_that_hands_over_leadership_without_dying()
    {
        using var cluster = new OvsdbCluster();
        int leader = await cluster.WaitForLeaderAsync(Patience);
        cluster.Require("ovs-vsctl", $"--db={cluster.Remotes}", "--timeout=120", "--no-wait", "init");
        await using ClusterSwitch sw = await ClusterSwitch.StartAsync(cluster);
        Ok(sw.VswVsctl("add-br", "br0", "--", "add-port", "br0", "p1"));
        long baseline = NextCfg(sw);

        // The switch follows only the leader, so its latest move to "active" names the leader's socket.
        string leaderRemote = cluster.ClientRemote(leader);
        Assert.True(await ClusterSwitch.EventuallyAsync(() => Task.FromResult(LastActive(sw) == leaderRemote), Patience), string.Join('\n', sw.ReconnectLog()));
        int before = sw.ReconnectLog().Count;

        // A leadership transfer, which OVS 3.1 offers as a failure test: the old leader stays up as a follower.
        cluster.Require("ovs-appctl", "-t", cluster.Control(leader), "cluster/failure-test", "transfer-leadership");
        int? newLeader = null;
        Assert.True(await ClusterSwitch.EventuallyAsync(() =>
        {
            newLeader = cluster.Leader();
            return Task.FromResult(newLeader is int l && l != leader);
        }, Patience), "leadership never moved: " + cluster.Status(leader));
        Assert.True(cluster.IsRunning(leader));
        Assert.Contains("\nRole: follower\n", cluster.Status(leader), StringComparison.Ordinal);

        // The daemon says it left the old leader because it no longer leads (its connection was never lost), and
        // then follows the new leader.
        string newRemote = cluster.ClientRemote(newLeader!.Value);
        Assert.True(await ClusterSwitch.EventuallyAsync(() => Task.FromResult(LastActive(sw) == newRemote), Patience), string.Join('\n', sw.ReconnectLog()));
        List<string> moves = sw.ReconnectLog().Skip(before).ToList();
        string dump = string.Join('\n', moves);
        Assert.Contains(moves, l => l.Contains(leaderRemote + ": active -> connecting (clustered database server is not cluster leader; trying ", StringComparison.Ordinal));
        Assert.DoesNotContain(moves, l => l.Contains("connection lost", StringComparison.Ordinal));
        Assert.True(moves.Count(l => l.Contains(" -> active (", StringComparison.Ordinal)) >= 1, dump);

        // The next changes, one from each client, are applied once each.
        Ok(sw.VswVsctl("add-port", "br0", "p2"));
        Ok(sw.OvsVsctl("set", "port", "p2", "tag=7"));
        AssertAppliedExactly(sw, baseline + 2);
        Assert.Equal(["br0", "p1", "p2"], await sw.PortsAsync("br0"));
        Assert.Equal("7\n", Ok(sw.OvsVsctl("get", "port", "p2", "tag")));
        Assert.Equal(newRemote, LastActive(sw));
    }

    /// <summary>The remote of the daemon's latest move to the active state, or null before the first.</summary>
    private static string? LastActive(ClusterSwitch sw)
    {
        const string Marker = "|reconnect|INFO|";
        string? line = sw.ReconnectLog().LastOrDefault(l => l.Contains(": checking -> active (", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }
        int start = line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length;
        return line[start..line.IndexOf(": checking -> active (", StringComparison.Ordinal)];
    }

    private static ProcessRunner.Result Vsw(OvsdbCluster cluster, params string[] arguments)
    {
        return ProcessRunner.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "vsw.dll"), "vsctl", .. arguments], new Dictionary<string, string>(cluster.Environment), 180_000);
    }

    private static ProcessRunner.Result Ovs(OvsdbCluster cluster, params string[] arguments)
    {
        return ProcessRunner.Run(OvsDaemons.Tool("ovs-vsctl"), arguments, new Dictionary<string, string>(cluster.Environment), 180_000);
    }

    private static string Ok(ProcessRunner.Result result)
    {
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StandardError}");
        return result.StandardOutput;
    }

    private static long NextCfg(ClusterSwitch sw) => long.Parse(Ok(sw.OvsVsctl("get", "Open_vSwitch", ".", "next_cfg")).Trim(), CultureInfo.InvariantCulture);

    private static void AssertAppliedExactly(ClusterSwitch sw, long expected)
    {
        string text = expected.ToString(CultureInfo.InvariantCulture);
        Assert.Equal([text, text], Ok(sw.OvsVsctl("get", "Open_vSwitch", ".", "next_cfg", "cur_cfg")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
