// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Idl;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary>Remote lists and the IDL's server choice (leader only, never back in time, backoff between rounds).</summary>
public sealed class ClusterSessionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_comma_separated_list_parses_every_remote_in_order()
    {
        JsonRpcRemoteList list = JsonRpcRemoteList.Parse("unix:/run/a.sock, unix:/run/b.sock,tcp:127.0.0.1:6641");
        Assert.Equal(["unix:/run/a.sock", "unix:/run/b.sock", "tcp:127.0.0.1:6641"], list.Addresses.Select(a => a.Text));
        Assert.Equal(6641, list.Addresses[2].Port);
        Assert.Single(JsonRpcRemoteList.Parse("unix:/run/db.sock").Addresses);
    }

    [Theory]
    [InlineData("unix:/a,,unix:/b", "empty remote")]
    [InlineData("unix:/a,punix:/b", "passive")]
    [InlineData("unix:/a,ssl", "unknown connection method")]
    [InlineData("", "empty remote")]
    public void Bad_lists_are_refused_with_the_reason(string text, string expected)
    {
        Assert.False(JsonRpcRemoteList.TryParse(text, out _, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shuffle_is_a_permutation_and_the_same_seed_gives_the_same_order()
    {
        JsonRpcRemoteList list = JsonRpcRemoteList.Parse("unix:/1,unix:/2,unix:/3,unix:/4,unix:/5");
        string[] first = [.. list.Shuffled(new Random(7)).Addresses.Select(a => a.Text)];
        string[] again = [.. list.Shuffled(new Random(7)).Addresses.Select(a => a.Text)];
        Assert.Equal(first, again);
        Assert.Equal(list.Addresses.Select(a => a.Text).Order(), first.Order());
    }

    [Fact]
    public void A_follower_is_skipped_and_the_leader_is_followed()
    {
        var machine = new IdlSessionMachine(["unix:/a", "unix:/b", "unix:/c"], leaderOnly: true, new ReconnectBackoff());
        Assert.Equal(IdlSessionState.Connecting, machine.Start(T0).To);
        machine.Connected(T0);
        string? reason = machine.Evaluate(new ServerDatabaseInfo("clustered", Connected: true, Leader: false, Index: 10));
        Assert.Contains("not cluster leader", reason, StringComparison.Ordinal);
        IdlTransition skip = machine.Skip(T0, reason!);
        Assert.Equal((IdlSessionState.Checking, IdlSessionState.Connecting, "unix:/a"), (skip.From, skip.To, skip.Remote));
        Assert.Equal("unix:/b", machine.CurrentRemote);
        machine.Connected(T0);
        Assert.Null(machine.Evaluate(new ServerDatabaseInfo("clustered", true, true, 12)));
        Assert.Equal(IdlSessionState.Active, machine.Established(T0).To);
        Assert.Equal(12, machine.MinIndex);
    }

    [Fact]
    public void Followers_are_accepted_when_leader_only_is_off_but_a_disconnected_server_never_is()
    {
        var machine = new IdlSessionMachine(["unix:/a"], leaderOnly: false, new ReconnectBackoff());
        Assert.Null(machine.Evaluate(new ServerDatabaseInfo("clustered", true, false, 3)));
        Assert.Contains("not connected", machine.Evaluate(new ServerDatabaseInfo("clustered", false, false, 3)), StringComparison.Ordinal);
        Assert.Null(machine.Evaluate(new ServerDatabaseInfo("standalone", false, false, null)));
        Assert.Null(machine.Evaluate(null));
    }

    [Fact]
    public void A_server_behind_the_highest_index_seen_is_skipped_so_the_client_never_goes_back_in_time()
    {
        var machine = new IdlSessionMachine(["unix:/a", "unix:/b"], leaderOnly: true, new ReconnectBackoff());
        Assert.Null(machine.Evaluate(new ServerDatabaseInfo("clustered", true, true, 40)));
        string? stale = machine.Evaluate(new ServerDatabaseInfo("clustered", true, true, 39));
        Assert.Contains("stale data (index 39 is older than 40", stale, StringComparison.Ordinal);
        Assert.Equal(40, machine.MinIndex);
        Assert.Null(machine.Evaluate(new ServerDatabaseInfo("clustered", true, true, 40)));
        Assert.Null(machine.Evaluate(new ServerDatabaseInfo("clustered", true, true, 41)));
        Assert.Equal(41, machine.MinIndex);
    }

    [Fact]
    public void A_round_of_failures_backs_off_doubling_and_a_round_with_skips_waits_the_minimum()
    {
        var machine = new IdlSessionMachine(["unix:/a", "unix:/b"], leaderOnly: true, new ReconnectBackoff());
        machine.Start(T0);
        Assert.Equal(IdlSessionState.Connecting, machine.Failed(T0, "Connection refused").To);
        IdlTransition backoff = machine.Failed(T0, "Connection refused");
        Assert.Equal(IdlSessionState.Backoff, backoff.To);
        Assert.Contains("next round in 1 s", backoff.Reason, StringComparison.Ordinal);
        Assert.True(machine.LastRoundOnlyFailures);
        Assert.Equal(T0.AddSeconds(1), machine.RetryAt);
        Assert.Null(machine.RetryDue(T0.AddMilliseconds(999)));
        Assert.Equal(IdlSessionState.Connecting, machine.RetryDue(T0.AddSeconds(1))!.To);
        machine.Connected(T0);
        machine.Skip(T0, "not leader");
        Assert.Equal(IdlSessionState.Backoff, machine.Failed(T0, "Connection refused").To);
        Assert.False(machine.LastRoundOnlyFailures);
        // Someone answered (an election is probably under way): the minimum wait, not the next doubling.
        Assert.Equal(T0.AddSeconds(1), machine.RetryAt);
        machine.RetryDue(T0.AddSeconds(1));
        machine.Failed(T0, "Connection refused");
        machine.Failed(T0, "Connection refused");
        Assert.Equal(T0.AddSeconds(2), machine.RetryAt);
    }

    [Fact]
    public void A_lost_connection_moves_to_the_next_remote_at_once_or_waits_with_a_single_remote()
    {
        var several = new IdlSessionMachine(["unix:/a", "unix:/b", "unix:/c"], leaderOnly: true, new ReconnectBackoff());
        several.Start(T0);
        several.Connected(T0);
        several.Established(T0);
        IdlTransition lost = several.Lost(T0, "end of file");
        Assert.Equal((IdlSessionState.Active, IdlSessionState.Connecting, "unix:/a"), (lost.From, lost.To, lost.Remote));
        Assert.Equal("connection lost (end of file); trying unix:/b", lost.Reason);
        Assert.Equal("unix:/b", several.CurrentRemote);

        var single = new IdlSessionMachine(["unix:/a"], leaderOnly: true, new ReconnectBackoff());
        single.Start(T0);
        single.Connected(T0);
        single.Established(T0);
        Assert.Equal(IdlSessionState.Backoff, single.Lost(T0, "end of file").To);
        Assert.Equal(T0.AddSeconds(1), single.RetryAt);
    }

    [Fact]
    public void Inputs_that_make_no_sense_in_a_state_are_refused()
    {
        var machine = new IdlSessionMachine(["unix:/a"], leaderOnly: true, new ReconnectBackoff());
        Assert.Throws<InvalidOperationException>(() => machine.Connected(T0));
        Assert.Throws<InvalidOperationException>(() => machine.Lost(T0, "x"));
        machine.Start(T0);
        Assert.Throws<InvalidOperationException>(() => machine.Established(T0));
        Assert.Throws<InvalidOperationException>(() => machine.Start(T0));
        Assert.Equal(IdlSessionState.Stopped, machine.Stop(T0, "disposed").To);
    }

    [Fact]
    public void Transitions_read_as_log_lines()
    {
        var transition = new IdlTransition(IdlSessionState.Checking, IdlSessionState.Connecting, "unix:/a", "not leader; trying unix:/b");
        Assert.Equal("unix:/a: checking -> connecting (not leader; trying unix:/b)", transition.ToString());
    }
}
