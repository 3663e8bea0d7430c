// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding;

public sealed partial class Bond
{
    /// <summary>
    /// <c>bond/set-active-member</c>: makes an enabled member active at once and requests learning packets. Returns
    /// <c>done</c>, or <c>no change</c> when it already is. With OVS's default policy an enabled primary takes over
    /// again on the next <see cref="Run"/>, as in OVS.
    /// </summary>
    /// <exception cref="BondCommandException"><c>no such member</c> or <c>cannot make disabled member active</c>.</exception>
    public string SetActiveMember(string member, long nowMs)
    {
        BondMember target = CommandMember(member);
        if (!target.Enabled)
        {
            throw new BondCommandException("cannot make disabled member active");
        }
        if (ReferenceEquals(_active, target))
        {
            return "no change";
        }
        const string Reason = "operator: bond/set-active-member";
        _revalidate = true;
        _active = target;
        if (ReferenceEquals(target, _heldCandidate))
        {
            ClearHeldFailback();
        }
        Emit(nowMs, target, BondEventKind.ActiveChanged, $"bond {Name}: active member is now {target.Name}", Reason);
        _sendLearningPackets = true;
        Counters.OperatorChanges++;
        ActiveMemberChanged(nowMs, Reason);
        return "done";
    }

    /// <summary>
    /// <c>bond/enable-member</c>: enables a member at once and clears its timer. As in OVS this lasts only until the
    /// next <see cref="Run"/> sees the link down for the downdelay. A member under SharpSwitch's maintenance disable
    /// cannot be enabled this way.
    /// </summary>
    /// <exception cref="BondCommandException"><c>no such member</c>, or the member is in maintenance.</exception>
    public string EnableMember(string member, long nowMs)
    {
        BondMember target = CommandMember(member);
        if (target.Settings.MaintenanceDisabled)
        {
            throw new BondCommandException(
                $"member {target.Name} is disabled by other_config:bond-member-disabled=true; remove that key to enable it");
        }
        SetEnabled(target, true, nowMs, "operator: bond/enable-member");
        return "enabled";
    }

    /// <summary>
    /// <c>bond/disable-member</c>: disables a member at once and clears its timer. As in OVS this lasts only the
    /// updelay if the link is up (SharpSwitch's <c>bond-member-disabled</c> key is the persistent way).
    /// </summary>
    /// <exception cref="BondCommandException"><c>no such member</c>.</exception>
    public string DisableMember(string member, long nowMs)
    {
        BondMember target = CommandMember(member);
        SetEnabled(target, false, nowMs, "operator: bond/disable-member");
        return "disabled";
    }

    private BondMember CommandMember(string? name)
    {
        if (name is null)
        {
            throw new BondCommandException("no such member");
        }
        return FindMember(name) ?? throw new BondCommandException("no such member");
    }
}
