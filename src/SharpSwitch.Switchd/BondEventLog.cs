// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Switchd.Logging;

namespace SharpSwitch.Switchd;

/// <summary>
/// Receives every bond transition: it logs the OVS wording under the <c>bond</c> module (unthrottled, unlike OVS,
/// whose rate limiter loses failback lines), keeps a ring of recent events for <c>bond/events</c>, and tells the
/// daemon that bond status must be written back.
/// </summary>
internal sealed class BondEventLog : IBondEventSink
{
    private const int Capacity = 1000;
    private readonly Vlog _log;
    private readonly Queue<BondEvent> _recent = new();

    public BondEventLog(Vlog log)
    {
        _log = log;
    }

    /// <summary>Set when an event arrived since the daemon last wrote status.</summary>
    public bool StatusDirty { get; set; }

    /// <summary>The most recent events, oldest first.</summary>
    public IEnumerable<BondEvent> Recent => _recent;

    public void OnEvent(in BondEvent e)
    {
        _log.Info("bond", e.Message);
        if (_recent.Count == Capacity)
        {
            _recent.Dequeue();
        }
        _recent.Enqueue(e);
        StatusDirty = true;
    }
}
