// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Lab.Scenarios;

namespace SharpSwitch.Lab.Simulation;

/// <summary>
/// Answers the operator's question for each bond: after the active member changed, did traffic come back?
/// A change of active member counts as a failback when the member it left was still enabled (traffic moved by
/// choice, not because its member failed); any other change is a failover.
/// </summary>
internal static class FailbackVerdict
{
    public static IReadOnlyList<BondAnswer> Answer(IReadOnlyList<LabBond> bonds, IReadOnlyList<PhaseResult> phases, IReadOnlyList<TimelineEntry> timeline)
    {
        var answers = new List<BondAnswer>();
        foreach (LabBond bond in bonds)
        {
            answers.Add(new BondAnswer(bond.Switch, bond.Name, AnswerFor(bond, phases, timeline)));
        }
        return answers;
    }

    private static string AnswerFor(LabBond bond, IReadOnlyList<PhaseResult> phases, IReadOnlyList<TimelineEntry> timeline)
    {
        string? original = phases[0].Bonds.First(b => b.Switch == bond.Switch && b.Bond == bond.Name).ActiveMember;
        string? final = phases[^1].Bonds.First(b => b.Switch == bond.Switch && b.Bond == bond.Name).ActiveMember;
        long firstFaultMs = phases.Count > 1 ? phases[1].StartMs : long.MaxValue;

        var enabled = new HashSet<string>(StringComparer.Ordinal);
        string? active = null;
        bool leftOriginal = false;
        (string Member, long TimeMs)? lastFailback = null;
        (string Member, long TimeMs)? lastFailover = null;
        foreach (TimelineEntry entry in timeline)
        {
            if (entry.Node != bond.Switch || entry.BondEvent is not BondEvent e || e.Bond != bond.Name)
            {
                continue;
            }
            switch (e.Kind)
            {
                case BondEventKind.Enabled when e.Member is not null:
                    enabled.Add(e.Member);
                    break;
                case BondEventKind.Disabled when e.Member is not null:
                    enabled.Remove(e.Member);
                    break;
                case BondEventKind.AllMembersDisabled:
                    active = null;
                    if (e.TimeMs >= firstFaultMs)
                    {
                        leftOriginal = true;
                    }
                    break;
                case BondEventKind.ActiveChanged when e.Member is not null:
                    if (e.TimeMs >= firstFaultMs && e.Member != active)
                    {
                        bool isFailback = active is not null && enabled.Contains(active);
                        if (isFailback)
                        {
                            lastFailback = (e.Member, e.TimeMs);
                        }
                        else
                        {
                            lastFailover = (e.Member, e.TimeMs);
                        }
                        if (e.Member != original)
                        {
                            leftOriginal = true;
                        }
                    }
                    active = e.Member;
                    break;
                default:
                    break;
            }
        }

        if (original is null)
        {
            return final is null ? "no member ever carried traffic" : $"traffic ended on {final}";
        }
        if (!leftOriginal)
        {
            return $"traffic stayed on {original}: no failover";
        }
        if (final is null)
        {
            return "no member is active at the end: all members disabled";
        }
        if (lastFailback is { } back && back.Member == final)
        {
            return $"traffic failed back to {final} at {ScenarioValues.FormatSeconds(back.TimeMs)}";
        }
        if (final == original && lastFailover is { } over)
        {
            return $"traffic returned to {final} at {ScenarioValues.FormatSeconds(over.TimeMs)} only because the active member failed: no failback";
        }
        return $"traffic stayed on {final}: no failback";
    }
}
