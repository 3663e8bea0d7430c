// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.JsonRpc;

namespace SharpSwitch.Ovsdb.Idl;

/// <summary>Where an <see cref="OvsdbIdl"/> stands with its servers.</summary>
public enum IdlSessionState
{
    /// <summary>Nothing tried yet.</summary>
    Idle,

    /// <summary>Opening a connection to the current remote.</summary>
    Connecting,

    /// <summary>Connected; reading the server's <c>_Server</c> row for the database and setting up the monitor.</summary>
    Checking,

    /// <summary>The replica follows this server and transactions go to it.</summary>
    Active,

    /// <summary>Every remote failed or was skipped in a row; waiting before the next round.</summary>
    Backoff,

    /// <summary>Given up (reconnection turned off, or the replica was disposed).</summary>
    Stopped,
}

/// <summary>One step of the connection state machine, with the remote it concerns and why it happened.</summary>
public sealed record IdlTransition(IdlSessionState From, IdlSessionState To, string? Remote, string Reason)
{
    /// <summary>A log line: <c>unix:/a.sock: connecting -> checking (connected)</c>.</summary>
    public override string ToString()
    {
        return $"{Remote ?? "(no remote)"}: {Name(From)} -> {Name(To)} ({Reason})";
    }

    private static string Name(IdlSessionState state) => state switch
    {
        IdlSessionState.Idle => "idle",
        IdlSessionState.Connecting => "connecting",
        IdlSessionState.Checking => "checking",
        IdlSessionState.Active => "active",
        IdlSessionState.Backoff => "backoff",
        IdlSessionState.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}

/// <summary>
/// What a server says about the replicated database in its <c>_Server</c> <c>Database</c> row: the storage model
/// (<c>standalone</c>, <c>clustered</c>, <c>relay</c>), whether it is connected to its cluster, whether it is the
/// leader, and the Raft index of the last entry it applied (clustered databases only).
/// </summary>
public sealed record ServerDatabaseInfo(string Model, bool Connected, bool Leader, long? Index)
{
    /// <summary>True for a Raft database, the only model whose server choice matters.</summary>
    public bool IsClustered => Model == "clustered";
}

/// <summary>
/// The sans-I/O heart of the IDL's server choice, after OVS's ovsdb-cs: it walks a list of remotes, accepts a
/// clustered server only when it is connected to its cluster, is the leader (unless followers are allowed), and is
/// not behind what this client has already seen (its <c>index</c> never goes down), and it backs off after a whole
/// round of remotes failed or was skipped (the minimum wait when some server answered, doubling when none did). Each input returns the transition it caused, with the reason, so that
/// every choice can be logged. The caller does the I/O and feeds the outcomes back in with the current time.
/// </summary>
public sealed class IdlSessionMachine
{
    private readonly IReadOnlyList<string> _remotes;
    private readonly bool _leaderOnly;
    private readonly ReconnectBackoff _backoff;
    private int _current;
    private int _attemptsThisRound;
    private int _skipsThisRound;

    /// <summary>Creates the machine for <paramref name="remotes"/>, tried in the given order.</summary>
    public IdlSessionMachine(IReadOnlyList<string> remotes, bool leaderOnly, ReconnectBackoff backoff)
    {
        ArgumentNullException.ThrowIfNull(remotes);
        ArgumentNullException.ThrowIfNull(backoff);
        if (remotes.Count == 0)
        {
            throw new ArgumentException("at least one remote is needed", nameof(remotes));
        }
        _remotes = remotes;
        _leaderOnly = leaderOnly;
        _backoff = backoff;
    }

    /// <summary>The current state.</summary>
    public IdlSessionState State { get; private set; } = IdlSessionState.Idle;

    /// <summary>The remote being tried or followed.</summary>
    public string CurrentRemote => _remotes[_current];

    /// <summary>Position of <see cref="CurrentRemote"/> in the list.</summary>
    public int CurrentIndex => _current;

    /// <summary>
    /// The highest Raft index this client has accepted from any server. A server reporting less is behind what the
    /// replica already holds, and following it would take the client back in time.
    /// </summary>
    public long MinIndex { get; private set; }

