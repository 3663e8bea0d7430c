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
}
