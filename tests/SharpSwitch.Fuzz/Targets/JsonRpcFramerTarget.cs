// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.JsonRpc;

namespace SharpSwitch.Fuzz.Targets;

/// <summary>
/// Feeds the input to the JSON-RPC framer whole and in several chunkings derived from the input itself, and checks
/// that the messages found, their parse results and the final error never depend on where the chunks were cut.
/// </summary>
internal static class JsonRpcFramerTarget
{
    private const int MaxMessageBytes = 4096;

    [FuzzTarget("jsonrpc-framer")]
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        string expected = Describe(input, chunkSize: input.Length == 0 ? 1 : input.Length);
        foreach (int chunkSize in new[] { 1, 2, 3, 7, 64 })
        {
            string actual = Describe(input, chunkSize);
            if (actual != expected)
            {
                throw new InvalidOperationException($"chunking by {chunkSize} bytes changed the outcome:\n{expected}\nversus\n{actual}");
            }
        }
        if (input.Length > 1)
        {
            // A cut whose position comes from the data itself reaches splits the fixed sizes miss.
            int cut = 1 + (input[0] % (input.Length - 1));
            string split = Describe(input, [cut]);
            if (split != expected)
            {
                throw new InvalidOperationException($"a cut at {cut} changed the outcome:\n{expected}\nversus\n{split}");
            }
        }
    }

    private static string Describe(ReadOnlySpan<byte> input, int chunkSize)
    {
        var cuts = new List<int>();
        for (int at = chunkSize; at < input.Length; at += chunkSize)
        {
            cuts.Add(at);
        }
        return Describe(input, cuts);
    }

    private static string Describe(ReadOnlySpan<byte> input, List<int> cuts)
    {
        var framer = new JsonStreamFramer(MaxMessageBytes);
        var outcome = new System.Text.StringBuilder();
        int previous = 0;
        cuts.Add(input.Length);
        foreach (int cut in cuts)
        {
            try
            {
                framer.Append(input[previous..cut]);
            }
            catch (JsonRpcProtocolException ex)
            {
                Drain(framer, outcome);
                outcome.Append("framing error: ").Append(ex.Message).Append('\n');
                return outcome.ToString();
            }
            previous = cut;
            Drain(framer, outcome);
        }
        outcome.Append(framer.HasPartialMessage ? "partial message at end\n" : "clean end\n");
        return outcome.ToString();
    }

    private static void Drain(JsonStreamFramer framer, System.Text.StringBuilder outcome)
    {
        while (framer.TryDequeue(out byte[] frame))
        {
            if (frame.Length > MaxMessageBytes || frame[0] != (byte)'{')
            {
                throw new InvalidOperationException("the framer produced a frame that breaks its own rules");
            }
            try
            {
                JsonRpcMessage message = JsonRpcMessage.Parse(frame);
                // Re-serialising and re-parsing must give the same message.
                string text = message.ToString();
                string again = JsonRpcMessage.Parse(message.ToUtf8Bytes()).ToString();
                if (text != again)
                {
                    throw new InvalidOperationException($"round trip changed {text} into {again}");
                }
                outcome.Append(message.Kind).Append(' ').Append(text).Append('\n');
            }
            catch (JsonRpcProtocolException ex)
            {
                outcome.Append("bad message: ").Append(ex.Message).Append('\n');
            }
        }
    }
}
