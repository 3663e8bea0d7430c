// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Lab.Scenarios;

namespace SharpSwitch.Lab.Diff;

/// <summary>
/// Where a run on real OVS 3.1 cannot be compared because of its dummy interfaces rather than its bonds. OVS tells
/// LACP that a member's carrier went down or came back only when the interface's count of carrier resets moves, and
/// netdev-dummy (which the lab's <c>--switch ovs</c> runs on) keeps no such count. So when a LACP member's link comes
/// back after being down for longer than the LACP timeout, OVS's LACP has already timed its partner out (partner
/// information cleared, which also clears the partner's fast-rate bit) and is never told the link returned: it sends
/// its next PDU at the slow periodic rate, up to 30 s later, and only then negotiates and enables the member again.
/// OVS on a real interface, like SharpSwitch, expires the member when the carrier returns and negotiates at once. From
/// that instant on, the bonds at both ends of that link are left out of the comparison (their timeline lines, active
/// members, flow placement and answers), and the report says why.
/// </summary>
internal sealed class DummyCarrierGaps
{
    /// <summary>LACP's transmit interval at the fast and slow rate, and the timeout (three intervals), in ms.</summary>
    private const long FastIntervalMs = 1000;
    private const long SlowIntervalMs = 30_000;
    private const int TimeoutIntervals = 3;

    private readonly Dictionary<(string Switch, string Bond), long> _fromMs = [];

    private DummyCarrierGaps()
    {
    }

    /// <summary>One line per gap, for the report's "not compared" list.</summary>
    public List<string> Reasons { get; } = [];

    /// <summary>True when <paramref name="bond"/> on <paramref name="switchName"/> is left out from <paramref name="timeMs"/> on.</summary>
    public bool Excludes(string switchName, string bond, long timeMs) =>
        _fromMs.TryGetValue((switchName, bond), out long from) && timeMs >= from;

    /// <summary>True when the bond is left out of any part of the phase that ends at <paramref name="endMs"/>.</summary>
    public bool ExcludesPhase(string switchName, string bond, long endMs) =>
        _fromMs.TryGetValue((switchName, bond), out long from) && endMs > from;

    /// <summary>True when the bond is left out of anything (its answer covers the whole run).</summary>
    public bool ExcludesAny(string switchName, string bond) => _fromMs.ContainsKey((switchName, bond));

    /// <summary>Finds the gaps of <paramref name="scenario"/>: every return of a LACP member's link after an outage longer than the LACP timeout.</summary>
    public static DummyCarrierGaps Find(Scenario scenario)
    {
        var gaps = new DummyCarrierGaps();
        // Which LACP bond (and its timeout) each switch interface belongs to.
        var lacpBondOf = new Dictionary<(string Node, string Interface), (string Bond, long TimeoutMs)>();
        foreach (SwitchSpec sw in scenario.Topology.Switches)
        {
            foreach (BondSpec bond in sw.Bridges.SelectMany(b => b.Bonds).Where(b => b.Lacp is "active" or "passive"))
            {
                bool fast = bond.OtherConfig.TryGetValue("lacp-time", out string? time) && time == "fast";
                long timeoutMs = TimeoutIntervals * (fast ? FastIntervalMs : SlowIntervalMs);
                foreach (BondInterfaceSpec member in bond.Interfaces)
                {
                    lacpBondOf[(sw.Name, member.Name)] = (bond.Name, timeoutMs);
                }
            }
        }
        if (lacpBondOf.Count == 0)
        {
            return gaps;
        }
        foreach (LinkSpec link in scenario.Topology.Links)
        {
            (string, string) a = (link.A.Node, link.A.Interface);
            (string, string) b = (link.B.Node, link.B.Interface);
            bool aIsLacp = lacpBondOf.ContainsKey(a);
            bool bIsLacp = lacpBondOf.ContainsKey(b);
            if (!aIsLacp && !bIsLacp)
            {
                continue;
            }
            // The link is up while the cable is plugged and both ends are administratively up, as the lab models it.
            bool plugged = true;
            bool aUp = true;
            bool bUp = true;
            long? downSinceMs = null;
            foreach (EventSpec e in scenario.Events)
            {
                bool here = (e.Target.Node, e.Target.Interface) == a || (e.Target.Node, e.Target.Interface) == b;
                if (!here)
                {
                    continue;
                }
                bool wasUp = plugged && aUp && bUp;
                bool atA = (e.Target.Node, e.Target.Interface) == a;
                // Only the four link actions move the link; impairments leave it up.
                if (e.Action == EventAction.LinkDown)
                {
                    plugged = false;
                }
                else if (e.Action == EventAction.LinkUp)
                {
                    plugged = true;
                }
                else if (e.Action is EventAction.AdminDown or EventAction.AdminUp)
                {
                    bool up = e.Action == EventAction.AdminUp;
                    aUp = atA ? up : aUp;
                    bUp = atA ? bUp : up;
                }
                bool isUp = plugged && aUp && bUp;
                if (wasUp && !isUp)
                {
                    downSinceMs = e.AtMs;
                }
                else if (!wasUp && isUp && downSinceMs is long since)
                {
                    long downMs = e.AtMs - since;
                    foreach ((string Node, string Interface) end in new[] { a, b })
                    {
                        if (lacpBondOf.TryGetValue(end, out (string Bond, long TimeoutMs) lacp) && downMs > lacp.TimeoutMs)
                        {
                            gaps.Add(end.Node, lacp.Bond, end.Interface, e.AtMs, downMs, lacp.TimeoutMs);
                        }
                    }
                    downSinceMs = null;
                }
            }
        }
        return gaps;
    }

    private void Add(string switchName, string bond, string member, long atMs, long downMs, long timeoutMs)
    {
        if (_fromMs.TryGetValue((switchName, bond), out long earlier) && earlier <= atMs)
        {
            return;
        }
        _fromMs[(switchName, bond)] = atMs;
        Reasons.Add(string.Create(CultureInfo.InvariantCulture,
            $"{switchName} {bond} from {ScenarioValues.FormatSeconds(atMs)}: the link of {switchName}:{member} came back after {ScenarioValues.FormatSeconds(downMs)} down, longer than the LACP timeout ({ScenarioValues.FormatSeconds(timeoutMs)}); OVS 3.1's dummy interfaces count no carrier resets, so OVS's LACP is not told the link returned and negotiates again only at its next slow periodic PDU (up to 30 s later), where on a real interface it would, like SharpSwitch, at once"));
    }
}
