// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Capture;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Traffic;
using SharpSwitch.NetDev;

namespace SharpSwitch.Lab.Simulation;

/// <summary>
/// Watches a run from the side: every frame crossing a lab interface (through <see cref="IFrameSink"/>), every send
/// and arrival of the traffic legs (through <see cref="IFlowLegObserver"/>) and the virtual clock. From these it keeps
/// the bond members' counters per time bucket, which flow each member carried in each phase, the arrival history
/// that the switchover figures are computed from, and optionally a pcapng capture. It changes nothing in the run.
/// </summary>
internal sealed class RunRecorder : IFrameSink, IFlowLegObserver
{
    /// <summary>Bucket sizes the rate chart may use, in ms; the smallest that gives at most <see cref="MaximumBuckets"/> wins.</summary>
    private static readonly long[] s_bucketChoicesMs = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000];

    /// <summary>At most this many buckets per run, so a chart stays readable and the JSON small.</summary>
    public const int MaximumBuckets = 300;

    /// <summary>pcapng timestamp resolution: 10^-3 s, the lab clock's millisecond.</summary>
    private const byte TimestampExponent = 3;

    private readonly long _durationMs;
    private readonly IReadOnlyList<long> _phaseStarts;
    private readonly Dictionary<INetDev, DeviceSlot> _devices = new(ReferenceEqualityComparer.Instance);
    private readonly List<MemberSlot> _members = [];
    private readonly List<LegHistory> _legs = [];
    private readonly Dictionary<FlowLeg, LegHistory> _legsByFlow = new(ReferenceEqualityComparer.Instance);
    private readonly List<long[,]> _placementByPhase = [];
    private readonly PcapngWriter? _capture;
    private readonly Stream? _captureStream;
    private readonly List<string> _capturedInterfaces = [];
    private readonly Action<long, long>? _progress;
    private long _capturedPackets;
    private long _nowMs;
    private int _phase;
    private long _nextBoundaryMs;
    private int _sampledBoundaries;

    public RunRecorder(long durationMs, IReadOnlyList<long> phaseStarts, LabRunOptions options)
    {
        _durationMs = durationMs;
        _phaseStarts = phaseStarts;
        BucketMs = ChooseBucket(durationMs);
        BucketCount = (int)((durationMs + BucketMs - 1) / BucketMs);
        _progress = options.Progress;
        if (options.Capture is Stream stream)
        {
            _captureStream = stream;
            _capture = new PcapngWriter(stream, "SharpSwitch lab (virtual time)");
        }
    }

    /// <summary>Width of a rate-chart bucket, in ms.</summary>
    public long BucketMs { get; }

    /// <summary>Buckets in the run (the last may be shorter).</summary>
    public int BucketCount { get; }

    /// <summary>The phase frames are being counted in.</summary>
    public int Phase => _phase;

    /// <summary>Picks the bucket width for a run of <paramref name="durationMs"/>.</summary>
    internal static long ChooseBucket(long durationMs)
    {
        foreach (long choice in s_bucketChoicesMs)
        {
            if ((durationMs + choice - 1) / choice <= MaximumBuckets)
            {
                return choice;
            }
        }
        return (durationMs + MaximumBuckets - 1) / MaximumBuckets;
    }

    /// <summary>
    /// Watches every interface of the topology: each switch port and bond member, and each host's own cabled
    /// interface, captured as <c>node-interface</c> in file order. The host end of an internal port is left out, as it
    /// is the same wire as the switch's port.
    /// </summary>
    public void WatchTopology(Scenario scenario, LabTopology topology)
    {
        foreach (SwitchSpec sw in scenario.Topology.Switches)
        {
            foreach (BridgeSpec bridge in sw.Bridges)
            {
                foreach (PortSpec port in bridge.Ports)
                {
                    WatchInterface(topology.DeviceOf(sw.Name, port.Name), $"{sw.Name}-{port.Name}");
                }
                foreach (BondSpec bond in bridge.Bonds)
                {
                    foreach (BondInterfaceSpec member in bond.Interfaces)
                    {
                        DummyNetDev device = topology.DeviceOf(sw.Name, member.Name);
                        WatchInterface(device, $"{sw.Name}-{member.Name}");
                        WatchBondMember(sw.Name, bond.Name, member.Name, device);
                    }
                }
            }
        }
        foreach (HostSpec host in scenario.Topology.Hosts.Where(h => h.AttachedTo is null))
        {
            WatchInterface(topology.DeviceOf(host.Name, host.InterfaceName), $"{host.Name}-{host.InterfaceName}");
        }
    }

    /// <summary>Records the frames of <paramref name="device"/>, captured under <paramref name="captureName"/> when a capture is written.</summary>
    public void WatchInterface(DummyNetDev device, string? captureName)
    {
        DeviceSlot slot = SlotOf(device);
        if (captureName is not null && _capture is not null && slot.CaptureId < 0)
        {
            slot.CaptureId = _capture.AddInterface(captureName, TimestampExponent);
            _capturedInterfaces.Add(captureName);
        }
    }

    /// <summary>Samples <paramref name="device"/>'s counters per bucket and counts flow frames on it, as member <paramref name="member"/> of a bond.</summary>
    public void WatchBondMember(string switchName, string bond, string member, DummyNetDev device)
    {
        DeviceSlot slot = SlotOf(device);
        var memberSlot = new MemberSlot(switchName, bond, member, device, BucketCount);
        slot.Member = _members.Count;
        _members.Add(memberSlot);
        memberSlot.Previous = device.Statistics;
    }

    /// <summary>Follows <paramref name="leg"/>: its sends and arrivals, and its frames by <paramref name="match"/> on bond members.</summary>
    public void TrackLeg(FlowLeg leg, FlowMatch match)
    {
        var history = new LegHistory(leg, match);
        _legs.Add(history);
        _legsByFlow.Add(leg, history);
        leg.Observer = this;
    }

    /// <summary>
    /// Moves the recorder's clock to <paramref name="nowMs"/>, before anything happens at that instant: bucket
    /// boundaries passed since the last call are sampled (counters cannot change between instants), and the phase
    /// follows the scenario's event times.
    /// </summary>
    public void AdvanceTo(long nowMs)
    {
        _nowMs = nowMs;
        while (_phase + 1 < _phaseStarts.Count && _phaseStarts[_phase + 1] <= nowMs)
        {
            _phase++;
        }
        while (_sampledBoundaries <= BucketCount && _nextBoundaryMs <= nowMs && _nextBoundaryMs < _durationMs)
        {
            SampleBoundary();
        }
        _progress?.Invoke(nowMs, _durationMs);
    }

    /// <summary>Samples the last boundary after the final pass, flushes the capture and computes the switchovers.</summary>
    public RunRecording Finish(IReadOnlyList<TimelineEntry> timeline)
    {
        _nowMs = _durationMs;
        while (_sampledBoundaries <= BucketCount)
        {
            SampleBoundary();
        }
        _capture?.Flush();
        _captureStream?.Flush();
        var series = _members.Select(m => new MemberSeries(m.Switch, m.Bond, m.Member, m.TxPackets, m.RxPackets)).ToList();
        var placement = new List<IReadOnlyList<FlowPlacement>>();
        for (int phase = 0; phase < _phaseStarts.Count; phase++)
        {
            var rows = new List<FlowPlacement>();
            long[,]? counts = phase < _placementByPhase.Count ? _placementByPhase[phase] : null;
            for (int l = 0; l < _legs.Count; l++)
            {
                for (int m = 0; m < _members.Count; m++)
                {
                    MemberSlot member = _members[m];
                    long outFrames = counts is null ? 0 : counts[l, (2 * m) + 1];
                    long inFrames = counts is null ? 0 : counts[l, 2 * m];
                    rows.Add(new FlowPlacement(_legs[l].Leg.Label, member.Switch, member.Bond, member.Member, outFrames, inFrames));
                }
            }
            placement.Add(rows);
        }
        IReadOnlyList<Switchover> switchovers = SwitchoverAnalysis.Find(timeline, _durationMs, this);
        CaptureSummary? capture = _capture is null ? null : new CaptureSummary(_capturedInterfaces.ToList(), _capturedPackets);
        return new RunRecording(BucketMs, series, placement, switchovers, capture);
    }

    /// <inheritdoc/>
    public void OnFrame(INetDev device, FrameDirection direction, ReadOnlySpan<byte> frame)
    {
        if (!_devices.TryGetValue(device, out DeviceSlot? slot))
        {
            return;
        }
        slot.Chained?.OnFrame(device, direction, frame);
        if (slot.CaptureId >= 0)
        {
            _capture!.WritePacket(slot.CaptureId, (ulong)_nowMs, frame, direction == FrameDirection.Received ? CaptureDirection.Inbound : CaptureDirection.Outbound);
            _capturedPackets++;
        }
        if (slot.Member >= 0 && _legs.Count > 0)
        {
            for (int l = 0; l < _legs.Count; l++)
            {
                if (!_legs[l].Match.Matches(frame))
                {
                    continue;
                }
                while (_placementByPhase.Count <= _phase)
                {
                    _placementByPhase.Add(new long[_legs.Count, 2 * _members.Count]);
                }
                bool outbound = direction == FrameDirection.Transmitted;
                _placementByPhase[_phase][l, (2 * slot.Member) + (outbound ? 1 : 0)]++;
                if (outbound)
                {
                    _members[slot.Member].RecordFlowTransmit(_nowMs);
                }
                break;
            }
        }
    }

    /// <inheritdoc/>
    public void OnSend(FlowLeg leg, uint sequence)
    {
        if (_legsByFlow.TryGetValue(leg, out LegHistory? history))
        {
            history.RecordSend(sequence, _nowMs);
        }
    }

    /// <inheritdoc/>
    public void OnArrival(FlowLeg leg, uint sequence, long nowMs)
    {
        if (_legsByFlow.TryGetValue(leg, out LegHistory? history))
        {
            history.RecordArrival(sequence, nowMs);
        }
    }

    /// <summary>The legs followed, in the order they were added.</summary>
    internal IReadOnlyList<LegHistory> Legs => _legs;

    /// <summary>The first time at or after <paramref name="fromMs"/> the switch sent a flow frame out of the member, or null.</summary>
    internal long? FirstFlowTransmit(string switchName, string bond, string member, long fromMs)
    {
        MemberSlot? slot = _members.FirstOrDefault(m => m.Switch == switchName && m.Bond == bond && m.Member == member);
        return slot?.FirstTransmitAtOrAfter(fromMs);
    }

    private DeviceSlot SlotOf(DummyNetDev device)
    {
        if (!_devices.TryGetValue(device, out DeviceSlot? slot))
        {
            // Another watcher (a capture tap of another engineer's making, say) keeps getting every frame.
            slot = new DeviceSlot { Chained = device.FrameSink };
            _devices.Add(device, slot);
            device.FrameSink = this;
        }
        return slot;
    }

    private void SampleBoundary()
    {
        int bucket = _sampledBoundaries - 1;
        foreach (MemberSlot member in _members)
        {
            InterfaceStatistics now = member.Device.Statistics;
            if (bucket >= 0)
            {
                member.TxPackets[bucket] = now.TxPackets - member.Previous.TxPackets;
                member.RxPackets[bucket] = now.RxPackets - member.Previous.RxPackets;
            }
            member.Previous = now;
        }
        _sampledBoundaries++;
        _nextBoundaryMs = Math.Min(_sampledBoundaries * BucketMs, _durationMs);
    }

    private sealed class DeviceSlot
    {
        /// <summary>The pcapng interface id, or -1 when the device is not captured.</summary>
        public int CaptureId { get; set; } = -1;

        /// <summary>Index into the member list, or -1 when the device is no bond member.</summary>
        public int Member { get; set; } = -1;

        /// <summary>The sink the device had before the recorder joined it.</summary>
        public IFrameSink? Chained { get; init; }
    }

    private sealed class MemberSlot(string switchName, string bond, string member, DummyNetDev device, int bucketCount)
    {
        private readonly List<long> _flowTransmitMs = [];

        public string Switch { get; } = switchName;

        public string Bond { get; } = bond;

        public string Member { get; } = member;

        public DummyNetDev Device { get; } = device;

        /// <summary>Packets sent per bucket.</summary>
        public long[] TxPackets { get; } = new long[bucketCount];

        /// <summary>Packets received per bucket.</summary>
        public long[] RxPackets { get; } = new long[bucketCount];

        /// <summary>The counters at the last sampled boundary.</summary>
        public InterfaceStatistics Previous { get; set; }

        /// <summary>Keeps each distinct ms at which a flow frame left the member, in order.</summary>
        public void RecordFlowTransmit(long nowMs)
        {
            if (_flowTransmitMs.Count == 0 || _flowTransmitMs[^1] != nowMs)
            {
                _flowTransmitMs.Add(nowMs);
            }
        }

        public long? FirstTransmitAtOrAfter(long fromMs)
        {
            int index = _flowTransmitMs.BinarySearch(fromMs);
            if (index < 0)
            {
                index = ~index;
            }
            return index < _flowTransmitMs.Count ? _flowTransmitMs[index] : null;
        }
    }
}

