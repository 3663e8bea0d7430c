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
    private readonly IBondEventSink? _forward;

    public BondEventLog(Vlog log, IBondEventSink? forward = null)
    {
        _log = log;
        _forward = forward;
    }

    /// <summary>Set when an event arrived since the daemon last wrote status.</summary>
    public bool StatusDirty { get; set; }

    /// <summary>The most recent events, oldest first.</summary>
    public IEnumerable<BondEvent> Recent => _recent;

    public void OnEvent(in BondEvent e)
    {
        // OVS's own lines go to the bond module exactly as OVS logs them; SharpSwitch's extra events go to the debug level,
        // so a log diffed against real OVS shows only real differences.
        _log.Log("bond", e.IsOvsLogLine ? VlogLevel.Info : VlogLevel.Dbg, e.Message);
        if (_recent.Count == Capacity)
        {
            _recent.Dequeue();
        }
        _recent.Enqueue(e);
        StatusDirty = true;
        _forward?.OnEvent(e);
    }
}
