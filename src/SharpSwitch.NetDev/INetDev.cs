// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.NetDev;

/// <summary>
/// A network interface as the datapath sees it (OVS's <c>struct netdev</c>): identity, link state, counters,
/// and batched receive and send of pooled buffers.
/// </summary>
/// <remarks>Implementations are single-threaded: the datapath that owns a device is its only caller.</remarks>
public interface INetDev
{
    /// <summary>The interface name (Interface.name).</summary>
    string Name { get; }

    /// <summary>The OVS interface type: <c>dummy</c>, <c>internal</c>, <c>system</c>, …</summary>
    string Type { get; }

    /// <summary>The device's own Ethernet address (Interface.mac_in_use).</summary>
    MacAddress Mac { get; }

    /// <summary>The MTU in bytes, Ethernet header excluded (Interface.mtu).</summary>
    int Mtu { get; }

    /// <summary>Administrative state (Interface.admin_state): false after <c>netdev-dummy/set-admin-state … down</c>.</summary>
    bool AdminUp { get; }

    /// <summary>Whether the link has carrier (Interface.link_state); never true while <see cref="AdminUp"/> is false.</summary>
    bool Carrier { get; }

    /// <summary>Incremented on every carrier change (Interface.link_resets), so a poller notices flaps it slept through.</summary>
    long LinkChangeSequence { get; }

    /// <summary>The live counters.</summary>
    NetDevCounters Counters { get; }

    /// <summary>An optional observer of every frame received and transmitted (for captures).</summary>
    IFrameSink? FrameSink { get; set; }

    /// <summary>Sets the administrative state, as <c>netdev-dummy/set-admin-state</c> or <c>ip link set … up|down</c> do.</summary>
    void SetAdminState(bool up);

    /// <summary>
    /// Moves waiting received frames into <paramref name="batch"/> until it is full or nothing waits; returns how many
    /// were added. The caller owns the buffers afterwards.
    /// </summary>
    int Receive(PacketBatch batch);

    /// <summary>
    /// Sends every frame in <paramref name="batch"/> and takes ownership of the buffers (they are delivered, or
    /// counted as dropped and returned to their pool); the batch is empty afterwards.
    /// </summary>
    void Send(PacketBatch batch);
}
