// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

/// <summary>
/// The text of the <c>bond/list</c> and <c>bond/show</c> unixctl replies, byte for byte as OVS 3.1 prints them.
/// Lines for SharpSwitch's own keys appear only when such a key is set, after OVS's lines of their section, and all
/// start with <c>sharpswitch </c>.
/// </summary>
public static class BondText
{
    /// <summary>The reply of <c>bond/list</c> for the given bonds, in the order given.</summary>
    public static string RenderList(IEnumerable<Bond> bonds)
    {
        ArgumentNullException.ThrowIfNull(bonds);
        var text = new StringBuilder();
        text.Append("bond\ttype\trecircID\tmembers\n");
        foreach (Bond bond in bonds)
        {
            text.Append(bond.Name).Append('\t')
                .Append(bond.Settings.Mode.ToOvsString()).Append('\t')
                .Append(bond.RecirculationId.ToString(CultureInfo.InvariantCulture)).Append('\t');
            for (int i = 0; i < bond.Members.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(", ");
                }
                text.Append(bond.Members[i].Name);
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The reply of <c>bond/show</c> with no argument: every bond's block, in the order given.</summary>
    public static string RenderShow(IEnumerable<Bond> bonds, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(bonds);
        var text = new StringBuilder();
        foreach (Bond bond in bonds)
        {
            AppendShow(text, bond, nowMs);
        }
        return text.ToString();
    }

    /// <summary>The reply of <c>bond/show BOND</c> at time <paramref name="nowMs"/> (delays print as time left).</summary>
    public static string RenderShow(Bond bond, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(bond);
        var text = new StringBuilder();
        AppendShow(text, bond, nowMs);
        return text.ToString();
    }

    private static void AppendShow(StringBuilder text, Bond bond, long nowMs)
    {
        BondSettings settings = bond.Settings;
        IFormatProvider invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $"---- {bond.Name} ----\n");
        text.Append(invariant, $"bond_mode: {settings.Mode.ToOvsString()}\n");
        bool mayRecirculate = bond.MayRecirculate;
        long recirculationId = mayRecirculate ? bond.RecirculationId : -1;
        text.Append(invariant, $"bond may use recirculation: {(mayRecirculate ? "yes" : "no")}, Recirc-ID : {recirculationId}\n");
        text.Append(invariant, $"bond-hash-basis: {settings.HashBasis}\n");
        bool lbOutput = bond.UsesLbOutputAction;
        long bondId = lbOutput ? bond.RecirculationId : -1;
        text.Append(invariant, $"lb_output action: {(lbOutput ? "enabled" : "disabled")}, bond-id: {bondId}\n");
        if (settings.Mode == BondMode.BalanceSlb)
        {
            text.Append(invariant, $"all members active: {Lower(bond.AllMembersActive)}\n");
        }
        text.Append(invariant, $"updelay: {settings.UpDelayMs} ms\n");
        text.Append(invariant, $"downdelay: {settings.DownDelayMs} ms\n");
        if (bond.IsBalanced)
        {
            text.Append(invariant, $"next rebalance: {bond.NextRebalanceMs(nowMs) - nowMs} ms\n");
        }
        text.Append(invariant, $"lacp_status: {bond.LacpStatus.ToOvsString()}\n");
        text.Append(invariant, $"lacp_fallback_ab: {Lower(settings.LacpFallbackAb)}\n");

        bool primaryFound = false;
        foreach (BondMember member in bond.Members)
        {
            primaryFound |= member.IsPrimary;
        }
        text.Append("active-backup primary: ").Append(settings.Primary ?? "<none>");
        if (settings.Primary is not null && !primaryFound)
        {
            text.Append(" (no such member)");
        }
        text.Append('\n');

        // OVS names the member that owns the remembered MAC, not the active member itself.
        BondMember? macOwner = null;
        foreach (BondMember member in bond.Members)
        {
            if (member.Mac == bond.ActiveMemberMac)
            {
                macOwner = member;
                break;
            }
        }
        text.Append(invariant, $"active member mac: {bond.ActiveMemberMac}({macOwner?.Name ?? "none"})\n");

        if (settings.Failback is FailbackPolicy policy)
        {
            text.Append(invariant, $"sharpswitch bond-failback: {policy.ToOvsdbString()}\n");
        }
        if (settings.FailbackDelayMs != 0)
        {
            text.Append(invariant, $"sharpswitch bond-failback-delay: {settings.FailbackDelayMs} ms\n");
        }

        BondMember[] sorted = bond.Members.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        long holdDownEndMs = bond.FailbackHoldDownEndMs;
        foreach (BondMember member in sorted)
        {
            text.Append(invariant, $"\nmember {member.Name}: {(member.Enabled ? "enabled" : "disabled")}\n");
            if (ReferenceEquals(member, bond.ActiveMember))
            {
                text.Append("  active member\n");
            }
            if (member.DelayExpiresMs is long expires)
            {
                text.Append(invariant, $"  {(member.Enabled ? "downdelay" : "updelay")} expires in {expires - nowMs} ms\n");
            }
            text.Append(invariant, $"  may_enable: {Lower(member.MayEnable)}\n");
            if (bond.IsBalanced)
            {
                // Every bucket of this member with at least 1 kB of load, in bucket order, as OVS prints them.
                for (int bucket = 0; bucket < BondHash.BucketCount; bucket++)
                {
                    ulong kilobytes = bond.GetBucketTxBytes(bucket) / 1024;
                    if (kilobytes != 0 && ReferenceEquals(bond.GetBucketMember(bucket), member))
                    {
                        text.Append(invariant, $"  hash {bucket}: {kilobytes} kB load\n");
                    }
                }
            }
            if (member.Settings.Priority != 0)
            {
                text.Append(invariant, $"  sharpswitch bond-member-priority: {member.Settings.Priority}\n");
            }
            if (member.Settings.MaintenanceDisabled)
            {
                text.Append("  sharpswitch bond-member-disabled: true\n");
            }
            if (ReferenceEquals(member, bond.FailbackHoldDownCandidate))
            {
                text.Append(invariant, $"  sharpswitch failback hold-down expires in {holdDownEndMs - nowMs} ms\n");
            }
        }
        text.Append('\n');
    }

    private static string Lower(bool value) => value ? "true" : "false";
}
