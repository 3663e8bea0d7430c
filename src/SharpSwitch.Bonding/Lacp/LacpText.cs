// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

/// <summary>
/// <c>lacp/show</c> and <c>lacp/show-stats</c> exactly as OVS 3.1 prints them (bonding-spec.md §E.4, §E.5): members
/// sorted by name (byte order), no blank line between objects.
/// </summary>
public static class LacpText
{
    /// <summary>The error reply for an unknown port.</summary>
    public const string NoSuchLacpObject = "no such lacp object";

    /// <summary><c>lacp/show</c> for the given objects, in the order given (OVS: creation order).</summary>
    public static string RenderShow(IEnumerable<Lacp> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var text = new StringBuilder();
        foreach (Lacp lacp in objects)
        {
            AppendShow(text, lacp);
        }
        return text.ToString();
    }

    /// <summary><c>lacp/show</c> for one object.</summary>
    public static string RenderShow(Lacp lacp) => RenderShow([lacp]);

    /// <summary><c>lacp/show-stats</c> for the given objects, in the order given.</summary>
    public static string RenderShowStats(IEnumerable<Lacp> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var text = new StringBuilder();
        foreach (Lacp lacp in objects)
        {
            AppendStats(text, lacp);
        }
        return text.ToString();
    }

    /// <summary><c>lacp/show-stats</c> for one object.</summary>
    public static string RenderShowStats(Lacp lacp) => RenderShowStats([lacp]);

    /// <summary>The state words OVS prints after <c>actor state:</c>, each preceded by a space.</summary>
    public static string StateWords(LacpState state)
    {
        var text = new StringBuilder();
        AppendIf(text, state, LacpState.Activity, " activity");
        AppendIf(text, state, LacpState.Timeout, " timeout");
        AppendIf(text, state, LacpState.Aggregation, " aggregation");
        AppendIf(text, state, LacpState.Synchronization, " synchronized");
        AppendIf(text, state, LacpState.Collecting, " collecting");
        AppendIf(text, state, LacpState.Distributing, " distributing");
        AppendIf(text, state, LacpState.Defaulted, " defaulted");
        AppendIf(text, state, LacpState.Expired, " expired");
        return text.ToString();
    }

    private static void AppendIf(StringBuilder text, LacpState state, LacpState bit, string word)
    {
        if ((state & bit) != 0)
        {
            text.Append(word);
        }
    }

    private static IEnumerable<LacpMember> Sorted(Lacp lacp) => lacp.Members.OrderBy(m => m.Name, StringComparer.Ordinal);

    private static void AppendShow(StringBuilder text, Lacp lacp)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        text.Append(c, $"---- {lacp.Name} ----\n");
        text.Append(c, $"  status: {(lacp.Settings.Active ? "active" : "passive")}{(lacp.Negotiated ? " negotiated" : "")}\n");
        text.Append(c, $"  sys_id: {lacp.Settings.SystemId}\n");
        text.Append(c, $"  sys_priority: {lacp.Settings.SystemPriority}\n");
        ushort? key = lacp.AggregationKey;
        text.Append(c, $"  aggregation key: {(key is { } k ? k.ToString(c) : "none")}\n");
        text.Append(c, $"  lacp_time: {(lacp.Settings.Fast ? "fast" : "slow")}\n");
        foreach (LacpMember member in Sorted(lacp))
        {
            LacpParticipantInfo actor = lacp.ComposeActor(member);
            LacpParticipantInfo partner = member.Partner;
            text.Append(c, $"\nmember: {member.Name}: {Lacp.StatusWord(member.Status)} {(member.Attached ? "attached" : "detached")}\n");
            text.Append(c, $"  port_id: {member.Settings.PortId}\n");
            text.Append(c, $"  port_priority: {member.Settings.PortPriority}\n");
            text.Append(c, $"  may_enable: {(lacp.PeekMayEnable(member) ? "true" : "false")}\n");
            text.Append(c, $"\n  actor sys_id: {actor.SystemId}\n");
            text.Append(c, $"  actor sys_priority: {actor.SystemPriority}\n");
            text.Append(c, $"  actor port_id: {actor.PortNumber}\n");
            text.Append(c, $"  actor port_priority: {actor.PortPriority}\n");
            text.Append(c, $"  actor key: {actor.Key}\n");
            text.Append(c, $"  actor state:{StateWords(actor.State)}\n\n");
            text.Append(c, $"  partner sys_id: {partner.SystemId}\n");
            text.Append(c, $"  partner sys_priority: {partner.SystemPriority}\n");
            text.Append(c, $"  partner port_id: {partner.PortNumber}\n");
            text.Append(c, $"  partner port_priority: {partner.PortPriority}\n");
            text.Append(c, $"  partner key: {partner.Key}\n");
            text.Append(c, $"  partner state:{StateWords(partner.State)}\n");
        }
    }

    private static void AppendStats(StringBuilder text, Lacp lacp)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        text.Append(c, $"---- {lacp.Name} statistics ----\n");
        foreach (LacpMember member in Sorted(lacp))
        {
            LacpMemberCounters n = member.Counters;
            text.Append(c, $"\nmember: {member.Name}:\n");
            text.Append(c, $"  TX PDUs: {n.TxPdus}\n");
            text.Append(c, $"  RX PDUs: {n.RxPdus}\n");
            text.Append(c, $"  RX Bad PDUs: {n.RxBadPdus}\n");
            text.Append(c, $"  RX Marker Request PDUs: {n.RxMarkerPdus}\n");
            text.Append(c, $"  Link Expired: {n.LinkExpired}\n");
            text.Append(c, $"  Link Defaulted: {n.LinkDefaulted}\n");
            text.Append(c, $"  Carrier Status Changed: {n.CarrierStatusChanged}\n");
        }
    }
}
