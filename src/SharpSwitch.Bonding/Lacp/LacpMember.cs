// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

/// <summary>The receive state of one LACP member (bonding-spec.md §D.3).</summary>
public enum LacpMemberStatus
{
    /// <summary>A PDU arrived within the receive timeout.</summary>
    Current,

    /// <summary>The receive timer ran out once; the partner's info is kept, with Sync cleared and Timeout set.</summary>
    Expired,

    /// <summary>No partner: the partner info is zeroed.</summary>
    Defaulted,
}

/// <summary>The counters of one member, as <c>lacp/show-stats</c> prints them (§D.10), plus SharpSwitch's own.</summary>
public sealed class LacpMemberCounters
{
    /// <summary>LACPDUs sent.</summary>
    public uint TxPdus { get; internal set; }

    /// <summary>Every Slow Protocols frame received, good or bad.</summary>
    public uint RxPdus { get; internal set; }

    /// <summary>Frames that were neither LACP nor Marker.</summary>
    public uint RxBadPdus { get; internal set; }

    /// <summary>Marker PDUs received (subtype 2).</summary>
    public uint RxMarkerPdus { get; internal set; }

    /// <summary>Current → expired transitions by the receive timer.</summary>
    public uint LinkExpired { get; internal set; }

    /// <summary>Expired → defaulted transitions by the receive timer.</summary>
    public uint LinkDefaulted { get; internal set; }

    /// <summary>Carrier changes that changed the stored value.</summary>
    public uint CarrierStatusChanged { get; internal set; }

    /// <summary>SharpSwitch only: Marker Responses sent.</summary>
    public uint MarkerResponsesSent { get; internal set; }
}

/// <summary>One member of an <see cref="Lacp"/> object. Read-only outside the engine.</summary>
public sealed class LacpMember
{
    internal LacpMember(string name, LacpMemberSettings settings, bool carrierUp, int order)
    {
        Name = name;
        Settings = settings;
        CarrierUp = carrierUp;
        Order = order;
    }

    /// <summary>The interface name.</summary>
    public string Name { get; }

    /// <summary>The port id, priority and key.</summary>
    public LacpMemberSettings Settings { get; internal set; }

    /// <summary>Registration order (the key member is the earliest registered one).</summary>
    internal int Order { get; }

    /// <summary>The receive state.</summary>
    public LacpMemberStatus Status { get; internal set; } = LacpMemberStatus.Defaulted;

    /// <summary>Whether the member belongs to the aggregate (our Sync bit).</summary>
    public bool Attached { get; internal set; }

    /// <summary>The engine's belief about carrier; PDUs are neither sent nor accepted while it is down.</summary>
    public bool CarrierUp { get; internal set; }

    /// <summary>The partner's actor info as last received (modified by expiry, zeroed when defaulted).</summary>
    public LacpParticipantInfo Partner { get; internal set; }

    /// <summary>
    /// What the partner last said about us, then what we last sent: a PDU is due at once when our actor info differs
    /// from it in the fields of §D.3 ("need to transmit").
    /// </summary>
    internal LacpParticipantInfo NttActor { get; set; }

    /// <summary>When the receive timer fires (ms); <see cref="long.MinValue"/> = already due.</summary>
    public long RxDeadlineMs { get; internal set; } = long.MinValue;

    /// <summary>When the next periodic PDU is due (ms); <see cref="long.MinValue"/> = already due.</summary>
    public long TxDeadlineMs { get; internal set; } = long.MinValue;

    /// <summary>The counters for <c>lacp/show-stats</c>.</summary>
    public LacpMemberCounters Counters { get; } = new();
}
