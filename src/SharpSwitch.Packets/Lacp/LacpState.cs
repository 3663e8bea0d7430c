// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets;

/// <summary>The eight state bits of an LACP actor or partner (IEEE 802.1AX), with OVS's meanings in the comments.</summary>
[Flags]
public enum LacpState : byte
{
    /// <summary>No bit set.</summary>
    None = 0,

    /// <summary>Active LACP (OVS: <c>lacp=active</c>); clear means passive.</summary>
    Activity = 0x01,

    /// <summary>Short timeout requested (OVS: <c>lacp-time=fast</c>).</summary>
    Timeout = 0x02,

    /// <summary>The link may aggregate (OVS: the port has more than one member).</summary>
    Aggregation = 0x04,

    /// <summary>The link is in sync with its aggregator (OVS: the member is attached).</summary>
    Synchronization = 0x08,

    /// <summary>Collecting frames (OVS also sets it while not negotiated).</summary>
    Collecting = 0x10,

    /// <summary>Distributing frames (OVS: same as <see cref="Collecting"/>).</summary>
    Distributing = 0x20,

    /// <summary>The partner information is the administrative default, not received.</summary>
    Defaulted = 0x40,

    /// <summary>The receive machine is in the expired state.</summary>
    Expired = 0x80,
}
