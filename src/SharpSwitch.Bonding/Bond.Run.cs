// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

public sealed partial class Bond
{
    /// <summary>
    /// Performs one iteration of the bond's control logic at <paramref name="nowMs"/>: the §B.3 transition rule for
    /// every member, then active-member reselection (§C.1/§C.2) or the failback policy. Returns true when enabled
    /// members or the active member changed, or anything else that requires flow revalidation.
    /// </summary>
    public bool Run(long nowMs)
    {
        EnsureRebalanceClock(nowMs);
        foreach (BondMember member in _members)
        {
            UpdateLinkStatus(member, nowMs);
        }

        if (_active is null)
        {
            ChooseActiveMember(nowMs, "no active member", countAsFailover: false);
        }
        else if (!_active.Enabled)
        {
            ChooseActiveMember(nowMs, $"active member {_active.Name} disabled", countAsFailover: true);
        }
        else
        {
            ApplyFailbackPolicy(nowMs);
        }

        RebalanceIfDue(nowMs);
        ReportTrafficDrop(nowMs);

        bool revalidate = _revalidate;
        _revalidate = false;
        return revalidate;
    }

    /// <summary>
    /// The §B.3 rule (OVS <c>bond_link_status_update</c>), plus SharpSwitch's maintenance disable, which acts at once
    /// and without the "link state" lines because the link itself has not changed.
    /// </summary>
    private void UpdateLinkStatus(BondMember member, long nowMs)
    {
        if (member.Settings.MaintenanceDisabled)
        {
            if (member.Enabled)
            {
                SetEnabled(member, false, nowMs, "maintenance: other_config:bond-member-disabled=true");
            }
            else if (member.DelayExpiresMs.HasValue)
            {
                member.DelayExpiresMs = null;
                Emit(nowMs, member, BondEventKind.WillNotBeEnabled, $"member {member.Name}: will not be enabled",
                    "maintenance: other_config:bond-member-disabled=true");
            }
            return;
        }

        bool up = member.IsUp;
        // Every (state, link) pair is listed, so the compiler proves the machine complete (CS8509).
        LinkTransition transition = (member.State, up) switch
        {
            (BondMemberState.Enabled, true) => LinkTransition.None,
            (BondMemberState.Disabled, false) => LinkTransition.None,
            (BondMemberState.Enabled, false) => LinkTransition.StartDowndelay,
            (BondMemberState.Disabled, true) => LinkTransition.StartUpdelay,
            (BondMemberState.DisablePending, true) => LinkTransition.CancelDowndelay,
            (BondMemberState.EnablePending, false) => LinkTransition.CancelUpdelay,
            (BondMemberState.DisablePending, false) => LinkTransition.None,
            (BondMemberState.EnablePending, true) => LinkTransition.None,
        };
        switch (transition)
        {
            case LinkTransition.None:
                break;
            case LinkTransition.StartUpdelay:
                ReportLinkUp(member, nowMs);
                StartDelay(member, up: true, Settings.UpDelayMs, nowMs);
                break;
            case LinkTransition.StartDowndelay:
                ReportLinkDown(member, nowMs);
                StartDelay(member, up: false, Settings.DownDelayMs, nowMs);
                break;
            case LinkTransition.CancelDowndelay:
                // The link came back before the downdelay ran out; the member stays enabled and is stable again.
                ReportLinkUp(member, nowMs);
                member.DelayExpiresMs = null;
                member.StableSinceMs = nowMs;
                Emit(nowMs, member, BondEventKind.WillNotBeDisabled, $"member {member.Name}: will not be disabled",
                    "link came back up within the downdelay");
                break;
            case LinkTransition.CancelUpdelay:
                ReportLinkDown(member, nowMs);
                member.DelayExpiresMs = null;
                Emit(nowMs, member, BondEventKind.WillNotBeEnabled, $"member {member.Name}: will not be enabled",
                    "link went down again within the updelay");
                break;
        }

        if (member.DelayExpiresMs is long expires && nowMs >= expires)
        {
            string reason = up
                ? (Settings.UpDelayMs == 0 ? "link up (no updelay)" : $"link stayed up for the {Settings.UpDelayMs} ms updelay")
                : (Settings.DownDelayMs == 0 ? $"{DescribeDown(member)} (no downdelay)" : $"link stayed down for the {Settings.DownDelayMs} ms downdelay");
            SetEnabled(member, up, nowMs, reason);
        }
    }

