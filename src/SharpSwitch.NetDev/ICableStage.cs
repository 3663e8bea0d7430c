// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.NetDev;

/// <summary>
/// Something on the wire between the two ends of a <see cref="Cable"/>, such as the lab's netem-like impairments.
/// When a cable has a stage, a frame sent by one end is handed to the stage instead of being delivered to the other
/// end; the stage decides when (and whether, and in what shape) it arrives, and delivers it with
/// <see cref="DummyNetDev.InjectReceive"/>. It is called on the forwarding path, so it must copy what it keeps.
/// </summary>
public interface ICableStage
{
    /// <summary>Takes a frame that <paramref name="from"/> put on the wire towards <paramref name="to"/>; valid only during the call.</summary>
    void Carry(DummyNetDev from, DummyNetDev to, ReadOnlySpan<byte> frame);
}
