// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Lab.Traffic;

/// <summary>
/// The receiving end of a TCP-like stream: it records every segment in the leg (so duplicates and reordering are
/// counted as for any flow) and answers with a cumulative acknowledgement, the number of the first segment it is
/// still missing. Segments that arrive out of order are kept, so one retransmission can fill a hole and move the
/// acknowledgement past everything received behind it.
/// </summary>
internal sealed class TcpReceiver(FlowLeg leg)
{
    private uint _nextExpected;

    /// <summary>The leg whose segments this end receives.</summary>
    public FlowLeg Leg { get; } = leg;

    /// <summary>Records segment <paramref name="sequence"/> and returns the acknowledgement to send.</summary>
    public uint OnSegment(uint sequence, long nowMs, int phase)
    {
        Leg.RecordArrival(sequence, nowMs, phase);
        while (Leg.HasArrived(_nextExpected))
        {
            _nextExpected++;
        }
        return _nextExpected;
    }
}