    /// <summary>In <see cref="IdlSessionState.Backoff"/>: when the next round may start.</summary>
    public DateTimeOffset? RetryAt { get; private set; }

    /// <summary>
    /// True when the last round that ended in <see cref="IdlSessionState.Backoff"/> had only failures and no skip: no
    /// server of the list could be used at all, as opposed to servers that answered but were not (yet) suitable.
    /// </summary>
    public bool LastRoundOnlyFailures { get; private set; }

    /// <summary>Starts with the first remote.</summary>
    public IdlTransition Start(DateTimeOffset now)
    {
        _ = now;
        return State switch
        {
            IdlSessionState.Idle => Move(IdlSessionState.Connecting, "starting with the first remote of " + _remotes.Count),
            IdlSessionState.Connecting or IdlSessionState.Checking or IdlSessionState.Active or IdlSessionState.Backoff or IdlSessionState.Stopped
                => throw Invalid(nameof(Start)),
            _ => throw Invalid(nameof(Start)),
        };
    }

    /// <summary>The connection to <see cref="CurrentRemote"/> is open.</summary>
    public IdlTransition Connected(DateTimeOffset now)
    {
        _ = now;
        return State switch
        {
            IdlSessionState.Connecting => Move(IdlSessionState.Checking, "connected"),
            IdlSessionState.Idle or IdlSessionState.Checking or IdlSessionState.Active or IdlSessionState.Backoff or IdlSessionState.Stopped
                => throw Invalid(nameof(Connected)),
            _ => throw Invalid(nameof(Connected)),
        };
    }

    /// <summary>Connecting, or setting the session up, failed; moves to the next remote or backs off.</summary>
    public IdlTransition Failed(DateTimeOffset now, string reason)
    {
        return State switch
        {
            IdlSessionState.Connecting or IdlSessionState.Checking => Next(now, reason, skipped: false),
            IdlSessionState.Idle or IdlSessionState.Active or IdlSessionState.Backoff or IdlSessionState.Stopped => throw Invalid(nameof(Failed)),
            _ => throw Invalid(nameof(Failed)),
        };
    }

    /// <summary>
    /// Judges a server's row for the database. Returns null when the client may follow it (and remembers its index
    /// as the new minimum), otherwise the reason to skip it. Rows of non-clustered databases are always acceptable,
    /// and so is a server without <c>_Server</c> (<paramref name="info"/> null), as in OVS.
    /// </summary>
    public string? Evaluate(ServerDatabaseInfo? info)
    {
        if (info is null || !info.IsClustered)
        {
            return null;
        }
        if (!info.Connected)
        {
            return "server is not connected to its cluster";
        }
        if (_leaderOnly && !info.Leader)
        {
            return "clustered database server is not cluster leader";
        }
        if (info.Index is long index)
        {
            if (index < MinIndex)
            {
                return $"clustered database server has stale data (index {index} is older than {MinIndex} already seen)";
            }
            MinIndex = index;
        }
        return null;
    }

    /// <summary>
    /// The server is unsuitable (see <see cref="Evaluate"/>): while checking it is skipped, while active the
    /// connection is dropped; either way the next remote is tried, or the machine backs off after a full round.
    /// </summary>
    public IdlTransition Skip(DateTimeOffset now, string reason)
    {
        return State switch
        {
            IdlSessionState.Checking or IdlSessionState.Active => Next(now, reason, skipped: true),
            IdlSessionState.Idle or IdlSessionState.Connecting or IdlSessionState.Backoff or IdlSessionState.Stopped => throw Invalid(nameof(Skip)),
            _ => throw Invalid(nameof(Skip)),
        };
    }

