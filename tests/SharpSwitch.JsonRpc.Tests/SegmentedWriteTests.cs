// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary>
/// Messages are serialized into pooled segments and written segment by segment; these tests check that the bytes
/// are exactly those of the contiguous form, for bodies given as elements and as nodes, across segment boundaries.
/// </summary>
public sealed class SegmentedWriteTests
{
    // A body of many rows with strings that need escaping, long enough to span several 64 KB segments.
    private static JsonObject BigUpdate(int rows)
    {
        var table = new JsonObject();
        for (int i = 0; i < rows; i++)
        {
            table[Guid.NewGuid().ToString("D")] = new JsonObject
            {
                ["new"] = new JsonObject
                {
                    ["name"] = $"p{i} <&> \"quoted\" é \u0001",
                    ["ofport"] = i,
                    ["weight"] = i / 3.0,
                    ["tags"] = new JsonArray("set", new JsonArray(i, i + 1)),
                    ["admin"] = i % 2 == 0,
                },
            };
        }
        return new JsonObject { ["Interface"] = table };
    }

    private static JsonElement Element(JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement.Clone();

    [Fact]
    public void Segment_writer_keeps_every_byte_in_order_across_segments()
    {
        using var writer = new PooledSegmentWriter();
        byte[] expected = new byte[3 * PooledSegmentWriter.SegmentBytes + 1234];
        new Random(7).NextBytes(expected);
        int offset = 0;
        int step = 1;
        while (offset < expected.Length)
        {
            int n = Math.Min(step, expected.Length - offset);
            Span<byte> span = writer.GetSpan(n);
            expected.AsSpan(offset, n).CopyTo(span);
            writer.Advance(n);
            offset += n;
            step = step * 3 % 40_000 + 1;
        }
        Assert.Equal(expected.Length, writer.WrittenCount);
        Assert.Equal(expected, writer.ToArray());
        Assert.Equal(expected, writer.ToSequence().ToArray());
        Assert.True(writer.WrittenSegments.Count() > 1);
        Assert.All(writer.WrittenSegments, s => Assert.True(s.Length <= PooledSegmentWriter.SegmentBytes));
        writer.Reset();
        Assert.Equal(0, writer.WrittenCount);
        Assert.Empty(writer.WrittenSegments);
    }

    [Fact]
    public void Segment_writer_gives_a_value_larger_than_a_segment_its_own_room()
    {
        using var writer = new PooledSegmentWriter();
        writer.GetSpan(10)[0] = 1;
        writer.Advance(1);
        int big = PooledSegmentWriter.SegmentBytes * 2;
        Span<byte> span = writer.GetSpan(big);
        Assert.True(span.Length >= big);
        span[..big].Fill(2);
        writer.Advance(big);
        byte[] all = writer.ToArray();
        Assert.Equal(big + 1, all.Length);
        Assert.Equal(1, all[0]);
        Assert.All(all.Skip(1), b => Assert.Equal(2, b));
    }

    [Fact]
    public void Node_backed_reply_writes_the_same_bytes_as_the_element_backed_one()
    {
        JsonElement id = JsonDocument.Parse("[\"monid\",\"Open_vSwitch\"]").RootElement.Clone();
        JsonObject update = BigUpdate(2000);
        byte[] fromElement = JsonRpcMessage.CreateReply(id, Element(update)).ToUtf8Bytes();
        JsonRpcMessage fromNode = JsonRpcMessage.CreateReply(id, update);
        Assert.True(fromElement.Length > 3 * PooledSegmentWriter.SegmentBytes);
        Assert.Equal(fromElement, fromNode.ToUtf8Bytes());
        // The element form is still there for callers that read it, and equal to the node.
        Assert.True(JsonElement.DeepEquals(Element(update), fromNode.Result!.Value));
    }

    [Fact]
    public void Node_backed_notification_writes_the_same_bytes_as_the_element_backed_one()
    {
        var @params = new JsonArray(null, "00000000-0000-0000-0000-000000000000", BigUpdate(300));
        byte[] fromElement = JsonRpcMessage.CreateNotification("update3", Element(@params)).ToUtf8Bytes();
        JsonRpcMessage fromNode = JsonRpcMessage.CreateNotification("update3", @params);
        Assert.Equal(fromElement, fromNode.ToUtf8Bytes());
        Assert.Equal(JsonRpcMessageKind.Notification, fromNode.Kind);
        Assert.Equal(3, fromNode.Params!.Value.GetArrayLength());
    }

    [Fact]
    public void Node_backed_reply_refuses_a_missing_result()
    {
        JsonElement id = JsonDocument.Parse("1").RootElement.Clone();
        Assert.ThrowsAny<ArgumentException>(() => JsonRpcMessage.CreateReply(id, (JsonNode)null!));
    }

    [Fact]
    public async Task Connection_puts_the_same_bytes_on_the_wire_for_large_messages_back_to_back()
    {
        (Stream left, Stream right) = InMemoryDuplex.CreatePair();
        await using var sender = new JsonRpcConnection(left, "sender");
        JsonElement id = JsonDocument.Parse("7").RootElement.Clone();
        var expected = new MemoryStream();
        var sends = new List<JsonRpcMessage>();
        foreach (int rows in new[] { 1500, 3, 700 })
        {
            JsonObject update = BigUpdate(rows);
            expected.Write(JsonRpcMessage.CreateReply(id, Element(update)).ToUtf8Bytes());
            sends.Add(JsonRpcMessage.CreateReply(id, update));
        }
        Task sending = Task.Run(async () =>
        {
            foreach (JsonRpcMessage message in sends)
            {
                await sender.SendAsync(message);
            }
        });
        byte[] received = new byte[expected.Length];
        int offset = 0;
        while (offset < received.Length)
        {
            int n = await right.ReadAsync(received.AsMemory(offset)).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotEqual(0, n);
            offset += n;
        }
        await sending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Encoding.UTF8.GetString(expected.ToArray()), Encoding.UTF8.GetString(received));
    }

