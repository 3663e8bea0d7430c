// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.NetDev;

/// <summary>Which way a frame crossed a device.</summary>
public enum FrameDirection
{
    /// <summary>The device handed the frame to its user (the switch, or a host).</summary>
    Received,

    /// <summary>The device put the frame on its wire.</summary>
    Transmitted,
}

/// <summary>
/// Observes every frame a device receives or transmits, e.g. to write a pcapng capture. It is called on the
/// forwarding path, so an implementation must copy what it keeps and should not allocate per frame.
/// </summary>
public interface IFrameSink
{
    /// <summary>Called once per frame; <paramref name="frame"/> is valid only during the call.</summary>
    void OnFrame(INetDev device, FrameDirection direction, ReadOnlySpan<byte> frame);
}
