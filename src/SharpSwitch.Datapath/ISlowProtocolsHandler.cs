// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Datapath;

/// <summary>
/// Takes the Slow Protocols frames (EtherType 0x8809: LACPDUs, markers) that arrive on a port running LACP. As in
/// OVS, such frames never reach the NORMAL pipeline: they go to the protocol engine, which answers through
/// <see cref="Bridge.TrySendOnInterface"/>.
/// </summary>
public interface ISlowProtocolsHandler
{
    /// <summary>Called once per frame; <paramref name="frame"/> is valid only during the call.</summary>
    void OnSlowProtocolsFrame(PortInterface portInterface, ReadOnlySpan<byte> frame, long nowMs);
}
