// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.NetDev;

namespace SharpSwitch.Lab.Impairments;

/// <summary>What one direction of an impaired cable did to the frames sent into it, over the whole run.</summary>
/// <param name="Label">The direction, as <c>sw1:eno1 -&gt; tor:p1</c>.</param>
/// <param name="Offered">Frames the sending end put on the wire, duplicates not included.</param>
/// <param name="Lost">Frames (or duplicate copies) the wire lost to the <c>loss</c> setting.</param>
/// <param name="Duplicated">Extra copies the wire made.</param>
/// <param name="Corrupted">Frames with a flipped bit; the receiver's FCS check discarded them (its rx_crc_err).</param>
/// <param name="TailDropped">Frames dropped because the direction already held <c>limit</c> frames.</param>
/// <param name="LostInFlight">Frames held on the wire when the cable was pulled.</param>
/// <param name="Delivered">Frames handed to the receiving end.</param>
/// <param name="Reordered">Frames that arrived before a frame sent earlier (jitter overtaking), counted at release.</param>
internal sealed record ImpairmentStatistics(string Label, long Offered, long Lost, long Duplicated, long Corrupted, long TailDropped, long LostInFlight, long Delivered, long Reordered);

/// <summary>
/// One direction of an impaired cable, modelled on Linux netem on the sending interface. For each frame, in netem's
/// order: a duplicate copy may be made (it goes through the rest on its own, but is never duplicated again); the
/// frame may be lost (with optional correlation); one bit may be flipped; then it waits for the wire (<c>rate</c>:
/// serialised one after the other at the given bits per second, tail-dropped when <c>limit</c> frames are already
/// held) and for the delay (fixed plus a uniform jitter, so frames overtake each other when the jitter exceeds the gap
/// between them, as netem's time-sorted queue lets them). Time is kept in microseconds so that serialisation at high
/// rates does not round to whole milliseconds, and a frame is released at the first lab millisecond at or after
/// its due time.
/// </summary>
/// <remarks>
/// Loss correlation: with probability <c>correlation</c> a frame repeats the previous frame's fate, otherwise it is
/// lost with probability <c>loss</c>. This keeps the long-run loss rate at <c>loss</c> (netem's own correlation
/// formula does not) while making losses come in bursts. Frames held on the wire are kept in reusable buffers, so
/// the steady state allocates nothing per frame.
/// </remarks>
internal sealed class ImpairedDirection
{
    private readonly PriorityQueue<int, (long DueUs, long Order)> _held = new();
    private readonly List<byte[]> _slots = [];
    private readonly List<int> _lengths = [];
    private readonly List<uint?> _fcs = [];
    private readonly Stack<int> _freeSlots = new();
    private SplitMix64 _random;
    private ImpairmentSpec? _spec;
    private double _loss;
    private double _lossCorrelation;
    private double _corrupt;
    private double _duplicate;
    private bool _lastLost;
    private long _wireFreeAtUs;
    private long _nextOrder;
    private long _highestReleasedOrder = -1;
    private long _offered;
    private long _lost;
    private long _duplicated;
    private long _corrupted;
    private long _tailDropped;
    private long _lostInFlight;
    private long _delivered;
    private long _reordered;

    public ImpairedDirection(string label, DummyNetDev to, ulong defaultSeed)
    {
        Label = label;
        To = to;
        DefaultSeed = defaultSeed;
        _random = new SplitMix64(defaultSeed);
    }

    /// <summary>The direction, as <c>sw1:eno1 -&gt; tor:p1</c>.</summary>
    public string Label { get; }

    /// <summary>The receiving end.</summary>
    public DummyNetDev To { get; }

    /// <summary>The seed used when the settings give none: derived from the scenario name and this direction.</summary>
    public ulong DefaultSeed { get; }

    /// <summary>The settings in force, or null when the direction carries frames faithfully.</summary>
    public ImpairmentSpec? Spec => _spec;

    /// <summary>Frames waiting on the wire.</summary>
    public int HeldCount => _held.Count;

    /// <summary>The first lab millisecond at which a held frame is due, or <see cref="long.MaxValue"/>.</summary>
    public long NextDueMs => _held.TryPeek(out _, out (long DueUs, long Order) due) ? CeilingMs(due.DueUs) : long.MaxValue;

    /// <summary>
    /// Replaces the settings, as <c>tc qdisc change</c> does; null removes them. A new seed restarts the random
    /// stream; without one the stream carries on, so a change of delay alone does not replay earlier losses. Frames
    /// already on the wire keep their release times.
    /// </summary>
    public void Configure(ImpairmentSpec? spec) => Configure(spec, reseed: true);

    /// <summary>
    /// Replaces the settings as <see cref="Configure(ImpairmentSpec?)"/> does; with <paramref name="reseed"/> false a
    /// seeded spec does not restart the random stream, so settings restored after an impair's window draw on from
    /// where the stream is instead of replaying the draws made before the window.
    /// </summary>
    public void Configure(ImpairmentSpec? spec, bool reseed)
    {
        _spec = spec;
        _loss = spec is null ? 0 : (double)(spec.LossPercent / 100m);
        _lossCorrelation = spec is null ? 0 : (double)(spec.LossCorrelationPercent / 100m);
        _corrupt = spec is null ? 0 : (double)(spec.CorruptPercent / 100m);
        _duplicate = spec is null ? 0 : (double)(spec.DuplicatePercent / 100m);
        if (reseed && spec?.Seed is long seed)
        {
            // The user's seed is mixed with the direction's name so that both directions of a cable differ.
            _random = new SplitMix64((ulong)seed ^ SplitMix64.HashName(Label));
        }
    }

