// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Testing;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary>
/// The IDL over a list of remotes, against two real standalone ovsdb-servers and a fake clock: it moves to the next
/// remote at once when the one it follows goes away, backs off (virtual time) when none answers, and every step is
/// reported with its reason.
/// </summary>
public sealed class RemoteListIdlTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    /// <summary>Interop only: waits (with a real-time deadline) for something the background connection task does.</summary>
    private static async Task UntilAsync(OvsdbIdl idl, Func<bool> condition, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        idl.Run();
        while (!condition())
        {
            Assert.True(clock.Elapsed < s_deadline, describe());
            await Task.WhenAny(idl.WaitForUpdatesAsync(), Task.Delay(50));
            idl.Run();
        }
    }

    private static string[] Bridges(OvsdbIdl idl) => [.. idl.GetTable("Bridge").Rows.Select(r => r.GetString("name")).Order(StringComparer.Ordinal)];

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public async Task Follows_the_next_remote_when_one_goes_away_and_backs_off_in_virtual_time_when_none_answers()
    {
        using var a = new OvsdbServerProcess();
        using var b = new OvsdbServerProcess();
        Assert.Equal(0, a.Vsctl("--no-wait", "init", "--", "add-br", "br-a").ExitCode);
        Assert.Equal(0, b.Vsctl("--no-wait", "init", "--", "add-br", "br-b").ExitCode);
        var time = new FakeTimeProvider();
        var transitions = new ConcurrentQueue<IdlTransition>();
        await using OvsdbIdl idl = await OvsdbIdl.ConnectAsync($"{a.Remote},{b.Remote}", new IdlOptions
        {
            TimeProvider = time,
            ShuffleRemotes = false,
            OnTransition = transitions.Enqueue,
        });
        string Log() => string.Join('\n', transitions);
        idl.Run();
        Assert.Equal(["br-a"], Bridges(idl));
        Assert.Equal(a.Remote, idl.Remote);

        // The followed server goes away: the next remote is tried at once (no virtual time passes), and as it is a
        // different database the replica is replaced by its contents.
        a.Stop();
        await UntilAsync(idl, () => idl.IsConnected && idl.Remote == b.Remote && Bridges(idl).SequenceEqual(["br-b"]), Log);
        Assert.Contains(transitions, t => t is { From: IdlSessionState.Active, To: IdlSessionState.Connecting } && t.Remote == a.Remote && t.Reason.StartsWith("connection lost", StringComparison.Ordinal));

        // Both gone: one round of refused connections, then a backoff of one virtual second before the next round.
        b.Stop();
        await UntilAsync(idl, () => transitions.Any(t => t.To == IdlSessionState.Backoff), Log);
        Assert.False(idl.IsConnected);
        Assert.Contains("no usable server among 2, next round in 1 s", transitions.First(t => t.To == IdlSessionState.Backoff).Reason, StringComparison.Ordinal);
        a.Start();
        time.Advance(TimeSpan.FromSeconds(1));
        await UntilAsync(idl, () => idl.IsConnected && Bridges(idl).SequenceEqual(["br-a"]), Log);
        Assert.Contains(transitions, t => t is { From: IdlSessionState.Backoff, To: IdlSessionState.Connecting, Reason: "backoff elapsed" });
        Assert.Equal(IdlSessionState.Active, idl.SessionState);
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool")]
    public async Task A_first_round_that_reaches_no_server_fails_with_the_connection_error()
    {
        using var a = new OvsdbServerProcess();
        a.Stop();
        string missing = "unix:" + Path.Combine(a.Directory, "nothing-here.sock");
        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => OvsdbIdl.ConnectAsync($"{a.Remote},{missing}"));
    }
}
