// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Ovsdb.Idl;

/// <summary>What an <see cref="OvsdbIdl"/> replicates and how it talks to the server.</summary>
public sealed class IdlOptions
{
    /// <summary>The database to replicate, normally <c>Open_vSwitch</c>.</summary>
    public string Database { get; init; } = "Open_vSwitch";

    /// <summary>
    /// The tables to monitor and, for each, the columns (null = every column of that table). Null monitors every
    /// table with every column. Unknown names are ignored, as OVS ignores columns a schema lacks.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyCollection<string>?>? Tables { get; init; }

    /// <summary>A lock to take at connect time and to assert in every transaction (ovs-vswitchd uses <c>ovs_vswitchd</c>).</summary>
    public string? LockName { get; init; }

    /// <summary>The id of the first request (ovs-vsctl starts at 1, most other clients at 0).</summary>
    public long FirstRequestId { get; init; }

    /// <summary>Reconnect with backoff when the connection drops; when false a lost connection stays lost.</summary>
    public bool Reconnect { get; init; } = true;

    /// <summary>The clock for backoff delays and the inactivity probe.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Opens the connection instead of dialling the remote, for the first connection and every reconnection. The lab
    /// uses it to reach an in-process server over an in-memory pipe, so that it speaks the same JSON-RPC as over a
    /// socket; null dials the remote's socket.
    /// </summary>
    public Func<CancellationToken, Task<SharpSwitch.JsonRpc.JsonRpcConnection>>? Connect { get; init; }

    /// <summary>
    /// For a clustered database, follow only the cluster leader (OVS's default). Turning it off lets a read-only
    /// client stay on a follower; writes still work there (the follower forwards them) but see the leader's changes
    /// a little later.
    /// </summary>
    public bool LeaderOnly { get; init; } = true;

    /// <summary>Shuffle a comma-separated remote list once before use, as OVS does, so that clients spread out.</summary>
    public bool ShuffleRemotes { get; init; } = true;

    /// <summary>Seed for the shuffle, so that a test always sees the same order; null uses a random seed.</summary>
    public int? RemoteSeed { get; init; }

    /// <summary>
    /// When every remote fails at the first connection, keep retrying with backoff instead of throwing (a daemon's
    /// behaviour, while a one-shot tool gives up). Servers that answer but are unsuitable (a follower, a server out of
    /// its cluster) are always retried, because a leader usually appears within an election timeout.
    /// </summary>
    public bool RetryInitialConnection { get; init; }

    /// <summary>The shortest wait between rounds of failed connection attempts.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between rounds of failed connection attempts.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// Told about every step of the connection state machine (connect, skip a follower, stale server, lost, backoff),
    /// each with its reason; it runs on the IDL's connection task and must not block.
    /// </summary>
    public Action<IdlTransition>? OnTransition { get; init; }
}
