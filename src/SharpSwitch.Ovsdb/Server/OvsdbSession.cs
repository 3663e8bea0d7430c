// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.JsonRpc;

namespace SharpSwitch.Ovsdb.Server;

/// <summary>
/// A <c>transact</c>: first run straight from the request (whose JSON may be leased memory that lives only while the
/// request is handled), and kept, blocked on a <c>wait</c> with a timeout, as a <see cref="Detach">detached</see> copy
/// that is re-run after each commit.
/// </summary>
internal sealed record PendingTransact(JsonElement Id, ServedDatabase Database, IReadOnlyList<JsonElement> Operations, long StartedMs, long? DeadlineMs, bool Detached = false)
{
    /// <summary>
    /// The same request with its own copy of the id and operations. Only a transaction that has to wait is copied:
    /// most run once, and copying their operations (with 1000 ports, an add-port's two 1000-element sets) was the
    /// biggest allocation of a request after parsing it.
    /// </summary>
    public PendingTransact Detach() => Detached ? this : this with
    {
        Id = Id.Clone(),
        Operations = [.. Operations.Select(operation => operation.Clone())],
        Detached = true,
    };
}

/// <summary>
/// The server-side state of one client connection: its monitors, blocked transactions and flags. Messages for the
/// client go through <see cref="Send"/>, in the order the engine produces them.
/// </summary>
public sealed class OvsdbSession
{
    private readonly Action<JsonRpcMessage> _send;

    /// <summary>Creates a session whose outgoing messages are handed to <paramref name="send"/>, in order.</summary>
    public OvsdbSession(string name, Action<JsonRpcMessage> send)
    {
        Name = name;
        _send = send;
    }

    /// <summary>A name for log messages.</summary>
    public string Name { get; }

    /// <summary>True after <c>set_db_change_aware true</c>.</summary>
    public bool DbChangeAware { get; internal set; }

    internal List<Monitor> Monitors { get; } = [];

    internal List<PendingTransact> Pending { get; } = [];

    internal bool Closed { get; set; }

    internal void Send(JsonRpcMessage message)
    {
        if (!Closed)
        {
            _send(message);
        }
    }

    internal Monitor? FindMonitor(JsonElement id) => Monitors.FirstOrDefault(m => JsonElement.DeepEquals(m.Id, id));
}
