// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;

namespace SharpSwitch.Switchd.Flows;

/// <summary>
/// The body of the "odp-flow" fuzz target: any bytes, read as UTF-8 text, must either parse and then compose (with
/// and without a length) or fail with <see cref="OdpFlowParseException"/> carrying a one-line message. Anything else
/// escaping is a bug, which is reported by letting it propagate.
/// </summary>
internal static class OdpFlowFuzz
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        string text = Encoding.UTF8.GetString(input);
        OdpFlow flow;
        try
        {
            flow = OdpFlowParser.Parse(text);
        }
        catch (OdpFlowParseException ex)
        {
            Check(ex.Message.Length > 0, "empty parse error");
            return;
        }
        byte[]? frame = OdpFlowComposer.Compose(flow, null, out string? error);
        Check(error is null, "composing without a length failed: " + error);
        Check(frame is null == !flow.HasEthernet, "an Ethernet key built no frame, or a key without eth() built one");
        if (frame is not null)
        {
            Check(frame.Length >= 14, "frame shorter than an Ethernet header");
            byte[]? padded = OdpFlowComposer.Compose(flow, 200, out error);
            Check(error is null && padded is not null && padded.Length == 200, "composing with --len 200 failed: " + error);
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("odp-flow fuzz target: " + message);
        }
    }
}