    /// <summary>What the §B.3 rule does with a member on one Run.</summary>
    private enum LinkTransition
    {
        None,
        StartUpdelay,
        StartDowndelay,
        CancelUpdelay,
        CancelDowndelay,
    }

    private void ReportLinkUp(BondMember member, long nowMs)
    {
        Emit(nowMs, member, BondEventKind.LinkUp, $"member {member.Name}: link state up", "carrier up and may_enable true");
    }

    private void ReportLinkDown(BondMember member, long nowMs)
    {
        member.LinkDownCount++;
        Counters.Flaps++;
        member.StableSinceMs = null;
        Emit(nowMs, member, BondEventKind.LinkDown, $"member {member.Name}: link state down", DescribeDown(member));
    }

    private void StartDelay(BondMember member, bool up, int delayMs, long nowMs)
    {
        member.DelayExpiresMs = nowMs + delayMs;
        if (delayMs == 0)
        {
            // OVS logs nothing for a zero delay; the member flips state below, in the same Run.
            return;
        }
        if (up)
        {
            Emit(nowMs, member, BondEventKind.WillBeEnabled,
                $"member {member.Name}: will be enabled if it stays up for {delayMs} ms", $"updelay {delayMs} ms");
        }
        else
        {
            Emit(nowMs, member, BondEventKind.WillBeDisabled,
                $"member {member.Name}: will be disabled if it stays down for {delayMs} ms", $"downdelay {delayMs} ms");
        }
    }

    private static string DescribeDown(BondMember member)
    {
        return !member.Carrier ? "carrier down" : "may_enable false (LACP, BFD or CFM)";
    }

    /// <summary>OVS <c>bond_enable_member</c>: clears the timer and, on a change, reports it and requests revalidation.</summary>
    private void SetEnabled(BondMember member, bool enable, long nowMs, string reason)
    {
        member.DelayExpiresMs = null;
        if (enable == member.Enabled)
        {
            return;
        }
        _revalidate = true;
        member.Enabled = enable;
        UpdateEnabledRing(member, enable);
        if (enable)
        {
            member.EnableCount++;
            member.StableSinceMs = member.IsUp ? nowMs : null;
            Emit(nowMs, member, BondEventKind.Enabled, $"member {member.Name}: enabled", reason);
        }
        else
        {
            member.DisableCount++;
            member.StableSinceMs = null;
            _sendLearningPackets = true;
            Emit(nowMs, member, BondEventKind.Disabled, $"member {member.Name}: disabled", reason);
        }
    }

