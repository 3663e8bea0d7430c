// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.JsonRpc;

/// <summary>
/// The delay before the next connection attempt, in the style of OVS lib/reconnect: the first attempt is immediate,
/// each failed attempt doubles the wait from <see cref="MinBackoff"/> up to <see cref="MaxBackoff"/> (1, 2, 4, 8, 8
/// ... seconds by default), and a connection that was established starts the sequence again at the minimum.
/// </summary>
public sealed class ReconnectBackoff
{
    private TimeSpan _current = TimeSpan.Zero;

    /// <summary>Creates the policy; OVS uses 1 s and 8 s.</summary>
    public ReconnectBackoff(TimeSpan? minBackoff = null, TimeSpan? maxBackoff = null)
    {
        MinBackoff = minBackoff ?? TimeSpan.FromSeconds(1);
        MaxBackoff = maxBackoff ?? TimeSpan.FromSeconds(8);
        if (MinBackoff <= TimeSpan.Zero || MaxBackoff < MinBackoff)
        {
            throw new ArgumentOutOfRangeException(nameof(minBackoff), "the backoff needs 0 < min <= max");
        }
    }

    /// <summary>The shortest wait after a failure.</summary>
    public TimeSpan MinBackoff { get; }

    /// <summary>The longest wait after repeated failures.</summary>
    public TimeSpan MaxBackoff { get; }

    /// <summary>Returns how long to wait before the next attempt, given that the previous one failed to connect.</summary>
    public TimeSpan NextDelayAfterFailure()
    {
        if (_current < MinBackoff)
        {
            _current = MinBackoff;
        }
        else
        {
            TimeSpan doubled = _current * 2;
            _current = doubled > MaxBackoff ? MaxBackoff : doubled;
        }
        return _current;
    }

    /// <summary>Returns how long to wait before reconnecting after an established connection was lost.</summary>
    public TimeSpan NextDelayAfterDisconnect()
    {
        _current = MinBackoff;
        return _current;
    }

    /// <summary>Records that a connection was established, so the next failure starts again at the minimum.</summary>
    public void Connected()
    {
        _current = TimeSpan.Zero;
    }
}