    /// <summary>
    /// The monitor is established: the replica now follows this server. <paramref name="detail"/> says how it caught
    /// up (a full copy, or only the changes since the last transaction it had).
    /// </summary>
    public IdlTransition Established(DateTimeOffset now, string? detail = null)
    {
        _ = now;
        switch (State)
        {
            case IdlSessionState.Checking:
                _attemptsThisRound = 0;
                _skipsThisRound = 0;
                _backoff.Connected();
                return Move(IdlSessionState.Active, detail is null ? "monitoring" : "monitoring, " + detail);
            case IdlSessionState.Idle:
            case IdlSessionState.Connecting:
            case IdlSessionState.Active:
            case IdlSessionState.Backoff:
            case IdlSessionState.Stopped:
            default:
                throw Invalid(nameof(Established));
        }
    }

    /// <summary>
    /// The established connection was lost. With several remotes the next one is tried at once, because the lost
    /// server is the one least likely to answer; with one remote the machine waits the minimum backoff first, as
    /// OVS's reconnect does.
    /// </summary>
    public IdlTransition Lost(DateTimeOffset now, string reason)
    {
        switch (State)
        {
            case IdlSessionState.Active:
                if (_remotes.Count > 1)
                {
                    string lost = CurrentRemote;
                    Advance();
                    return Move(IdlSessionState.Connecting, $"connection lost ({reason}); trying {CurrentRemote}", lost);
                }
                RetryAt = now + _backoff.NextDelayAfterDisconnect();
                return Move(IdlSessionState.Backoff, $"connection lost ({reason}); reconnecting in {Seconds(RetryAt.Value - now)}");
            case IdlSessionState.Idle:
            case IdlSessionState.Connecting:
            case IdlSessionState.Checking:
            case IdlSessionState.Backoff:
            case IdlSessionState.Stopped:
            default:
                throw Invalid(nameof(Lost));
        }
    }

    /// <summary>Ends the backoff when its time has come; returns null while it has not.</summary>
    public IdlTransition? RetryDue(DateTimeOffset now)
    {
        switch (State)
        {
            case IdlSessionState.Backoff:
                if (now < RetryAt)
                {
                    return null;
                }
                RetryAt = null;
                return Move(IdlSessionState.Connecting, "backoff elapsed");
            case IdlSessionState.Idle:
            case IdlSessionState.Connecting:
            case IdlSessionState.Checking:
            case IdlSessionState.Active:
            case IdlSessionState.Stopped:
            default:
                throw Invalid(nameof(RetryDue));
        }
    }

    /// <summary>Stops for good (from any state).</summary>
    public IdlTransition Stop(DateTimeOffset now, string reason)
    {
        _ = now;
        RetryAt = null;
        return Move(IdlSessionState.Stopped, reason);
    }

    private IdlTransition Next(DateTimeOffset now, string reason, bool skipped)
    {
        _attemptsThisRound++;
        if (skipped)
        {
            _skipsThisRound++;
        }
        string remote = CurrentRemote;
        Advance();
        if (_attemptsThisRound >= _remotes.Count)
        {
            LastRoundOnlyFailures = _skipsThisRound == 0;
            // Servers that answered but could not be used are most likely in the middle of an election, which
            // lasts about one election timeout: look again after the minimum wait rather than backing off
            // further. Only rounds where nothing answered double the wait.
            TimeSpan delay = _skipsThisRound > 0 ? _backoff.MinBackoff : _backoff.NextDelayAfterFailure();
            _attemptsThisRound = 0;
            _skipsThisRound = 0;
            RetryAt = now + delay;
            return Move(IdlSessionState.Backoff, $"{reason}; no usable server among {_remotes.Count}, next round in {Seconds(delay)}", remote);
        }
        return Move(IdlSessionState.Connecting, $"{reason}; trying {CurrentRemote}", remote);
    }

    private void Advance()
    {
        _current = (_current + 1) % _remotes.Count;
    }

    private IdlTransition Move(IdlSessionState to, string reason, string? remote = null)
    {
        var transition = new IdlTransition(State, to, remote ?? CurrentRemote, reason);
        State = to;
        return transition;
    }

    private static string Seconds(TimeSpan delay) => $"{delay.TotalSeconds:0.###} s";

    private InvalidOperationException Invalid(string input) => new($"{input} is not valid in state {State}");
}
