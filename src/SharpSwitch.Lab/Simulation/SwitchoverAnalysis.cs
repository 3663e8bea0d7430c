// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;

namespace SharpSwitch.Lab.Simulation;

/// <summary>
/// Finds every change of a bond's active member in the timeline and measures it: how long the bond took to notice
/// the cause, how long until a flow frame left on the new member, and per flow what was lost, duplicated or
/// reordered between the cause and the bond's next switchover.
/// </summary>
internal static class SwitchoverAnalysis
{
    public static IReadOnlyList<Switchover> Find(IReadOnlyList<TimelineEntry> timeline, long durationMs, RunRecorder recorder)
    {
        var found = new List<Pending>();
        var states = new Dictionary<(string Switch, string Bond), BondState>();
        TimelineEntry? lastLabEvent = null;
        foreach (TimelineEntry entry in timeline)
        {
            if (entry.Node == BondEventLog.LabNode)
            {
                lastLabEvent = entry;
                continue;
            }
            if (entry.BondEvent is not BondEvent e)
            {
                continue;
            }
            if (!states.TryGetValue((entry.Node, e.Bond), out BondState? state))
            {
                state = new BondState();
                states.Add((entry.Node, e.Bond), state);
            }
            switch (e.Kind)
            {
                case BondEventKind.Enabled when e.Member is not null:
                    state.Enabled.Add(e.Member);
                    state.LastEnabledMs[e.Member] = e.TimeMs;
                    break;
                case BondEventKind.Disabled when e.Member is not null:
                    state.Enabled.Remove(e.Member);
                    state.LastDisabledMs[e.Member] = e.TimeMs;
                    break;
                case BondEventKind.AllMembersDisabled:
                    state.Active = null;
                    break;
                case BondEventKind.ActiveChanged when e.Member is not null && e.Member != state.Active:
                    {
                        // The first choice of a bond, before anything was injected, is how it starts, not a switchover.
                        bool initial = state.Active is null && !state.EverActive && lastLabEvent is null;
                        if (!initial)
                        {
                            bool failback = state.Active is not null && state.Enabled.Contains(state.Active);
                            long causeMs = lastLabEvent?.TimeMs ?? e.TimeMs;
                            long? detectedAt = failback || state.Active is null
                                ? LatestAtOrAfter(state.LastEnabledMs, e.Member, causeMs)
                                : LatestAtOrAfter(state.LastDisabledMs, state.Active, causeMs);
                            found.Add(new Pending(entry.Node, e.Bond, state.Active, e.Member, failback, e.TimeMs, lastLabEvent?.Text, causeMs, detectedAt is long d ? d - causeMs : null));
                        }
                        state.Active = e.Member;
                        state.EverActive = true;
                        break;
                    }
                default:
                    break;
            }
        }

        var switchovers = new List<Switchover>();
        for (int i = 0; i < found.Count; i++)
        {
            Pending p = found[i];
            long windowEnd = durationMs;
            for (int j = i + 1; j < found.Count; j++)
            {
                if (found[j].Switch == p.Switch && found[j].Bond == p.Bond)
                {
                    windowEnd = Math.Max(p.CauseAtMs, found[j].CauseAtMs);
                    break;
                }
            }
            long? firstTransmit = recorder.FirstFlowTransmit(p.Switch, p.Bond, p.To, p.ActiveAtMs);
            long? switchoverMs = firstTransmit is long t && t < Math.Max(windowEnd, p.ActiveAtMs + 1) ? t - p.CauseAtMs : null;
            var flows = recorder.Legs.Select(leg => Measure(leg, p.CauseAtMs, windowEnd)).ToList();
            switchovers.Add(new Switchover(p.Switch, p.Bond, p.From, p.To, p.IsFailback, p.ActiveAtMs, p.Cause, p.CauseAtMs, p.DetectionMs, switchoverMs, windowEnd, flows));
        }
        return switchovers;
    }

    /// <summary>A leg's figures for packets sent (loss) or arriving (duplicates, reordering, interruption) in [start, end).</summary>
    internal static SwitchoverFlow Measure(LegHistory leg, long startMs, long endMs)
    {
        long sent = 0;
        long lost = 0;
        for (int s = 0; s < leg.SentMs.Count; s++)
        {
            long at = leg.SentMs[s];
            if (at >= startMs && at < endMs)
            {
                sent++;
                if (!leg.Arrived[s])
                {
                    lost++;
                }
            }
        }
        long duplicated = CountIn(leg.DuplicateMs, startMs, endMs);
        long reordered = CountIn(leg.ReorderedMs, startMs, endMs);
        return new SwitchoverFlow(leg.Leg.Label, sent, lost, duplicated, reordered, sent == 0 ? null : Math.Max(0, LongestGap(leg, startMs, endMs) - Spacing(leg)));
    }

    /// <summary>
    /// The leg's own packet spacing (the shortest time between two of its sends), which a silence must exceed to be an
    /// interruption: a ping every 100 ms is silent for 100 ms between replies even when nothing goes wrong.
    /// </summary>
    private static long Spacing(LegHistory leg)
    {
        long spacing = long.MaxValue;
        for (int s = 1; s < leg.SentMs.Count; s++)
        {
            long step = leg.SentMs[s] - leg.SentMs[s - 1];
            if (step > 0 && step < spacing)
            {
                spacing = step;
            }
        }
        return spacing == long.MaxValue ? 0 : spacing;
    }

    /// <summary>
    /// The longest silence between consecutive arrivals where the later arrival falls in [start, end); a leg still
    /// sending but silent until the end of the window counts its silence up to there (or to when it stopped sending).
    /// </summary>
    private static long LongestGap(LegHistory leg, long startMs, long endMs)
    {
        long previous = Math.Max(leg.Leg.StartMs, 0);
        long longest = 0;
        foreach (long at in leg.ArrivalMs)
        {
            if (at >= endMs)
            {
                break;
            }
            if (at >= startMs)
            {
                longest = Math.Max(longest, at - previous);
            }
            previous = at;
        }
        long tailEnd = Math.Min(endMs, leg.Leg.StopMs);
        if (tailEnd > previous && tailEnd > startMs)
        {
            longest = Math.Max(longest, tailEnd - previous);
        }
        return longest;
    }

    private static long CountIn(IReadOnlyList<long> times, long startMs, long endMs)
    {
        long count = 0;
        foreach (long t in times)
        {
            if (t >= startMs && t < endMs)
            {
                count++;
            }
        }
        return count;
    }

    private static long? LatestAtOrAfter(Dictionary<string, long> times, string member, long fromMs)
    {
        return times.TryGetValue(member, out long at) && at >= fromMs ? at : null;
    }

    private sealed record Pending(string Switch, string Bond, string? From, string To, bool IsFailback, long ActiveAtMs, string? Cause, long CauseAtMs, long? DetectionMs);

    private sealed class BondState
    {
        public HashSet<string> Enabled { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> LastEnabledMs { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> LastDisabledMs { get; } = new(StringComparer.Ordinal);

        public string? Active { get; set; }

        public bool EverActive { get; set; }
    }
}