    /// <summary>Takes a frame sent at <paramref name="nowMs"/>; delivers it at once when nothing holds it back.</summary>
    public void Accept(long nowMs, ReadOnlySpan<byte> frame)
    {
        _offered++;
        if (_spec is null)
        {
            Deliver(frame, fcs: null);
            return;
        }
        if (_random.Chance(_duplicate))
        {
            _duplicated++;
            Impair(nowMs, frame);
        }
        Impair(nowMs, frame);
    }

    /// <summary>Hands every frame due at or before <paramref name="nowMs"/> to the receiving end, in due order.</summary>
    public void ReleaseDue(long nowMs, bool plugged)
    {
        while (_held.TryPeek(out int slot, out (long DueUs, long Order) due) && CeilingMs(due.DueUs) <= nowMs)
        {
            _held.Dequeue();
            if (plugged)
            {
                CountOrder(due.Order);
                Deliver(_slots[slot].AsSpan(0, _lengths[slot]), _fcs[slot]);
            }
            else
            {
                _lostInFlight++;
            }
            _freeSlots.Push(slot);
        }
    }

    /// <summary>Loses every frame on the wire (the cable was pulled), and empties the rate queue with it.</summary>
    public void DropInFlight()
    {
        while (_held.TryDequeue(out int slot, out _))
        {
            _lostInFlight++;
            _freeSlots.Push(slot);
        }
        _wireFreeAtUs = 0;
    }

    /// <summary>The counts so far.</summary>
    public ImpairmentStatistics Statistics() => new(Label, _offered, _lost, _duplicated, _corrupted, _tailDropped, _lostInFlight, _delivered, _reordered);

    private void Impair(long nowMs, ReadOnlySpan<byte> frame)
    {
        ImpairmentSpec spec = _spec!;
        if (LossEvent())
        {
            _lost++;
            return;
        }
        if (_held.Count >= spec.LimitFrames)
        {
            _tailDropped++;
            return;
        }
        long nowUs = nowMs * 1000;
        long departUs = nowUs;
        if (spec.RateBitsPerSecond > 0)
        {
            long startUs = Math.Max(nowUs, _wireFreeAtUs);
            long serialiseUs = ((frame.Length * 8L * 1_000_000L) + spec.RateBitsPerSecond - 1) / spec.RateBitsPerSecond;
            departUs = startUs + serialiseUs;
            _wireFreeAtUs = departUs;
        }
        long delayUs = spec.DelayMs * 1000;
        if (spec.JitterMs > 0)
        {
            long jitterUs = spec.JitterMs * 1000;
            delayUs += _random.NextBelow((2 * jitterUs) + 1) - jitterUs;
        }
        long dueUs = departUs + Math.Max(0, delayUs);
        int slot = Hold(frame);
        uint? fcs = null;
        if (_random.Chance(_corrupt))
        {
            // The sender's NIC computed the FCS over the good frame; the bit flips afterwards, on the wire.
            fcs = EthernetFcs.Compute(frame);
            long bit = _random.NextBelow(frame.Length * 8L);
            _slots[slot][bit / 8] ^= (byte)(1 << (int)(bit % 8));
        }
        long order = _nextOrder++;
        if (CeilingMs(dueUs) <= nowMs)
        {
            // No time passes on the wire: the frame arrives within this millisecond.
            _freeSlots.Push(slot);
            CountOrder(order);
            Deliver(_slots[slot].AsSpan(0, _lengths[slot]), fcs);
            return;
        }
        _fcs[slot] = fcs;
        _held.Enqueue(slot, (dueUs, order));
    }

    private bool LossEvent()
    {
        if (_loss <= 0)
        {
            return false;
        }
        bool lost = _lossCorrelation > 0 && _random.Chance(_lossCorrelation) ? _lastLost : _random.Chance(_loss);
        _lastLost = lost;
        return lost;
    }

    private int Hold(ReadOnlySpan<byte> frame)
    {
        if (!_freeSlots.TryPop(out int slot))
        {
            slot = _slots.Count;
            _slots.Add(new byte[PacketBuffer.Capacity]);
            _lengths.Add(0);
            _fcs.Add(null);
        }
        frame.CopyTo(_slots[slot]);
        _lengths[slot] = frame.Length;
        return slot;
    }

    private void CountOrder(long order)
    {
        if (order < _highestReleasedOrder)
        {
            _reordered++;
        }
        else
        {
            _highestReleasedOrder = order;
        }
    }

    /// <summary>
    /// The receiver's side of the wire: its FCS check, then its receive queue. Only frames the wire corrupted carry
    /// an FCS to check here; for the others the check would pass, so it is not spent.
    /// </summary>
    private void Deliver(ReadOnlySpan<byte> frame, uint? fcs)
    {
        if (fcs is uint expected && To.AdminUp && EthernetFcs.Compute(frame) != expected)
        {
            _corrupted++;
            To.Counters.CountRxCrcError();
            return;
        }
        // A frame the receiving end refuses (it is down, or its queue is full) has still left the wire; the end counts it.
        _delivered++;
        To.InjectReceive(frame);
    }

    private static long CeilingMs(long microseconds) => (microseconds + 999) / 1000;
}
