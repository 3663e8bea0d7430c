// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Hosts;

namespace SharpSwitch.Lab.Traffic;

/// <summary>
/// Sends one leg of a flow on schedule: packet <c>k</c> leaves at <c>start + k * period</c>, where the period is a
/// ping interval or 1000/rate ms computed in whole-number arithmetic, so rates that do not divide 1000 still send
/// exactly <c>rate</c> packets per second and every run sends at the same instants. A TCP-like leg is paced the same
/// way but its <see cref="TcpSender"/> also waits for its window and retransmits.
/// </summary>
internal sealed class TrafficSource
{
    /// <summary>First source port of the extra sub-flows of UDP legs with <c>flows: N</c>.</summary>
    public const ushort SubflowPortBase = 20000;

    /// <summary>Source ports each leg may take for its sub-flows, and so the most sub-flows one leg may have.</summary>
    public const int SubflowPortsPerLeg = 64;

    private readonly LabHost _sender;
    private readonly uint _destination;
    private readonly bool _isPing;
    private readonly ushort _identifier;
    private readonly int _size;
    private readonly long _periodNumeratorMs;
    private readonly long _periodDenominator;
    private readonly TcpSender? _tcp;
    private long _sentCount;

    private TrafficSource(FlowLeg leg, LabHost sender, uint destination, bool isPing, ushort identifier, int size, long periodNumeratorMs, long periodDenominator, TcpSender? tcp = null)
    {
        Leg = leg;
        _sender = sender;
        _destination = destination;
        _isPing = isPing;
        _identifier = identifier;
        _size = size;
        _periodNumeratorMs = periodNumeratorMs;
        _periodDenominator = periodDenominator;
        _tcp = tcp;
    }

    /// <summary>A ping every <paramref name="intervalMs"/>; the replies are counted by <paramref name="leg"/>.</summary>
    public static TrafficSource Ping(FlowLeg leg, LabHost sender, uint destination, ushort identifier, int payloadBytes, long intervalMs)
    {
        return new TrafficSource(leg, sender, destination, isPing: true, identifier, payloadBytes, intervalMs, 1);
    }

    /// <summary>
    /// UDP at <paramref name="ratePps"/> frames per second to <paramref name="port"/>. With several sub-flows, packet
    /// <c>k</c> goes out on sub-flow <c>k mod N</c>: sub-flow 0 from <paramref name="port"/> itself (as a single flow
    /// does), sub-flow <c>f</c> from its own port in a range derived from the leg's flow id, so each is its own 5-tuple.
    /// </summary>
    public static TrafficSource Udp(FlowLeg leg, LabHost sender, uint destination, ushort port, int frameBytes, int ratePps)
    {
        return new TrafficSource(leg, sender, destination, isPing: false, port, frameBytes, 1000, ratePps);
    }

    /// <summary>A TCP-like stream driven by <paramref name="sender"/>.</summary>
    public static TrafficSource Tcp(TcpSender sender, LabHost host)
    {
        return new TrafficSource(sender.Leg, host, 0, isPing: false, 0, 0, 1000, 1, sender);
    }

    /// <summary>The leg whose packets this source sends.</summary>
    public FlowLeg Leg { get; }

    /// <summary>The TCP-like sender, for a TCP leg; null otherwise.</summary>
    public TcpSender? TcpSender => _tcp;

    /// <summary>When the next packet is due, or <see cref="long.MaxValue"/> after the leg has stopped.</summary>
    public long NextSendMs
    {
        get
        {
            if (_tcp is not null)
            {
                return _tcp.NextSendMs;
            }
            long due = Leg.StartMs + (_sentCount * _periodNumeratorMs / _periodDenominator);
            return due < Leg.StopMs ? due : long.MaxValue;
        }
    }

    /// <summary>The source port of sub-flow <paramref name="subflow"/> of a UDP leg to <paramref name="port"/>.</summary>
    public static ushort SubflowSourcePort(FlowLeg leg, ushort port, int subflow)
    {
        return subflow == 0 ? port : (ushort)(SubflowPortBase + ((leg.FlowId % 300) * SubflowPortsPerLeg) + subflow);
    }

    /// <summary>Sends every packet due at or before <paramref name="nowMs"/>.</summary>
    public void SendDue(long nowMs, int phase)
    {
        if (_tcp is not null)
        {
            _tcp.SendDue(nowMs, phase);
            return;
        }
        while (NextSendMs <= nowMs)
        {
            uint sequence = Leg.RecordSend(phase);
            if (_isPing)
            {
                _sender.SendEchoRequest(_destination, _identifier, Leg.FlowId, sequence, _size, nowMs);
            }
            else
            {
                ushort sourcePort = SubflowSourcePort(Leg, _identifier, (int)(sequence % (uint)Leg.Subflows));
                _sender.SendUdp(_destination, sourcePort, _identifier, Leg.FlowId, sequence, _size, nowMs);
            }
            _sentCount++;
        }
    }
}
