// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Reports;

/// <summary>Whether a span says a member was enabled (may carry traffic) or active (carried the bond's traffic).</summary>
internal enum SpanKind
{
    /// <summary>From <c>member X: enabled</c> to <c>member X: disabled</c>.</summary>
    Enabled,

    /// <summary>From <c>active member is now X</c> to the next change of active member (or all members disabled).</summary>
    Active,
}

/// <summary>One interval of a member's state, in virtual ms (end exclusive).</summary>
internal sealed record MemberSpan(string Switch, string Bond, string Member, SpanKind Kind, long StartMs, long EndMs);

/// <summary>Derives each bond member's enabled and active intervals from the timeline's bond events.</summary>
internal static class BondSpans
{
    public static IReadOnlyList<MemberSpan> From(IReadOnlyList<TimelineEntry> timeline, long durationMs)
    {
        var spans = new List<MemberSpan>();
        var enabledSince = new Dictionary<(string, string, string), long>();
        var activeSince = new Dictionary<(string, string), (string Member, long StartMs)>();
        foreach (TimelineEntry entry in timeline)
        {
            if (entry.BondEvent is not BondEvent e)
            {
                continue;
            }
            string sw = entry.Node;
            switch (e.Kind)
            {
                case BondEventKind.Enabled when e.Member is not null:
                    enabledSince.TryAdd((sw, e.Bond, e.Member), e.TimeMs);
                    break;
                case BondEventKind.Disabled when e.Member is not null:
                    if (enabledSince.Remove((sw, e.Bond, e.Member), out long since))
                    {
                        AddIfNotEmpty(spans, new MemberSpan(sw, e.Bond, e.Member, SpanKind.Enabled, since, e.TimeMs));
                    }
                    break;
                case BondEventKind.ActiveChanged when e.Member is not null:
                    if (activeSince.TryGetValue((sw, e.Bond), out var current) && current.Member == e.Member)
                    {
                        break;
                    }
                    CloseActive(spans, activeSince, sw, e.Bond, e.TimeMs);
                    activeSince[(sw, e.Bond)] = (e.Member, e.TimeMs);
                    break;
                case BondEventKind.AllMembersDisabled:
                    CloseActive(spans, activeSince, sw, e.Bond, e.TimeMs);
                    break;
                default:
                    break;
            }
        }
        foreach (((string sw, string bond, string member), long since) in enabledSince)
        {
            AddIfNotEmpty(spans, new MemberSpan(sw, bond, member, SpanKind.Enabled, since, durationMs));
        }
        foreach (((string sw, string bond), (string member, long since)) in activeSince)
        {
            AddIfNotEmpty(spans, new MemberSpan(sw, bond, member, SpanKind.Active, since, durationMs));
        }
        // The dictionaries' order is insertion order here, but sorting makes the output independent of it.
        return spans
            .OrderBy(s => s.Switch, StringComparer.Ordinal)
            .ThenBy(s => s.Bond, StringComparer.Ordinal)
            .ThenBy(s => s.Member, StringComparer.Ordinal)
            .ThenBy(s => s.Kind)
            .ThenBy(s => s.StartMs)
            .ToList();
    }

    private static void CloseActive(List<MemberSpan> spans, Dictionary<(string, string), (string Member, long StartMs)> activeSince, string sw, string bond, long endMs)
    {
        if (activeSince.Remove((sw, bond), out var current))
        {
            AddIfNotEmpty(spans, new MemberSpan(sw, bond, current.Member, SpanKind.Active, current.StartMs, endMs));
        }
    }

    private static void AddIfNotEmpty(List<MemberSpan> spans, MemberSpan span)
    {
        if (span.EndMs > span.StartMs)
        {
            spans.Add(span);
        }
    }
}