    /// <summary>
    /// OVS <c>bond_choose_active_member</c>: picks a member by the §C.2 order and reports the outcome; when no member
    /// is enabled, the member whose updelay ends first is enabled at once.
    /// </summary>
    private void ChooseActiveMember(long nowMs, string trigger, bool countAsFailover)
    {
        BondMember? old = _active;
        (BondMember? chosen, string rule) = ChooseMember();
        _active = chosen;
        // A pending hold-down survives a failover to some other member; it ends if its candidate is now active or
        // nothing is.
        if (chosen is null || ReferenceEquals(chosen, _heldCandidate))
        {
            ClearHeldFailback();
        }
        if (chosen is not null)
        {
            string reason = $"{trigger}; chose {chosen.Name} ({rule})";
            if (chosen.Enabled)
            {
                Emit(nowMs, chosen, BondEventKind.ActiveChanged, $"bond {Name}: active member is now {chosen.Name}", reason);
            }
            else
            {
                long remainingMs = (chosen.DelayExpiresMs ?? nowMs) - nowMs;
                Emit(nowMs, chosen, BondEventKind.ActiveChanged,
                    $"bond {Name}: active member is now {chosen.Name}, skipping remaining {remainingMs} ms updelay (since no member was enabled)",
                    reason);
                SetEnabled(chosen, true, nowMs, "chosen as active member while no member was enabled (updelay skipped)");
            }
            _sendLearningPackets = true;
            if (!ReferenceEquals(chosen, old))
            {
                if (countAsFailover && old is not null)
                {
                    Counters.Failovers++;
                }
                ActiveMemberChanged(nowMs, reason);
            }
        }
        else if (old is not null)
        {
            Counters.AllMembersDisabled++;
            ActiveMemberChanged(nowMs, trigger);
            Emit(nowMs, null, BondEventKind.AllMembersDisabled, $"bond {Name}: all members disabled", trigger);
        }
    }

    /// <summary>
    /// OVS <c>bond_choose_member</c> with a deterministic tie-break: the enabled primary; else the enabled member with
    /// the remembered MAC; else the enabled member with the highest priority, then the smallest name (OVS takes the
    /// first in hash order, which is arbitrary); else the member whose pending updelay ends first.
    /// </summary>
    private (BondMember? Member, string Rule) ChooseMember()
    {
        foreach (BondMember member in _members)
        {
            if (member.IsPrimary && member.Enabled)
            {
                return (member, "primary");
            }
        }

        foreach (BondMember member in _members)
        {
            if (member.Mac == _activeMemberMac)
            {
                if (member.Enabled)
                {
                    return (member, "remembered active member MAC");
                }
                break;
            }
        }

        BondMember? best = BestEnabledByPriority();
        if (best is not null)
        {
            return (best, "highest priority, then name");
        }

        BondMember? soonest = null;
        foreach (BondMember member in _members)
        {
            if (member.DelayExpiresMs is not long expires || !member.MayEnable || member.Settings.MaintenanceDisabled)
            {
                continue;
            }
            if (soonest is null
                || expires < soonest.DelayExpiresMs!.Value
                || (expires == soonest.DelayExpiresMs.Value && Outranks(member, soonest)))
            {
                soonest = member;
            }
        }
        return (soonest, "earliest pending updelay");
    }

    private BondMember? BestEnabledByPriority()
    {
        BondMember? best = null;
        foreach (BondMember member in _members)
        {
            if (member.Enabled && (best is null || Outranks(member, best)))
            {
                best = member;
            }
        }
        return best;
    }

    /// <summary>Higher priority wins; equal priorities fall back to the ordinal order of names.</summary>
    private static bool Outranks(BondMember candidate, BondMember other)
    {
        if (candidate.Settings.Priority != other.Settings.Priority)
        {
            return candidate.Settings.Priority > other.Settings.Priority;
        }
        return string.CompareOrdinal(candidate.Name, other.Name) < 0;
    }

