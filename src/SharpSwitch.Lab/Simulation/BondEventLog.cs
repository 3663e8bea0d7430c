// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;

namespace SharpSwitch.Lab.Simulation;

/// <summary>One line of the run's timeline: a bond event in OVS's wording, or a fault the lab injected.</summary>
/// <param name="TimeMs">Virtual time of the entry.</param>
/// <param name="Node">The switch whose bond logged it, or <c>lab</c> for injected faults.</param>
/// <param name="Text">The log text.</param>
/// <param name="BondEvent">The bond event behind the line, when it is one.</param>
internal sealed record TimelineEntry(long TimeMs, string Node, string Text, BondEvent? BondEvent);

/// <summary>
/// Collects the events of every bond in the lab, and the faults the lab injects, into one timeline in the order
/// they happened. Bond events arrive through <see cref="IBondEventSink"/>, the same hook the daemon's log uses.
/// </summary>
internal sealed class BondEventLog
{
    /// <summary>The lab's own name in the timeline's node column.</summary>
    public const string LabNode = "lab";

    private readonly List<TimelineEntry> _entries = [];

    /// <summary>The timeline so far.</summary>
    public IReadOnlyList<TimelineEntry> Entries => _entries;

    /// <summary>A sink for the bonds of switch <paramref name="switchName"/>.</summary>
    public IBondEventSink SinkFor(string switchName) => new SwitchSink(this, switchName);

    /// <summary>Adds an injected fault.</summary>
    public void AddLabEvent(long timeMs, string text) => _entries.Add(new TimelineEntry(timeMs, LabNode, text, null));

    private sealed class SwitchSink(BondEventLog log, string switchName) : IBondEventSink
    {
        public void OnEvent(in BondEvent e)
        {
            // Membership and reconfiguration notes are SharpSwitch bookkeeping, not behaviour the operator watches.
            if (e.Kind is BondEventKind.MemberAdded or BondEventKind.MemberRemoved or BondEventKind.Reconfigured)
            {
                return;
            }
            log._entries.Add(new TimelineEntry(e.TimeMs, switchName, e.Message, e));
        }
    }
}
