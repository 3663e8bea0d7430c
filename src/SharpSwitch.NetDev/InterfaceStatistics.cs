// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.NetDev;

/// <summary>
/// A snapshot of one device's counters, named as OVS names the keys of <c>Interface.statistics</c>.
/// </summary>
public readonly record struct InterfaceStatistics
{
    /// <summary>Frames handed to the switch (rx_packets).</summary>
    public long RxPackets { get; init; }

    /// <summary>Bytes handed to the switch (rx_bytes).</summary>
    public long RxBytes { get; init; }

    /// <summary>Frames sent (tx_packets).</summary>
    public long TxPackets { get; init; }

    /// <summary>Bytes sent (tx_bytes).</summary>
    public long TxBytes { get; init; }

    /// <summary>Frames that arrived but found no room (full receive queue, device down) (rx_dropped).</summary>
    public long RxDropped { get; init; }

    /// <summary>Frames the device could not send (no carrier, admin down, oversized) (tx_dropped).</summary>
    public long TxDropped { get; init; }

    /// <summary>Received frames that were malformed (rx_errors).</summary>
    public long RxErrors { get; init; }

    /// <summary>Transmit errors (tx_errors).</summary>
    public long TxErrors { get; init; }

    /// <summary>Frame alignment errors (rx_frame_err); always 0 for software devices.</summary>
    public long RxFrameErrors { get; init; }

    /// <summary>Receive overruns (rx_over_err).</summary>
    public long RxOverErrors { get; init; }

    /// <summary>CRC errors (rx_crc_err); 0 for software devices unless a cable stage corrupts frames (the lab's impairments).</summary>
    public long RxCrcErrors { get; init; }

    /// <summary>Frames missed by the receiver (rx_missed_errors).</summary>
    public long RxMissedErrors { get; init; }

    /// <summary>Collisions (collisions); always 0 for software devices.</summary>
    public long Collisions { get; init; }

    /// <summary>Received frames with a group destination address, broadcast included (rx_multicast_packets).</summary>
    public long RxMulticastPackets { get; init; }

    /// <summary>
    /// The counters as the (key, value) pairs OVS writes into <c>Interface.statistics</c>, in OVS's order
    /// (OVSDB sorts map keys on the wire anyway).
    /// </summary>
    public IEnumerable<KeyValuePair<string, long>> ToOvsdbPairs()
    {
        yield return new("rx_packets", RxPackets);
        yield return new("tx_packets", TxPackets);
        yield return new("rx_bytes", RxBytes);
        yield return new("tx_bytes", TxBytes);
        yield return new("rx_dropped", RxDropped);
        yield return new("tx_dropped", TxDropped);
        yield return new("rx_errors", RxErrors);
        yield return new("tx_errors", TxErrors);
        yield return new("rx_frame_err", RxFrameErrors);
        yield return new("rx_over_err", RxOverErrors);
        yield return new("rx_crc_err", RxCrcErrors);
        yield return new("rx_missed_errors", RxMissedErrors);
        yield return new("collisions", Collisions);
        yield return new("rx_multicast_packets", RxMulticastPackets);
    }
}