/// <summary>
/// The send and arrival history of one leg, by sequence number: when each packet was sent, whether it arrived, and
/// the times of first arrivals, duplicate arrivals and late (reordered) arrivals.
/// </summary>
internal sealed class LegHistory(FlowLeg leg, FlowMatch match)
{
    private readonly List<long> _sentMs = [];
    private readonly List<bool> _arrived = [];
    private readonly List<long> _arrivalMs = [];
    private readonly List<long> _duplicateMs = [];
    private readonly List<long> _reorderedMs = [];
    private long _highestArrived = -1;

    public FlowLeg Leg { get; } = leg;

    public FlowMatch Match { get; } = match;

    /// <summary>Send time of each packet, by sequence number.</summary>
    public IReadOnlyList<long> SentMs => _sentMs;

    /// <summary>Whether each packet arrived at least once, by sequence number.</summary>
    public IReadOnlyList<bool> Arrived => _arrived;

    /// <summary>Times of first arrivals, in order.</summary>
    public IReadOnlyList<long> ArrivalMs => _arrivalMs;

    /// <summary>Times of duplicate arrivals, in order.</summary>
    public IReadOnlyList<long> DuplicateMs => _duplicateMs;

    /// <summary>Times of first arrivals that came after a later-sent packet, in order.</summary>
    public IReadOnlyList<long> ReorderedMs => _reorderedMs;

    public void RecordSend(uint sequence, long nowMs)
    {
        // Sequence numbers are handed out densely from zero, so the list index is the sequence number.
        while (_sentMs.Count <= sequence)
        {
            _sentMs.Add(nowMs);
            _arrived.Add(false);
        }
    }

    public void RecordArrival(uint sequence, long nowMs)
    {
        if (sequence >= (uint)_arrived.Count)
        {
            return;
        }
        if (_arrived[(int)sequence])
        {
            _duplicateMs.Add(nowMs);
            return;
        }
        _arrived[(int)sequence] = true;
        _arrivalMs.Add(nowMs);
        if (sequence < _highestArrived)
        {
            _reorderedMs.Add(nowMs);
        }
        else
        {
            _highestArrived = sequence;
        }
    }
}
