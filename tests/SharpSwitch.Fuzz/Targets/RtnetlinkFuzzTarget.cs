// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.NetDev.Linux;

namespace SharpSwitch.Fuzz.Targets;

/// <summary>
/// The rtnetlink reader behind the link monitor: any datagram the kernel (or anything else) delivers must be walked
/// without reading outside it, and every value it hands out must lie inside the message it came from.
/// </summary>
internal static class RtnetlinkFuzzTarget
{
    [FuzzTarget("rtnetlink")]
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        var reader = new NetlinkMessageReader(input);
        int messages = 0;
        while (reader.Next(out ushort type, out _, out ReadOnlySpan<byte> payload) == NetlinkParseStatus.Ok)
        {
            if (++messages > input.Length / Rtnetlink.HeaderSize)
            {
                throw new InvalidOperationException("more messages than the input can hold");
            }
            if (!LinkMessage.TryParse(payload, out LinkMessage link))
            {
                if (payload.Length >= Rtnetlink.IfInfoSize)
                {
                    throw new InvalidOperationException("a payload long enough for ifinfomsg was refused");
                }
                continue;
            }
            if (link.Name.Length > payload.Length || link.Address.Length > payload.Length || link.Mtu < -1 || link.CarrierAttribute is < -1 or > 1)
            {
                throw new InvalidOperationException($"message type {type}: a value lies outside its message");
            }
        }
        using LinkMonitor monitor = LinkMonitor.CreateDetachedForTests();
        monitor.Apply(input);
    }
}
