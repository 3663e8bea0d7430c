// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Datapath;

/// <summary>
/// Hands out OpenFlow port numbers the way OVS's ofproto does: an Interface.ofport_request is honoured when the
/// number is valid and free; otherwise numbers are taken round-robin from 1 upwards (within the lower half of the
/// range), skipping numbers in use and, for an hour, numbers recently freed, so stale flows cannot hit a new port.
/// </summary>
internal sealed class OfPortAllocator
{
    /// <summary>OFPP_LOCAL: the bridge's own port.</summary>
    public const int LocalPort = 65534;

    /// <summary>OFPP_MAX: requests must be below this.</summary>
    private const int MaxPorts = 0xff00;

    /// <summary>Automatic numbers stay below this, leaving the upper half to controllers.</summary>
    private const int AutomaticLimit = 32768;

    private const long ReuseAfterMs = 60L * 60 * 1000;

    /// <summary>Per number: <see cref="long.MaxValue"/> while in use, else when it was freed.</summary>
    private readonly Dictionary<int, long> _usage = new();
    private int _cursor;

    public int Allocate(int? request, long nowMs)
    {
        if (request is int wanted && wanted >= 1 && wanted < MaxPorts && !IsInUse(wanted))
        {
            _usage[wanted] = long.MaxValue;
            return wanted;
        }
        int start = _cursor;
        int leastRecentlyFreed = 0;
        long leastRecentlyFreedAt = long.MaxValue;
        while (true)
        {
            if (++_cursor >= AutomaticLimit)
            {
                _cursor = 1;
            }
            if (!_usage.TryGetValue(_cursor, out long lastUsed) || lastUsed < nowMs - ReuseAfterMs)
            {
                _usage[_cursor] = long.MaxValue;
                return _cursor;
            }
            if (lastUsed < leastRecentlyFreedAt)
            {
                leastRecentlyFreedAt = lastUsed;
                leastRecentlyFreed = _cursor;
            }
            if (_cursor == start || (start == 0 && _cursor == AutomaticLimit - 1))
            {
                if (leastRecentlyFreed == 0)
                {
                    throw new InvalidOperationException("no OpenFlow port numbers left");
                }
                _usage[leastRecentlyFreed] = long.MaxValue;
                return leastRecentlyFreed;
            }
        }
    }

    public void Release(int ofPort, long nowMs)
    {
        if (ofPort != LocalPort)
        {
            _usage[ofPort] = nowMs;
        }
    }

    private bool IsInUse(int ofPort) => _usage.TryGetValue(ofPort, out long lastUsed) && lastUsed == long.MaxValue;
}
