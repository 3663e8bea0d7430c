// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

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

    /// <summary>
    /// <c>bond/migrate</c>: moves hash bucket <paramref name="hash"/> (decimal digits, taken mod 256 as OVS's
    /// <c>atoi(hash) &amp; 0xff</c>) to an enabled member. balance-slb only, as in OVS. Returns <c>migrated</c>. The move
    /// lasts until rebalancing or a failure moves the bucket again.
    /// </summary>
    /// <exception cref="BondCommandException">
    /// <c>not an SLB bond</c>, <c>bad hash</c>, <c>no such member</c> or <c>cannot migrate to disabled member</c>; and,
    /// where OVS 3.1 would dereference its missing bucket table, an SLB bond falling back to active-backup.
    /// </exception>
    public string Migrate(string hash, string member, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(hash);
        if (Settings.Mode != BondMode.BalanceSlb)
        {
            throw new BondCommandException("not an SLB bond");
        }
        if (!TryParseOvsHash(hash, out int bucket))
        {
            throw new BondCommandException("bad hash");
        }
        BondMember target = CommandMember(member);
        if (!target.Enabled)
        {
            throw new BondCommandException("cannot migrate to disabled member");
        }
        if (!_bucketsAllocated)
        {
            throw new BondCommandException("bond is falling back to active-backup and has no hash buckets");
        }
        string from = _bucketMembers[bucket]?.Name ?? "no member";
        MoveBucket(bucket, target);
        Counters.BucketMoves++;
        Emit(nowMs, target, BondEventKind.BucketMigrated, $"bond {Name}: hash {bucket} migrated from {from} to {target.Name}",
            "operator: bond/migrate");
        return "migrated";
    }

    /// <summary>
    /// OVS accepts any string of decimal digits (the empty one too, as 0) and applies <c>atoi</c>, which saturates at
    /// <c>LONG_MAX</c> before the int conversion; the bucket is the low 8 bits of that.
    /// </summary>
    private static bool TryParseOvsHash(string text, out int bucket)
    {
        ulong value = 0;
        bool saturated = false;
        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                bucket = 0;
                return false;
            }
            ulong digit = (ulong)(c - '0');
            if (!saturated && value > (long.MaxValue - digit) / 10)
            {
                saturated = true;
            }
            else if (!saturated)
            {
                value = (value * 10) + digit;
            }
        }
        bucket = saturated ? 0xFF : (int)(value & BondHash.BucketMask);
        return true;
    }
}
