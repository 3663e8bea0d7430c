// SharpSwitch: an Open vSwitch-compatible virtual switch.
using CsCheck;
using SharpSwitch.Cli.Vsctl;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary>Random input never makes the parsers fail in any way other than their documented error.</summary>
public sealed class PropertyTests
{
    private static readonly string[] s_words =
    [
        "--", "-", "--db", "--db=", "--format=table", "--columns=", "--id=@x", "--if-exists", "--may-exist", "-t", "--timeout=1",
        "add-br", "add-bond", "list", "get", "set", "find", "create", "show", "br0", "port", "tag=1", "a:b=c", ":=", "{}", "[]", "\"", "=", "",
    ];

    private static readonly Gen<string> s_word = Gen.OneOf(
        Gen.Int[0, s_words.Length - 1].Select(i => s_words[i]),
        Gen.String[Gen.Char["-=:@{}[]\"\\ abc01"], 0, 8]);

    [Fact]
    public void Command_line_parsing_only_ever_fails_with_a_vsctl_error()
    {
        s_word.Array[0, 8].Sample(args =>
        {
            try
            {
                VsctlCommandLine.Parse(args);
            }
            catch (VsctlException)
            {
                // The documented way to reject a command line.
            }
        }, iter: 5000);
    }

    [Fact]
    public void Column_argument_parsing_only_ever_fails_with_a_vsctl_error()
    {
        Gen.String[Gen.Char["-=:!<>{}[]\"\\ ab01,"], 0, 16].Sample(text =>
        {
            try
            {
                ColumnArgument.Parse(text, ColumnArgument.RelationalOperators);
            }
            catch (VsctlException)
            {
                // The documented way to reject an argument.
            }
        }, iter: 5000);
    }

    [Fact]
    public void Message_parsing_only_ever_fails_with_a_protocol_error()
    {
        byte[] structural = "{}[]:,\"\\0123456789truefalsenull "u8.ToArray();
        Gen<byte[]> jsonish = Gen.OneOf(Gen.Byte, Gen.Int[0, structural.Length - 1].Select(i => structural[i])).Array[0, 48];
        jsonish.Sample(bytes =>
        {
            try
            {
                JsonRpcMessage.Parse(bytes);
            }
            catch (JsonRpcProtocolException)
            {
                // The documented way to reject a message.
            }
        }, iter: 5000);
    }

    [Fact]
    public void Framing_does_not_depend_on_where_the_stream_is_cut()
    {
        string[] samples =
        [
            FramerTests.CapturedStream,
            "{\"id\":\"}{\",\"method\":\"echo\",\"params\":[\"\\\"]}{[\",\"\\\\\"]}",
            "{\"id\":1,\"result\":{\"a\":[[],{},\"]\"]},\"error\":null} \n{\"id\":null,\"method\":\"m\",\"params\":[]}",
        ];
        Gen.Select(Gen.Int[0, samples.Length - 1], Gen.Int[0, 10_000].Array[0, 6]).Sample((sample, cuts) =>
        {
            byte[] input = System.Text.Encoding.UTF8.GetBytes(samples[sample]);
            int[] points = [.. cuts.Select(c => c % (input.Length + 1)).Order().Distinct()];
            Assert.Equal(Frame(input, []), Frame(input, points));
        }, iter: 2000);
    }

    private static List<string> Frame(byte[] input, int[] cuts)
    {
        var framer = new JsonStreamFramer();
        var frames = new List<string>();
        int previous = 0;
        foreach (int cut in cuts.Append(input.Length))
        {
            framer.Append(input.AsSpan(previous, cut - previous));
            previous = cut;
            while (framer.TryDequeue(out byte[] frame))
            {
                frames.Add(System.Text.Encoding.UTF8.GetString(frame));
            }
        }
        return frames;
    }
}
