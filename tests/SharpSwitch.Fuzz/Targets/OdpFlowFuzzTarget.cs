// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Fuzz.Targets;

/// <summary>The datapath flow-key parser behind <c>netdev-dummy/receive</c>: only its own parse error may escape.</summary>
internal static class OdpFlowFuzzTarget
{
    [FuzzTarget("odp-flow")]
    public static void Fuzz(ReadOnlySpan<byte> input) => SharpSwitch.Switchd.Flows.OdpFlowFuzz.Run(input);
}
