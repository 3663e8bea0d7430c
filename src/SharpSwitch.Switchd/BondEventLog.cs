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
        // The drop warning carries its reason, because OVS's silence there is exactly what leaves operators guessing.
        _log.Log("bond", LevelOf(e), e.Kind == BondEventKind.DroppingAllTraffic ? $"{e.Message}: {e.Reason}" : e.Message);
        if (_recent.Count == Capacity)
        {
            _recent.Dequeue();
        }
        _recent.Enqueue(e);
        StatusDirty = true;
        _forward?.OnEvent(e);
    }

    /// <summary>
    /// OVS's own lines go to the bond module at INFO exactly as OVS logs them, and SharpSwitch's extra events go to the
    /// debug level so that a log diffed against real OVS shows only real differences. The exception is a bond that
    /// drops all its traffic (balance-tcp without negotiated LACP): OVS says nothing there, and an operator must be told
    /// why, once, at WARN, and told again at INFO when traffic flows.
    /// </summary>
    private static VlogLevel LevelOf(in BondEvent e) => e.Kind switch
    {
        BondEventKind.DroppingAllTraffic => VlogLevel.Warn,
        BondEventKind.TrafficResumed => VlogLevel.Info,
        _ => e.IsOvsLogLine ? VlogLevel.Info : VlogLevel.Dbg,
    };
}
