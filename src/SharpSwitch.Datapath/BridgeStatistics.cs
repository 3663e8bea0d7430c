// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Datapath;

/// <summary>
/// Why frames were dropped inside a bridge, counted per reason. Device counters (rx_errors, tx_dropped, …) say
/// what happened on the wire; these say what the NORMAL pipeline decided.
/// </summary>
public readonly record struct BridgeStatistics
{
    /// <summary>Frames the pipeline looked at.</summary>
    public long Processed { get; init; }

    /// <summary>Frames too short or with a truncated VLAN, IP or transport header (also counted as rx_errors on the device).</summary>
    public long Malformed { get; init; }

    /// <summary>Frames whose VLAN the input port does not carry.</summary>
    public long VlanDropped { get; init; }

    /// <summary>Frames to 01:80:c2:00:00:0x while forward-bpdu is off.</summary>
    public long ReservedMulticastDropped { get; init; }

    /// <summary>Frames a bond refused (backup member, or LACP not ready).</summary>
    public long BondAdmissionDropped { get; init; }

    /// <summary>Frames an SLB bond took for a reflection of our own flooding ("looped back").</summary>
    public long BondLoopDropped { get; init; }

    /// <summary>Frames whose destination was learned on the port they came in on.</summary>
    public long LearnedPortIsInputDropped { get; init; }

    /// <summary>Copies that could not be sent because a bond had no usable member.</summary>
    public long NoUsableMemberDropped { get; init; }

    /// <summary>Copies lost because the packet pool was exhausted.</summary>
    public long PoolExhaustedDropped { get; init; }

    /// <summary>Frames flooded (unknown unicast, broadcast, multicast).</summary>
    public long Flooded { get; init; }

    /// <summary>Frames sent to one learned port.</summary>
    public long ForwardedToLearnedPort { get; init; }

    /// <summary>RARP learning packets sent on bond members after failovers.</summary>
    public long LearningPacketsSent { get; init; }

    /// <summary>Slow Protocols frames (LACP) handed to a port's <see cref="ISlowProtocolsHandler"/> instead of forwarded.</summary>
    public long SlowProtocolsConsumed { get; init; }
}
