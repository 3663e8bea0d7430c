// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.Json;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary>
/// Leased messages (<see cref="JsonRpcMessage.ParseLeased"/>) read a received frame in pooled memory instead of copying
/// it: they must classify and reject exactly what the copying parser does, in one segment and across several, and a
/// connection with <see cref="JsonRpcConnectionOptions.LeaseReceivedMessages"/> must deliver the same messages.
/// </summary>
public sealed class LeasedMessageTests
{
    private static readonly TimeSpan s_ioDeadline = TimeSpan.FromSeconds(10);

    private static PooledSegmentWriter Frame(byte[] text)
    {
        var frame = new PooledSegmentWriter();
        // Written in odd-sized pieces so that a long text really spans several segments.
        int offset = 0;
        while (offset < text.Length)
        {
            int n = Math.Min(10_007, text.Length - offset);
            text.AsSpan(offset, n).CopyTo(frame.GetSpan(n));
            frame.Advance(n);
            offset += n;
        }
        return frame;
    }

    // A transact as ovs-vsctl sends it for add-port on a bridge with many ports: the ports set twice.
    private static string BigTransact(int ports)
    {
        var set = new StringBuilder();
        for (int i = 0; i < ports; i++)
        {
            set.Append(i == 0 ? "" : ",").Append("[\"uuid\",\"").Append(new Guid(i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10).ToString("D")).Append("\"]");
        }
        return "{\"id\":42,\"method\":\"transact\",\"params\":[\"Open_vSwitch\","
            + "{\"op\":\"wait\",\"table\":\"Bridge\",\"columns\":[\"ports\"],\"rows\":[{\"ports\":[\"set\",[" + set + "]]}],\"until\":\"==\",\"where\":[],\"timeout\":0},"
            + "{\"op\":\"update\",\"table\":\"Bridge\",\"row\":{\"ports\":[\"set\",[" + set + "]]},\"where\":[],\"name\":\"é ü \\u00e9\"}]}";
    }

    [Theory]
    [InlineData(3)]
    [InlineData(3000)]
    public void A_leased_message_reads_the_same_as_a_copied_one(int ports)
    {
        byte[] text = Encoding.UTF8.GetBytes(BigTransact(ports));
        JsonRpcMessage copied = JsonRpcMessage.Parse(text);
        using PooledSegmentWriter frame = Frame(text);
        Assert.Equal(ports > 1000, frame.WrittenSegments.Count() > 1);
        using JsonRpcMessage leased = JsonRpcMessage.ParseLeased(frame);
        Assert.Equal(JsonRpcMessageKind.Request, leased.Kind);
        Assert.Equal("transact", leased.Method);
        Assert.True(JsonElement.DeepEquals(copied.Id!.Value, leased.Id!.Value));
        Assert.True(JsonElement.DeepEquals(copied.Params!.Value, leased.Params!.Value));
        Assert.Equal(copied.ToString(), leased.ToString());
    }

    [Fact]
    public void A_kept_member_survives_disposal_only_as_a_clone()
    {
        byte[] text = Encoding.UTF8.GetBytes(BigTransact(2000));
        JsonRpcMessage leased = JsonRpcMessage.ParseLeased(Frame(text));
        JsonElement kept = leased.Params!.Value[1].Clone();
        JsonElement borrowed = leased.Params!.Value[1];
        leased.Dispose();
        leased.Dispose();
        Assert.Equal("wait", kept.GetProperty("op").GetString());
        Assert.Throws<ObjectDisposedException>(() => borrowed.GetProperty("op"));
    }

