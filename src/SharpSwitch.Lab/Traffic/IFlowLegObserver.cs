// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Lab.Traffic;

/// <summary>
/// Watches the sequence numbers of one <see cref="FlowLeg"/> as they are sent and as they arrive, so that a recorder
/// can measure loss, duplication and reordering around each switchover without the leg knowing about reports.
/// </summary>
internal interface IFlowLegObserver
{
    /// <summary>Called when the leg's sender records packet <paramref name="sequence"/> as sent.</summary>
    void OnSend(FlowLeg leg, uint sequence);

    /// <summary>Called for every arrival of packet <paramref name="sequence"/>, duplicates included, at <paramref name="nowMs"/>.</summary>
    void OnArrival(FlowLeg leg, uint sequence, long nowMs);
}
