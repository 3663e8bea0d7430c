// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;

namespace SharpSwitch.JsonRpc.Tests;

public sealed class FramerTests
{
    // Back-to-back messages as ovs-vswitchd pipelines them, with strings that contain braces, brackets, escaped
    // quotes, backslashes and multi-byte UTF-8, plus whitespace between some values.
    internal const string CapturedStream =
        "{\"id\":3,\"method\":\"get_schema\",\"params\":[\"_Server\"]}{\"id\":4,\"method\":\"lock\",\"params\":[\"ovs_vswitchd\"]}"
        + "\n {\"id\":2,\"result\":{\"Database\":{\"448b28a2-9db0-4935-84ef-b51fa461671a\":{\"initial\":{\"schema\":\"{\\\"cksum\\\":\\\"3012963480 26720\\\",\\\"tables\\\":{}}\"}}}},\"error\":null}"
        + "\t{\"id\":null,\"method\":\"update3\",\"params\":[[\"monid\",\"Open_vSwitch\"],\"00000000-0000-0000-0000-000000000000\",{\"Bridge\":{\"f26c5721-0000-0000-0000-000000000000\":{\"insert\":{\"name\":\"br}]\\\\\\\"x\",\"other_config\":[\"map\",[[\"k\",\"väl ✓\"]]]}}}}]}"
        + "{\"id\":\"echo\",\"method\":\"echo\",\"params\":[]}\r\n";

    private static List<string> Frame(byte[] input, IEnumerable<int> cuts, int max = JsonStreamFramer.DefaultMaxMessageBytes)
    {
        var framer = new JsonStreamFramer(max);
        var messages = new List<string>();
        int previous = 0;
        foreach (int cut in cuts.Append(input.Length))
        {
            framer.Append(input.AsSpan(previous, cut - previous));
            previous = cut;
            while (framer.TryDequeue(out byte[] message))
            {
                messages.Add(Encoding.UTF8.GetString(message));
            }
        }
        return messages;
    }

    [Fact]
    public void Splits_back_to_back_messages_and_skips_whitespace_between_them()
    {
        List<string> messages = Frame(Encoding.UTF8.GetBytes(CapturedStream), []);
        Assert.Equal(5, messages.Count);
        Assert.Equal("{\"id\":3,\"method\":\"get_schema\",\"params\":[\"_Server\"]}", messages[0]);
        Assert.StartsWith("{\"id\":null,\"method\":\"update3\"", messages[3], StringComparison.Ordinal);
        Assert.Equal("{\"id\":\"echo\",\"method\":\"echo\",\"params\":[]}", messages[4]);
        foreach (string message in messages)
        {
            JsonRpcMessage.Parse(Encoding.UTF8.GetBytes(message));
        }
    }

    [Fact]
    public void Every_single_split_point_gives_the_same_messages()
    {
        byte[] input = Encoding.UTF8.GetBytes(CapturedStream);
        List<string> expected = Frame(input, []);
        for (int cut = 0; cut <= input.Length; cut++)
        {
            Assert.Equal(expected, Frame(input, [cut]));
        }
    }

    [Fact]
    public void Byte_at_a_time_gives_the_same_messages()
    {
        byte[] input = Encoding.UTF8.GetBytes(CapturedStream);
        Assert.Equal(Frame(input, []), Frame(input, Enumerable.Range(1, input.Length - 1)));
    }

    [Fact]
    public void A_message_over_the_limit_is_a_clear_error_at_the_same_byte_whatever_the_chunking()
    {
        byte[] input = Encoding.UTF8.GetBytes("{\"id\":1,\"result\":[],\"error\":null}{\"id\":2,\"result\":\"" + new string('x', 100) + "\",\"error\":null}");
        var whole = Assert.Throws<JsonRpcProtocolException>(() => Frame(input, [], max: 64));
        Assert.Contains("exceeds the maximum size of 64 bytes", whole.Message, StringComparison.Ordinal);
        for (int cut = 0; cut <= input.Length; cut++)
        {
            var split = Assert.Throws<JsonRpcProtocolException>(() => Frame(input, [cut], max: 64));
            Assert.Equal(whole.Message, split.Message);
        }
    }

    [Fact]
    public void Messages_before_an_oversized_one_are_still_delivered()
    {
        var framer = new JsonStreamFramer(40);
        Assert.Throws<JsonRpcProtocolException>(() => framer.Append(Encoding.UTF8.GetBytes("{\"id\":1,\"result\":[],\"error\":null}{\"id\":2,\"result\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}")));
        Assert.True(framer.TryDequeue(out byte[] first));
        Assert.Equal("{\"id\":1,\"result\":[],\"error\":null}", Encoding.UTF8.GetString(first));
        Assert.False(framer.TryDequeue(out _));
        Assert.Throws<JsonRpcProtocolException>(() => framer.Append("{}"u8));
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("nul")]
    public void A_top_level_value_that_is_not_an_object_is_rejected(string input)
    {
        var framer = new JsonStreamFramer();
        var error = Assert.Throws<JsonRpcProtocolException>(() => framer.Append(Encoding.UTF8.GetBytes(input)));
        Assert.Contains("must be a JSON object", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_partial_message_is_held_until_it_completes()
    {
        var framer = new JsonStreamFramer();
        framer.Append("{\"id\":1,\"result\":{\"a\":\"}"u8);
        Assert.True(framer.HasPartialMessage);
        Assert.False(framer.TryDequeue(out _));
        framer.Append("\"},\"error\":null}"u8);
        Assert.False(framer.HasPartialMessage);
        Assert.True(framer.TryDequeue(out byte[] message));
        Assert.Equal(JsonRpcMessageKind.Reply, JsonRpcMessage.Parse(message).Kind);
    }
}