    [Fact]
    public void Framer_delivers_a_large_message_in_segments_that_parse_like_the_contiguous_bytes()
    {
        // Multi-byte characters everywhere, so some are split between two 64 KB segments.
        var update = new JsonObject();
        for (int i = 0; i < 4000; i++)
        {
            update[$"k{i}"] = $"é€😀 {i}";
        }
        byte[] bytes = JsonRpcMessage.CreateNotification("update", new JsonArray("m", update)).ToUtf8Bytes();
        var framer = new JsonStreamFramer();
        for (int offset = 0; offset < bytes.Length; offset += 1000)
        {
            framer.Append(bytes.AsSpan(offset, Math.Min(1000, bytes.Length - offset)));
        }
        Assert.True(framer.TryDequeueSegments(out PooledSegmentWriter frame));
        using (frame)
        {
            Assert.True(frame.WrittenSegments.Count() > 1);
            Assert.Equal(Encoding.UTF8.GetString(bytes), JsonRpcMessage.Parse(frame.ToSequence()).ToString());
        }
    }

    [Fact]
    public void Multi_segment_parse_rejects_invalid_utf8_like_the_contiguous_parse()
    {
        byte[] bytes = Encoding.UTF8.GetBytes("{\"id\":1,\"method\":\"echo\",\"params\":[\"" + new string('a', 100_000) + "\"]}");
        bytes[70_000] = 0xff;
        using var writer = new PooledSegmentWriter();
        writer.Write(bytes);
        Assert.Throws<JsonRpcProtocolException>(() => JsonRpcMessage.Parse(writer.ToSequence()));
        Assert.Throws<JsonRpcProtocolException>(() => JsonRpcMessage.Parse(bytes));
    }
}
