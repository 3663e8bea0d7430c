// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers;
using System.Text;

namespace SharpSwitch.JsonRpc.Tests;

[CollectionDefinition(nameof(BufferPoolTests), DisableParallelization = true)]
public sealed class BufferPoolCollection;

/// <summary>
/// The JSON-RPC buffer pool keeps a bounded set of buffers and lets go of all of them on trim. The pool is shared by
/// the whole process, so these tests run alone.
/// </summary>
[Collection(nameof(BufferPoolTests))]
public sealed class BufferPoolTests
{
    public BufferPoolTests() => JsonRpcBuffers.Trim();

    [Fact]
    public void Segments_are_reused_and_a_bounded_number_stays_idle()
    {
        byte[] segment = JsonRpcBuffers.Rent(100);
        Assert.Equal(JsonRpcBuffers.SegmentBytes, segment.Length);
        JsonRpcBuffers.Return(segment);
        Assert.Same(segment, JsonRpcBuffers.Rent(JsonRpcBuffers.SegmentBytes));

        byte[][] many = [.. Enumerable.Range(0, 40).Select(_ => JsonRpcBuffers.Rent(1))];
        foreach (byte[] buffer in many)
        {
            JsonRpcBuffers.Return(buffer);
        }
        Assert.Equal((long)JsonRpcBuffers.MaxIdleSegments * JsonRpcBuffers.SegmentBytes, JsonRpcBuffers.IdleBytes);
    }

    [Fact]
    public void Large_buffers_come_in_powers_of_two_and_only_the_largest_stays_idle()
    {
        Assert.Equal(1, JsonRpcBuffers.MaxIdleLarge);
        byte[] small = JsonRpcBuffers.Rent(100_000);
        byte[] medium = JsonRpcBuffers.Rent(200_000);
        byte[] large = JsonRpcBuffers.Rent(400_000);
        Assert.Equal([131_072, 262_144, 524_288], new[] { small.Length, medium.Length, large.Length });
        JsonRpcBuffers.Return(large);
        JsonRpcBuffers.Return(small);
        JsonRpcBuffers.Return(medium);
        Assert.Equal(524_288, JsonRpcBuffers.IdleBytes);

        // An idle buffer that fits is handed out, a larger request gets a new one.
        Assert.Same(large, JsonRpcBuffers.Rent(150_000));
        JsonRpcBuffers.Return(large);
        Assert.Equal(1 << 20, JsonRpcBuffers.Rent(600_000).Length);
        Assert.Same(large, JsonRpcBuffers.Rent(500_000));
    }

    [Fact]
    public void Trim_lets_go_of_every_idle_buffer()
    {
        JsonRpcBuffers.Return(JsonRpcBuffers.Rent(10));
        JsonRpcBuffers.Return(JsonRpcBuffers.Rent(1 << 20));
        Assert.Equal(JsonRpcBuffers.SegmentBytes + (1 << 20), JsonRpcBuffers.IdleBytes);
        Assert.Equal(JsonRpcBuffers.SegmentBytes + (1 << 20), JsonRpcBuffers.Trim());
        Assert.Equal(0, JsonRpcBuffers.IdleBytes);
    }

    [Fact]
    public void A_large_received_message_is_read_from_one_pooled_buffer_that_goes_back_when_it_is_disposed()
    {
        // A transact of about 320 KB, the size of an ovs-vsctl add-port on a bridge with 1000 ports.
        var text = new StringBuilder("""{"id":7,"method":"transact","params":["Open_vSwitch" """);
        for (int i = 0; i < 6000; i++)
        {
            text.Append(""",{"op":"comment","comment":"padding padding padding"}""");
        }
        text.Append("]}");
        byte[] utf8 = Encoding.UTF8.GetBytes(text.ToString());
        var frame = new PooledSegmentWriter();
        frame.Write(utf8);
        JsonRpcMessage message = JsonRpcMessage.ParseLeased(frame);
        Assert.Equal("transact", message.Method);
        Assert.Equal(6001, message.Params!.Value.GetArrayLength());
        long idleWhileLeased = JsonRpcBuffers.IdleBytes;
        message.Dispose();
        // The frame's segments went back as soon as they were copied; the contiguous copy goes back now.
        Assert.Equal(idleWhileLeased + 524_288, JsonRpcBuffers.IdleBytes);
    }
}
