// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding;

/// <summary>What changed in an LACP object.</summary>
public enum LacpEventKind
{
    /// <summary>A member's receive state moved (current, expired, defaulted).</summary>
    MemberStatusChanged,

    /// <summary>A member became attached to the aggregate.</summary>
    Attached,

    /// <summary>A member left the aggregate.</summary>
    Detached,

    /// <summary>The object's negotiated flag changed (bond lacp_status).</summary>
    NegotiatedChanged,

    /// <summary>A member's partner is our own system (OVS WARN).</summary>
    LoopbackDetected,

    /// <summary>A PDU arrived while carrier was believed down and was dropped (OVS INFO).</summary>
    DroppedCarrierDown,

    /// <summary>A frame was neither LACP nor Marker (OVS WARN).</summary>
    UnparsablePdu,

    /// <summary>A member's carrier changed.</summary>
    CarrierChanged,

    /// <summary>A Marker Request was answered (SharpSwitch only).</summary>
    MarkerAnswered,

    /// <summary>A member was added or removed, or its port settings changed.</summary>
    MemberConfigured,

    /// <summary>A member's partner system, key or port changed (SharpSwitch only).</summary>
    PartnerChanged,
}

/// <summary>
/// One change in an LACP object: the time, the member (null for object-wide events), the kind, the text (OVS's log
/// text where OVS logs one) and why it happened.
/// </summary>
public readonly record struct LacpEvent(long TimeMs, string Lacp, string? Member, LacpEventKind Kind, string Message, string Reason)
{
    /// <summary>True when OVS 3.1 logs this line (module <c>lacp</c>).</summary>
    public bool IsOvsLogLine => Kind switch
    {
        LacpEventKind.LoopbackDetected or LacpEventKind.DroppedCarrierDown or LacpEventKind.UnparsablePdu => true,
        LacpEventKind.MemberStatusChanged or LacpEventKind.Attached or LacpEventKind.Detached or LacpEventKind.NegotiatedChanged
            or LacpEventKind.CarrierChanged or LacpEventKind.MarkerAnswered or LacpEventKind.MemberConfigured
            or LacpEventKind.PartnerChanged => false,
    };

    /// <inheritdoc />
    public override string ToString() => $"{TimeMs} ms {Message} ({Reason})";
}
