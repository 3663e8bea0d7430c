// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.JsonRpc;

/// <summary>Settings of one <see cref="JsonRpcConnection"/>.</summary>
public sealed class JsonRpcConnectionOptions
{
    /// <summary>The inactivity probe interval OVS uses on TCP connections.</summary>
    public static readonly TimeSpan DefaultProbeInterval = TimeSpan.FromSeconds(5);

    /// <summary>The clock behind the inactivity probe; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// After this long without receiving anything the connection sends an <c>echo</c> probe, and after the same time
    /// again without an answer it disconnects. Null disables probing, as OVS does on Unix sockets.
    /// </summary>
    public TimeSpan? InactivityProbeInterval { get; init; }

    /// <summary>
    /// When true, <see cref="JsonRpcConnection.ReceiveAsync"/> returns leased messages (<see cref="JsonRpcMessage.ParseLeased"/>):
    /// their members read pooled memory that stays valid only until the receiver disposes the message, which it must
    /// do before it keeps nothing of it (it copies with <c>Clone</c> whatever it keeps). Off by default, because most
    /// receivers keep parts of what they receive.
    /// </summary>
    public bool LeaseReceivedMessages { get; init; }

    /// <summary>The largest single message accepted; larger ones are a protocol error.</summary>
    public int MaxMessageBytes { get; init; } = JsonStreamFramer.DefaultMaxMessageBytes;

    /// <summary>Options for a connection over the given address: probes on TCP, none on Unix sockets.</summary>
    public static JsonRpcConnectionOptions ForAddress(JsonRpcAddress address, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new JsonRpcConnectionOptions
        {
            TimeProvider = timeProvider ?? TimeProvider.System,
            InactivityProbeInterval = address.IsTcp ? DefaultProbeInterval : null,
        };
    }
}
