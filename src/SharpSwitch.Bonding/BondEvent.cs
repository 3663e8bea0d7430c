// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding;

/// <summary>What happened in a <see cref="BondEvent"/>.</summary>
public enum BondEventKind
{
    /// <summary>A member's link (carrier and may_enable) was seen up: <c>member X: link state up</c>.</summary>
    LinkUp,

    /// <summary>A member's link was seen down: <c>member X: link state down</c>.</summary>
    LinkDown,

    /// <summary>An updelay started: <c>member X: will be enabled if it stays up for N ms</c>.</summary>
    WillBeEnabled,

    /// <summary>A downdelay started: <c>member X: will be disabled if it stays down for N ms</c>.</summary>
    WillBeDisabled,

    /// <summary>A pending updelay was cancelled: <c>member X: will not be enabled</c>.</summary>
    WillNotBeEnabled,

    /// <summary>A pending downdelay was cancelled: <c>member X: will not be disabled</c>.</summary>
    WillNotBeDisabled,

    /// <summary>A member may now carry traffic: <c>member X: enabled</c>.</summary>
    Enabled,

    /// <summary>A member may no longer carry traffic: <c>member X: disabled</c>.</summary>
    Disabled,

    /// <summary>An active member was chosen: <c>bond B: active member is now X</c> (possibly with the updelay-skip tail).</summary>
    ActiveChanged,

    /// <summary>No member can be active: <c>bond B: all members disabled</c>.</summary>
    AllMembersDisabled,

    /// <summary>A failback is due but waits for the <c>bond-failback-delay</c> hold-down (SharpSwitch only).</summary>
    FailbackHeld,

    /// <summary>A member joined the bond (SharpSwitch only; OVS logs nothing).</summary>
    MemberAdded,

    /// <summary>A member left the bond (SharpSwitch only).</summary>
    MemberRemoved,

    /// <summary>The bond's LACP status changed (SharpSwitch only; the LACP module has its own log).</summary>
    LacpStatusChanged,

    /// <summary>The bond or one of its members was reconfigured (SharpSwitch only).</summary>
    Reconfigured,

    /// <summary>
    /// Rebalancing moved a hash bucket: <c>bond B: shift NkB of load (with hash H) from X to Y (now carrying AkB and BkB
    /// load, respectively)</c>. <see cref="BondEvent.Member"/> is the member that takes the bucket.
    /// </summary>
    LoadShifted,

    /// <summary>An operator moved a bucket with <c>bond/migrate</c> (SharpSwitch only; OVS logs nothing).</summary>
    BucketMigrated,

    /// <summary>The bond drops every packet, e.g. balance-tcp without negotiated LACP (SharpSwitch only; OVS is silent).</summary>
    DroppingAllTraffic,

    /// <summary>A bond that dropped every packet carries traffic again (SharpSwitch only).</summary>
    TrafficResumed,
}

/// <summary>
/// One state change of a bond. <see cref="Message"/> is the exact text OVS 3.1 logs for it (module <c>bond</c>, level
/// INFO) when OVS logs one, and a SharpSwitch sentence otherwise; <see cref="Reason"/> says why it happened.
/// Events are never rate-limited, unlike OVS's log lines.
/// </summary>
/// <param name="TimeMs">The bond's clock, in ms, when the change took effect.</param>
/// <param name="Bond">The bond's name.</param>
/// <param name="Member">The member concerned, or null for bond-wide events.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Message">The log text.</param>
/// <param name="Reason">Why, e.g. <c>carrier lost</c> or <c>operator: bond/set-active-member</c>.</param>
public readonly record struct BondEvent(long TimeMs, string Bond, string? Member, BondEventKind Kind, string Message, string Reason)
{
    /// <summary>True when <see cref="Message"/> is a line OVS 3.1 itself logs, false for SharpSwitch-only events.</summary>
    public bool IsOvsLogLine => Kind switch
    {
        BondEventKind.FailbackHeld or BondEventKind.MemberAdded or BondEventKind.MemberRemoved
            or BondEventKind.LacpStatusChanged or BondEventKind.Reconfigured or BondEventKind.BucketMigrated
            or BondEventKind.DroppingAllTraffic or BondEventKind.TrafficResumed => false,
        _ => true,
    };

    /// <summary>The event as one timeline line: time, message and reason.</summary>
    public override string ToString() => $"{TimeMs} ms {Message} ({Reason})";
}

/// <summary>Receives every state change of a bond, in order, on the thread that drives the bond.</summary>
public interface IBondEventSink
{
    /// <summary>Called once per state change; must not call back into the bond.</summary>
    void OnEvent(in BondEvent e);
}

/// <summary>Thrown by the bond's operator commands with the exact error text OVS replies (e.g. <c>no such member</c>).</summary>
public sealed class BondCommandException : Exception
{
    /// <summary>Creates the exception with the reply text.</summary>
    public BondCommandException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the reply text and a cause.</summary>
    public BondCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic text.</summary>
    public BondCommandException()
        : base("bond command failed")
    {
    }
}
