// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

/// <summary>
/// One link of a bond and its state (OVS <c>struct bond_member</c>). Read-only for callers: the owning
/// <see cref="Bond"/> changes it through its inputs and <see cref="Bond.Run"/>.
/// </summary>
public sealed class BondMember
{
    internal BondMember(string name, MacAddress mac, MemberSettings settings, int index)
    {
        Name = name;
        Mac = mac;
        Settings = settings;
        Index = index;
    }

    /// <summary>The interface name.</summary>
    public string Name { get; }

    /// <summary>The interface's Ethernet address, used to remember the active member across restarts.</summary>
    public MacAddress Mac { get; internal set; }

    /// <summary>The member's position in <see cref="Bond.Members"/> (registration order), the index the packet path uses.</summary>
    public int Index { get; internal set; }

    /// <summary>True when the member may carry traffic.</summary>
    public bool Enabled { get; internal set; }

    /// <summary>Where the member stands in the §B.3 machine: enabled or disabled, and whether a delay is running.</summary>
    public BondMemberState State => (Enabled, DelayExpiresMs.HasValue) switch
    {
        (true, false) => BondMemberState.Enabled,
        (true, true) => BondMemberState.DisablePending,
        (false, false) => BondMemberState.Disabled,
        (false, true) => BondMemberState.EnablePending,
    };

    /// <summary>The latest carrier reported by the netdev.</summary>
    public bool Carrier { get; internal set; }

    /// <summary>
    /// The client's verdict that the member is usable (LACP, BFD and CFM gates passed); false while carrier is down,
    /// as in OVS, where <c>may_enable</c> includes carrier.
    /// </summary>
    public bool MayEnable => Carrier && GatesPassed;

    /// <summary>The LACP/BFD/CFM part of <see cref="MayEnable"/>, as last passed to <see cref="Bond.SetMemberLink"/>.</summary>
    internal bool GatesPassed { get; set; } = true;

    /// <summary>When the pending updelay (member disabled) or downdelay (member enabled) ends, in ms; null when none.</summary>
    public long? DelayExpiresMs { get; internal set; }

    /// <summary>The member's SharpSwitch settings.</summary>
    public MemberSettings Settings { get; internal set; }

    /// <summary>True when this member is the bond's configured primary.</summary>
    public bool IsPrimary { get; internal set; }

    /// <summary>
    /// When the member last became usable without interruption: the time it was enabled, or the time its link came
    /// back during a downdelay. Null while disabled or while its link is down. The failback hold-down counts from here.
    /// </summary>
    public long? StableSinceMs { get; internal set; }

    /// <summary>How many times this member's link was seen going down.</summary>
    public long LinkDownCount { get; internal set; }

    /// <summary>How many times this member was enabled.</summary>
    public long EnableCount { get; internal set; }

    /// <summary>How many times this member was disabled.</summary>
    public long DisableCount { get; internal set; }

    /// <summary>The link state the transition rule acts on: carrier, gates, and no maintenance disable.</summary>
    internal bool IsUp => Carrier && GatesPassed && !Settings.MaintenanceDisabled;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({(Enabled ? "enabled" : "disabled")})";
}

/// <summary>The states of a member in the §B.3 machine.</summary>
public enum BondMemberState
{
    /// <summary>Disabled, and its link agrees (or nothing has been decided yet).</summary>
    Disabled,

    /// <summary>Disabled, with its link up: enabled when the updelay ends.</summary>
    EnablePending,

    /// <summary>Enabled and carrying traffic as chosen.</summary>
    Enabled,

    /// <summary>Enabled, with its link down: disabled when the downdelay ends (it still carries traffic meanwhile).</summary>
    DisablePending,
}

/// <summary>Cumulative counters of one bond, for status export.</summary>
public sealed class BondCounters
{
    /// <summary>Active-member changes forced by the loss (disable or removal) of the active member.</summary>
    public long Failovers { get; internal set; }

    /// <summary>Active-member changes made by the failback policy while the active member was still healthy.</summary>
    public long Failbacks { get; internal set; }

    /// <summary>Member links seen going down (every <c>link state down</c>), absorbed by a downdelay or not.</summary>
    public long Flaps { get; internal set; }

    /// <summary>Active-member changes made with <c>bond/set-active-member</c>.</summary>
    public long OperatorChanges { get; internal set; }

    /// <summary>Times every member became disabled at once (<c>all members disabled</c>).</summary>
    public long AllMembersDisabled { get; internal set; }

    /// <summary>Hash buckets moved to another member by rebalancing or <c>bond/migrate</c>.</summary>
    public long BucketMoves { get; internal set; }

    /// <summary>When the active member last changed, in ms; null if never.</summary>
    public long? LastActiveChangeMs { get; internal set; }

    /// <summary>Why the active member last changed; null if never.</summary>
    public string? LastActiveChangeReason { get; internal set; }
}