    /// <summary>
    /// Decides whether a healthy active member should give way to the preferred one (§C.1 condition 3 and
    /// SharpSwitch's policies), honouring the failback hold-down.
    /// </summary>
    private void ApplyFailbackPolicy(long nowMs)
    {
        BondMember active = _active!;
        bool ovsDefault = Settings.Failback is null;
        // OVS ties preemption to the configured mode (its fallback-AB quirk); an explicit SharpSwitch policy is
        // evaluated against the effective mode, so a bond falling back to active-backup fails back too.
        bool activeBackupLike = ovsDefault
            ? Settings.Mode == BondMode.ActiveBackup
            : Settings.Mode == BondMode.ActiveBackup || IsFallingBackToActiveBackup;
        if (!activeBackupLike)
        {
            ClearHeldFailback();
            return;
        }

        BondMember? candidate = null;
        switch (Settings.EffectiveFailback)
        {
            case FailbackPolicy.Never:
            case FailbackPolicy.Failure:
                break;
            case FailbackPolicy.Always:
                candidate = PreferredMember(ovsDefault);
                break;
            case FailbackPolicy.Better:
                candidate = PreferredMember(ovsDefault);
                if (candidate is not null && candidate.Settings.Priority <= active.Settings.Priority)
                {
                    candidate = null;
                }
                break;
        }

        if (candidate is null || ReferenceEquals(candidate, active))
        {
            ClearHeldFailback();
            return;
        }

        int holdDownMs = Settings.FailbackDelayMs;
        if (holdDownMs > 0)
        {
            if (candidate.StableSinceMs is not long stableSince)
            {
                // The candidate is enabled but its link is down inside a downdelay: not a failback target.
                ClearHeldFailback();
                return;
            }
            long dueMs = stableSince + holdDownMs;
            if (nowMs < dueMs)
            {
                _failbackWakeMs = dueMs;
                if (!ReferenceEquals(_heldCandidate, candidate) || _heldStableSinceMs != stableSince)
                {
                    _heldCandidate = candidate;
                    _heldStableSinceMs = stableSince;
                    Emit(nowMs, candidate, BondEventKind.FailbackHeld,
                        $"bond {Name}: failback to {candidate.Name} held for {dueMs - nowMs} ms (bond-failback-delay {holdDownMs} ms)",
                        $"{candidate.Name} enabled for {nowMs - stableSince} ms of the {holdDownMs} ms hold-down");
                }
                return;
            }
        }

        ClearHeldFailback();
        string reason = DescribeFailback(candidate, active, nowMs);
        _active = candidate;
        Emit(nowMs, candidate, BondEventKind.ActiveChanged, $"bond {Name}: active member is now {candidate.Name}", reason);
        _sendLearningPackets = true;
        Counters.Failbacks++;
        ActiveMemberChanged(nowMs, reason);
    }

    /// <summary>
    /// The member the policy wants active: the configured primary when it is a member (only while enabled), otherwise,
    /// for SharpSwitch policies, the enabled member with the highest priority (then name).
    /// </summary>
    private BondMember? PreferredMember(bool ovsDefault)
    {
        foreach (BondMember member in _members)
        {
            if (member.IsPrimary)
            {
                return member.Enabled ? member : null;
            }
        }
        return ovsDefault ? null : BestEnabledByPriority();
    }

    private string DescribeFailback(BondMember candidate, BondMember active, long nowMs)
    {
        string policy = Settings.Failback is FailbackPolicy explicitPolicy ? explicitPolicy.ToOvsdbString() : "ovs default";
        long enabledForMs = candidate.StableSinceMs is long since ? nowMs - since : 0;
        string who = candidate.IsPrimary ? $"primary {candidate.Name}" : $"{candidate.Name} (priority {candidate.Settings.Priority})";
        string tail = Settings.EffectiveFailback == FailbackPolicy.Better
            ? $", outranks {active.Name} (priority {active.Settings.Priority})"
            : "";
        return $"failback ({policy}): {who} enabled for {enabledForMs} ms{tail}";
    }

    private void ClearHeldFailback()
    {
        _heldCandidate = null;
        _failbackWakeMs = long.MaxValue;
    }

    /// <summary>OVS <c>bond_active_member_changed</c>, plus the 3.5 rule that an active change always revalidates.</summary>
    private void ActiveMemberChanged(long nowMs, string reason)
    {
        _activeMemberMac = _active?.Mac ?? MacAddress.Zero;
        _activeMacChanged = true;
        _revalidate = true;
        Counters.LastActiveChangeMs = nowMs;
        Counters.LastActiveChangeReason = reason;
    }
}