    [Theory]
    [InlineData("{\"id\":1,\"method\":\"echo\"}", "message has \"method\" without \"params\" or \"params\" without \"method\"")]
    [InlineData("{\"id\":1,\"method\":\"echo\",\"params\":{}}", "\"params\" must be JSON array")]
    [InlineData("[1,2]", "message is not a JSON object")]
    [InlineData("{\"id\":1,\"bogus\":2}", "message has unexpected member \"bogus\"")]
    public void A_leased_message_is_refused_for_the_same_reasons(string text, string reason)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var copied = Assert.Throws<JsonRpcProtocolException>(() => JsonRpcMessage.Parse(bytes));
        var leased = Assert.Throws<JsonRpcProtocolException>(() => JsonRpcMessage.ParseLeased(Frame(bytes)));
        Assert.Equal(reason, copied.Message);
        Assert.Equal(reason, leased.Message);
    }

    // A message whose string ends exactly where the first 64 KB segment ends, with the next two bytes after it.
    private static PooledSegmentWriter SplitAtSegmentEnd(byte first, byte second)
    {
        byte[] prefix = Encoding.UTF8.GetBytes("{\"id\":1,\"method\":\"x\",\"params\":[\"" + new string('a', PooledSegmentWriter.SegmentBytes - 33));
        byte[] text = [.. prefix, first, second, .. Encoding.UTF8.GetBytes("\"]}")];
        var frame = new PooledSegmentWriter();
        text.AsSpan(0, PooledSegmentWriter.SegmentBytes).CopyTo(frame.GetSpan(PooledSegmentWriter.SegmentBytes));
        frame.Advance(PooledSegmentWriter.SegmentBytes);
        text.AsSpan(PooledSegmentWriter.SegmentBytes).CopyTo(frame.GetSpan(text.Length - PooledSegmentWriter.SegmentBytes));
        frame.Advance(text.Length - PooledSegmentWriter.SegmentBytes);
        Assert.Equal(2, frame.WrittenSegments.Count());
        Assert.Equal(first, frame.WrittenSegments.First().Span[^1]);
        return frame;
    }

    [Fact]
    public void A_character_split_across_segments_is_accepted_and_an_invalid_one_refused()
    {
        // "é" is C3 A9; C3 followed by "(" is not UTF-8. Both parsers must agree, whichever the byte after the cut.
        using (PooledSegmentWriter valid = SplitAtSegmentEnd(0xC3, 0xA9))
        {
            Assert.EndsWith("aé", JsonRpcMessage.Parse(valid.ToSequence()).Params!.Value[0].GetString());
        }
        using (JsonRpcMessage leased = JsonRpcMessage.ParseLeased(SplitAtSegmentEnd(0xC3, 0xA9)))
        {
            Assert.EndsWith("aé", leased.Params!.Value[0].GetString());
        }
        using PooledSegmentWriter invalid = SplitAtSegmentEnd(0xC3, 0x28);
        var copied = Assert.Throws<JsonRpcProtocolException>(() => JsonRpcMessage.Parse(invalid.ToSequence()));
        var error = Assert.Throws<JsonRpcProtocolException>(() => JsonRpcMessage.ParseLeased(SplitAtSegmentEnd(0xC3, 0x28)));
        Assert.Equal("error parsing stream: invalid UTF-8 sequence", copied.Message);
        Assert.Equal("error parsing stream: invalid UTF-8 sequence", error.Message);
    }

    [Fact]
    public async Task A_leasing_connection_delivers_every_message_and_still_answers_echo()
    {
        (Stream a, Stream b) = InMemoryDuplex.CreatePair();
        await using var server = new JsonRpcConnection(a, "server", new JsonRpcConnectionOptions { LeaseReceivedMessages = true });
        await using var client = new JsonRpcConnection(b, "client");
        string big = BigTransact(2500);
        using var bigDocument = JsonDocument.Parse(big);
        JsonElement bigParams = bigDocument.RootElement.GetProperty("params");
        // The pipe holds less than the big message, so the sends run while the server reads.
        Task sending = Task.Run(async () =>
        {
            await client.SendAsync(JsonRpcMessage.CreateRequest(1, "transact", bigParams));
            await client.SendAsync(JsonRpcMessage.CreateRequest(7, "echo", JsonDocument.Parse("[\"hi\"]").RootElement));
            await client.SendAsync(JsonRpcMessage.CreateRequest(2, "list_dbs", JsonDocument.Parse("[]").RootElement));
        });

        using (JsonRpcMessage? first = await server.ReceiveAsync().WaitAsync(s_ioDeadline))
        {
            Assert.NotNull(first);
            Assert.True(JsonElement.DeepEquals(bigParams, first.Params!.Value));
        }
        // The echo request is answered by the connection and never handed to the receiver.
        using (JsonRpcMessage? second = await server.ReceiveAsync().WaitAsync(s_ioDeadline))
        {
            Assert.Equal("list_dbs", second!.Method);
        }
        await sending.WaitAsync(s_ioDeadline);
        JsonRpcMessage? echoReply = await client.ReceiveAsync().WaitAsync(s_ioDeadline);
        Assert.Equal("{\"id\":7,\"result\":[\"hi\"],\"error\":null}", echoReply!.ToString());
    }
}
