// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Lab.Traffic;

/// <summary>What one traffic direction achieved during one phase of the run.</summary>
/// <param name="Sent">Packets sent in the phase.</param>
/// <param name="Delivered">Packets sent in the phase that arrived (at any time), each counted once.</param>
/// <param name="Duplicates">Arrivals in the phase of packets that had already arrived.</param>
/// <param name="MaxGapMs">The longest time without an arrival, measured inside the phase (null when the leg was idle).</param>
internal readonly record struct LegPhaseStats(long Sent, long Delivered, long Duplicates, long? MaxGapMs)
{
    /// <summary>Packets sent in the phase that never arrived.</summary>
    public long Lost => Sent - Delivered;
}

/// <summary>
/// One direction of a traffic flow: what its sender sent and what its receiver got, split by phase. Every packet
/// carries a sequence number, so losses are charged to the phase the packet was sent in and a copy that arrives twice
/// is counted as a duplicate rather than as a delivery.
/// </summary>
internal sealed class FlowLeg
{
    private readonly List<int> _sendPhaseBySequence = [];
    private readonly List<bool> _arrivedBySequence = [];
    private readonly long[] _sent;
    private readonly long[] _delivered;
    private readonly long[] _duplicates;
    private readonly long[] _maxGapMs;
    private readonly bool[] _active;
    private long? _lastArrivalMs;

    public FlowLeg(string label, string sender, string receiver, long startMs, long stopMs, int phaseCount)
    {
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
        if (_lastArrivalMs is long last)
        {
            _maxGapMs[phase] = Math.Max(_maxGapMs[phase], nowMs - Math.Max(last, 0));
        }
        _active[phase] = true;
        _lastArrivalMs = nowMs;
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
        return new LegPhaseStats(_sent[phase], _delivered[phase], _duplicates[phase], _active[phase] ? _maxGapMs[phase] : null);
    }
}
