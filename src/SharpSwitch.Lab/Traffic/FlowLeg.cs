// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Lab.Traffic;

/// <summary>What one traffic direction achieved during one phase of the run.</summary>
/// <param name="Sent">Packets sent in the phase (new ones; a TCP-like retransmission is counted in <see cref="Retransmitted"/>).</param>
/// <param name="Delivered">Packets sent in the phase that arrived (at any time), each counted once.</param>
/// <param name="Duplicates">Arrivals in the phase of packets that had already arrived.</param>
/// <param name="MaxGapMs">The longest time without an arrival, measured inside the phase (null when the leg was idle).</param>
/// <param name="Reordered">First arrivals in the phase of packets that came after a later packet of the same 5-tuple.</param>
/// <param name="Retransmitted">Retransmissions the TCP-like sender made in the phase (0 for other traffic).</param>
internal readonly record struct LegPhaseStats(long Sent, long Delivered, long Duplicates, long? MaxGapMs, long Reordered = 0, long Retransmitted = 0)
{
    /// <summary>Packets sent in the phase that never arrived.</summary>
    public long Lost => Sent - Delivered;
}

/// <summary>
/// One direction of a traffic flow: what its sender sent and what its receiver got, split by phase. Every packet
/// carries the leg's flow id and a sequence number (<see cref="TrafficPayload"/>), so losses are charged to the phase
/// the packet was sent in, a copy that arrives twice is counted as a duplicate rather than as a delivery, and a packet
/// that arrives after a later one of the same 5-tuple counts as reordered. A leg with several sub-flows (UDP's
/// <c>flows: N</c>) sends packet <c>k</c> on sub-flow <c>k mod N</c>; order is only judged within a sub-flow, because
/// a balanced bond may legitimately deliver different 5-tuples in any order.
/// </summary>
internal sealed class FlowLeg
{
    private readonly long[] _reordered;
    private readonly long[] _retransmitted;
    private readonly long[] _highestArrivedBySubflow;
    private readonly List<int> _sendPhaseBySequence = [];
    private readonly List<bool> _arrivedBySequence = [];
    private readonly long[] _sent;
    private readonly long[] _delivered;
    private readonly long[] _duplicates;
    private readonly long[] _maxGapMs;
    private readonly bool[] _active;
    private long? _lastArrivalMs;

    public FlowLeg(string label, string sender, string receiver, long startMs, long stopMs, int phaseCount, uint flowId = 0, int subflows = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(subflows, 1);
        FlowId = flowId;
        Subflows = subflows;
        _reordered = new long[phaseCount];
        _retransmitted = new long[phaseCount];
        _highestArrivedBySubflow = new long[subflows];
        Array.Fill(_highestArrivedBySubflow, -1);
        Label = label;
        Sender = sender;
        Receiver = receiver;
        StartMs = startMs;
        StopMs = stopMs;
        _sent = new long[phaseCount];
        _delivered = new long[phaseCount];
        _duplicates = new long[phaseCount];
        _maxGapMs = new long[phaseCount];
        _active = new bool[phaseCount];
    }

    /// <summary>The id carried in every packet of the leg, unique in the run.</summary>
    public uint FlowId { get; }

    /// <summary>How many distinct 5-tuples the leg's packets take turns on.</summary>
    public int Subflows { get; }

    /// <summary>How the report names the leg, e.g. <c>ping-1 mgt -&gt; gw</c>.</summary>
    public string Label { get; }

    /// <summary>The sending host.</summary>
    public string Sender { get; }

    /// <summary>The receiving host (for a ping, the pinger itself receives the replies).</summary>
    public string Receiver { get; }

    /// <summary>When the leg starts sending, in virtual ms.</summary>
    public long StartMs { get; }

    /// <summary>When the leg stops sending, in virtual ms.</summary>
    public long StopMs { get; }

    /// <summary>Packets sent so far.</summary>
    public long TotalSent => _sendPhaseBySequence.Count;

    /// <summary>An optional watcher of every send and arrival (the run recorder), or null.</summary>
    public IFlowLegObserver? Observer { get; set; }

    /// <summary>Records a packet about to be sent and returns its sequence number.</summary>
    public uint RecordSend(int phase)
    {
        uint sequence = (uint)_sendPhaseBySequence.Count;
        _sendPhaseBySequence.Add(phase);
        _arrivedBySequence.Add(false);
        _sent[phase]++;
        _active[phase] = true;
        _lastArrivalMs ??= StartMs;
        Observer?.OnSend(this, sequence);
        return sequence;
    }

    /// <summary>Records the arrival of the packet with <paramref name="sequence"/>; unknown sequence numbers are ignored.</summary>
    public void RecordArrival(uint sequence, long nowMs, int phase)
    {
        if (sequence >= (uint)_arrivedBySequence.Count)
        {
            return;
        }
        Observer?.OnArrival(this, sequence, nowMs);
        if (_arrivedBySequence[(int)sequence])
        {
            _duplicates[phase]++;
            return;
        }
        _arrivedBySequence[(int)sequence] = true;
        _delivered[_sendPhaseBySequence[(int)sequence]]++;
        int subflow = (int)(sequence % (uint)Subflows);
        if (sequence < _highestArrivedBySubflow[subflow])
        {
            _reordered[phase]++;
        }
        else
        {
            _highestArrivedBySubflow[subflow] = sequence;
        }
        if (_lastArrivalMs is long last)
        {
            _maxGapMs[phase] = Math.Max(_maxGapMs[phase], nowMs - Math.Max(last, 0));
        }
        _active[phase] = true;
        _lastArrivalMs = nowMs;
    }

    /// <summary>True when packet <paramref name="sequence"/> has arrived at least once.</summary>
    public bool HasArrived(uint sequence) => sequence < (uint)_arrivedBySequence.Count && _arrivedBySequence[(int)sequence];

    /// <summary>Counts a retransmission of an already sent packet (TCP-like legs), charged to <paramref name="phase"/>.</summary>
    public void RecordRetransmit(int phase)
    {
        _retransmitted[phase]++;
        _active[phase] = true;
    }

    /// <summary>
    /// Closes a phase at <paramref name="phaseEndMs"/>: when nothing has arrived for a while, the silence up to the
    /// end of the phase (or the end of sending) is a gap too, so an outage that never ends is not reported as 0 ms.
    /// </summary>
    public void ClosePhase(int phase, long phaseEndMs)
    {
        if (_lastArrivalMs is long last && _active[phase])
        {
            long end = Math.Min(phaseEndMs, StopMs);
            if (end > last)
            {
                _maxGapMs[phase] = Math.Max(_maxGapMs[phase], end - last);
            }
        }
    }

    /// <summary>The leg's figures for one phase.</summary>
    public LegPhaseStats Phase(int phase)
    {
        return new LegPhaseStats(_sent[phase], _delivered[phase], _duplicates[phase], _active[phase] ? _maxGapMs[phase] : null, _reordered[phase], _retransmitted[phase]);
    }
}
