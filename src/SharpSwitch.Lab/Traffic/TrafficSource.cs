// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Hosts;

namespace SharpSwitch.Lab.Traffic;

/// <summary>
/// Sends one leg of a flow on schedule: packet <c>k</c> leaves at <c>start + k * period</c>, where the period is a
/// ping interval or 1000/rate ms computed in whole-number arithmetic, so rates that do not divide 1000 still send
/// exactly <c>rate</c> packets per second and every run sends at the same instants.
/// </summary>
internal sealed class TrafficSource
{
    private readonly LabHost _sender;
    private readonly uint _destination;
    private readonly bool _isPing;
    private readonly ushort _identifier;
    private readonly int _size;
    private readonly long _periodNumeratorMs;
    private readonly long _periodDenominator;
    private long _sentCount;

    private TrafficSource(FlowLeg leg, LabHost sender, uint destination, bool isPing, ushort identifier, int size, long periodNumeratorMs, long periodDenominator)
    {
        Leg = leg;
        _sender = sender;
        _destination = destination;
        _isPing = isPing;
        _identifier = identifier;
        _size = size;
        _periodNumeratorMs = periodNumeratorMs;
        _periodDenominator = periodDenominator;
    }

    /// <summary>A ping every <paramref name="intervalMs"/>; the replies are counted by <paramref name="leg"/>.</summary>
    public static TrafficSource Ping(FlowLeg leg, LabHost sender, uint destination, ushort identifier, int payloadBytes, long intervalMs)
    {
        return new TrafficSource(leg, sender, destination, isPing: true, identifier, payloadBytes, intervalMs, 1);
    }

    /// <summary>UDP at <paramref name="ratePps"/> frames per second to <paramref name="port"/>.</summary>
    public static TrafficSource Udp(FlowLeg leg, LabHost sender, uint destination, ushort port, int frameBytes, int ratePps)
    {
        return new TrafficSource(leg, sender, destination, isPing: false, port, frameBytes, 1000, ratePps);
    }

    /// <summary>The leg whose packets this source sends.</summary>
    public FlowLeg Leg { get; }

    /// <summary>When the next packet is due, or <see cref="long.MaxValue"/> after the leg has stopped.</summary>
    public long NextSendMs
    {
        get
        {
            long due = Leg.StartMs + (_sentCount * _periodNumeratorMs / _periodDenominator);
            return due < Leg.StopMs ? due : long.MaxValue;
        }
    }

    /// <summary>Sends every packet due at or before <paramref name="nowMs"/>.</summary>
    public void SendDue(long nowMs, int phase)
    {
        while (NextSendMs <= nowMs)
        {
            uint sequence = Leg.RecordSend(phase);
            if (_isPing)
            {
                _sender.SendEchoRequest(_destination, _identifier, sequence, _size, nowMs);
            }
            else
            {
                _sender.SendUdp(_destination, _identifier, sequence, _size, nowMs);
            }
            _sentCount++;
        }
    }
}
