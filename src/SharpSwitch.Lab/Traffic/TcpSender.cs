// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Hosts;

namespace SharpSwitch.Lab.Traffic;

/// <summary>What a TCP-like sender did, over the whole run.</summary>
/// <param name="Timeouts">Retransmission timer expiries.</param>
/// <param name="Retransmissions">Segments sent again (after a timeout, or on a partial acknowledgement while recovering).</param>
/// <param name="LongestStallMs">The longest time the sender waited with data unacknowledged and no progress.</param>
internal readonly record struct TcpSenderStatistics(long Timeouts, long Retransmissions, long LongestStallMs);

/// <summary>
/// The sending end of a TCP-like stream: a deliberately simple model of TCP's reliability, enough to show how a bond
/// failover looks to a TCP application: a stall, then recovery. The application offers one segment every
/// <c>1000 / rate</c> ms (as <c>iperf -b</c> would); at most <c>window</c> segments may be unacknowledged, and what
/// the window holds back waits and is sent as soon as acknowledgements open it. Acknowledgements are cumulative. When
/// the oldest unacknowledged segment has waited one retransmission timeout (RTO) without progress, it is sent again
/// and the RTO doubles (exponential backoff, up to 60 s); progress resets the RTO to its configured minimum. After a
/// timeout, each partial acknowledgement (one that moves but does not cover everything sent before the timeout)
/// retransmits the next hole at once, as NewReno does, so a burst of losses costs one timeout rather than one per
/// segment. Not modelled: slow start and congestion control, fast retransmit on duplicate acknowledgements, RTT
/// estimation, byte-based sequence numbers, connection set-up and tear-down.
/// </summary>
internal sealed class TcpSender
{
    /// <summary>The port the receiving end listens on (iperf3's), for every TCP-like stream.</summary>
    public const ushort ServerPort = 5201;

    /// <summary>The source port of the first TCP-like stream; the n-th traffic entry uses this plus n.</summary>
    public const ushort FirstSourcePort = 30000;

    /// <summary>
    /// The source port of the reverse stream of the first traffic entry with <c>both-directions</c>; the n-th entry's
    /// reverse stream uses this plus n, so each direction has its own 5-tuple and its own sender on its host.
    /// </summary>
    public const ushort FirstReverseSourcePort = 35000;

    /// <summary>The largest retransmission timeout after backoff.</summary>
    public const long MaximumRtoMs = 60_000;

    private readonly LabHost _host;
    private readonly uint _destination;
    private readonly ushort _destinationPort;
    private readonly int _frameBytes;
    private readonly int _window;
    private readonly long _minimumRtoMs;
    private readonly long _periodNumeratorMs;
    private readonly long _periodDenominator;
    private uint _nextNew;
    private uint _unacknowledged;
    private uint _recoverUntil;
    private long _rtoMs;
    private long _timerDueMs = long.MaxValue;
    private long _lastProgressMs;
    private long _timeouts;
    private long _retransmissions;
    private long _longestStallMs;

    public TcpSender(FlowLeg leg, LabHost host, uint destination, ushort sourcePort, ushort destinationPort, int frameBytes, int ratePps, int window, long minimumRtoMs)
    {
        Leg = leg;
        _host = host;
        _destination = destination;
        SourcePort = sourcePort;
        _destinationPort = destinationPort;
        _frameBytes = frameBytes;
        _window = window;
        _minimumRtoMs = minimumRtoMs;
        _rtoMs = minimumRtoMs;
        _periodNumeratorMs = 1000;
        _periodDenominator = ratePps;
        _lastProgressMs = leg.StartMs;
    }

    /// <summary>The stream's leg (sender to receiver).</summary>
    public FlowLeg Leg { get; }

    /// <summary>The sender's port; acknowledgements come back to it.</summary>
    public ushort SourcePort { get; }

    /// <summary>The counts so far.</summary>
    public TcpSenderStatistics Statistics => new(_timeouts, _retransmissions, _longestStallMs);

    /// <summary>
    /// When the sender next has something to do: the application's next segment if the window has room, or the
    /// retransmission timer; <see cref="long.MaxValue"/> when it waits for nothing.
    /// </summary>
    public long NextSendMs
    {
        get
        {
            long next = _timerDueMs;
            if (_nextNew - _unacknowledged < (uint)_window)
            {
                long offered = OfferedAt(_nextNew);
                if (offered < Leg.StopMs)
                {
                    next = Math.Min(next, offered);
                }
            }
            return next;
        }
    }

    /// <summary>Fires the retransmission timer if it is due, then sends every new segment the window allows.</summary>
    public void SendDue(long nowMs, int phase)
    {
        if (_timerDueMs <= nowMs && _unacknowledged < _nextNew)
        {
            _timeouts++;
            _recoverUntil = _nextNew;
            Retransmit(_unacknowledged, nowMs, phase);
            _rtoMs = Math.Min(_rtoMs * 2, MaximumRtoMs);
            _timerDueMs = nowMs + _rtoMs;
        }
        SendNew(nowMs, phase);
    }

    /// <summary>Takes a cumulative acknowledgement: every segment before <paramref name="nextExpected"/> has arrived.</summary>
    public void OnAck(uint nextExpected, long nowMs, int phase)
    {
        if (nextExpected <= _unacknowledged || nextExpected > _nextNew)
        {
            // A duplicate or stale acknowledgement; this model has no fast retransmit, so it only waits.
            return;
        }
        _longestStallMs = Math.Max(_longestStallMs, nowMs - _lastProgressMs);
        _lastProgressMs = nowMs;
        _unacknowledged = nextExpected;
        _rtoMs = _minimumRtoMs;
        _timerDueMs = _unacknowledged == _nextNew ? long.MaxValue : nowMs + _rtoMs;
        if (_unacknowledged < _recoverUntil)
        {
            Retransmit(_unacknowledged, nowMs, phase);
        }
        SendNew(nowMs, phase);
    }

    private void SendNew(long nowMs, int phase)
    {
        while (_nextNew - _unacknowledged < (uint)_window && OfferedAt(_nextNew) <= nowMs && OfferedAt(_nextNew) < Leg.StopMs)
        {
            uint sequence = Leg.RecordSend(phase);
            _nextNew = sequence + 1;
            if (_timerDueMs == long.MaxValue)
            {
                _timerDueMs = nowMs + _rtoMs;
                _lastProgressMs = nowMs;
            }
            _host.SendTcpSegment(_destination, SourcePort, _destinationPort, Leg.FlowId, sequence, _frameBytes, nowMs);
        }
    }

    private void Retransmit(uint sequence, long nowMs, int phase)
    {
        _retransmissions++;
        Leg.RecordRetransmit(phase);
        _host.SendTcpSegment(_destination, SourcePort, _destinationPort, Leg.FlowId, sequence, _frameBytes, nowMs);
    }

    /// <summary>When the application offers segment <paramref name="index"/>, in whole-number arithmetic as the other sources.</summary>
    private long OfferedAt(uint index) => Leg.StartMs + (index * _periodNumeratorMs / _periodDenominator);
}
