// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace SharpSwitch.JsonRpc.Tests;

public sealed class ConnectionTests
{
    private static readonly TimeSpan s_ioDeadline = TimeSpan.FromSeconds(10);

    /// <summary>Reads whole messages from the raw peer end of a pipe.</summary>
    private sealed class RawPeer(Stream stream)
    {
        private readonly JsonStreamFramer _framer = new();
        private readonly byte[] _buffer = new byte[4096];

        public Stream Stream { get; } = stream;

        public async Task<string> ReadMessageAsync()
        {
            while (true)
            {
                if (_framer.TryDequeue(out byte[] message))
                {
                    return Encoding.UTF8.GetString(message);
                }
                int read = await Stream.ReadAsync(_buffer).AsTask().WaitAsync(s_ioDeadline);
                if (read == 0)
                {
                    return "<EOF>";
                }
                _framer.Append(_buffer.AsSpan(0, read));
            }
        }

        public async Task WriteAsync(string text)
        {
            await Stream.WriteAsync(Encoding.UTF8.GetBytes(text));
            await Stream.FlushAsync();
        }
    }

    private static JsonElement Json(string json)
    {
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    [Fact]
    public async Task Echo_requests_are_answered_and_not_returned_to_the_caller()
    {
        (Stream left, Stream right) = InMemoryDuplex.CreatePair();
        await using var connection = new JsonRpcConnection(left, "test");
        var peer = new RawPeer(right);
        await peer.WriteAsync("{\"id\":\"e1\",\"method\":\"echo\",\"params\":[\"hello\",1]}{\"id\":null,\"method\":\"update\",\"params\":[null,{}]}");
        JsonRpcMessage? message = await connection.ReceiveAsync().WaitAsync(s_ioDeadline);
        Assert.Equal("update", message!.Method);
        Assert.Equal("{\"id\":\"e1\",\"result\":[\"hello\",1],\"error\":null}", await peer.ReadMessageAsync());
    }

    [Fact]
    public async Task Malformed_json_is_a_protocol_error_and_closes_the_connection()
    {
        (Stream left, Stream right) = InMemoryDuplex.CreatePair();
        await using var connection = new JsonRpcConnection(left, "test");
        var peer = new RawPeer(right);
        await peer.WriteAsync("{\"id\":1,\"result\":[],\"error\":null}{\"id\":2,\"method\":\"x\",\"params\":[,]}");
        Assert.Equal(JsonRpcMessageKind.Reply, (await connection.ReceiveAsync().WaitAsync(s_ioDeadline))!.Kind);
        var error = await Assert.ThrowsAsync<JsonRpcProtocolException>(() => connection.ReceiveAsync().WaitAsync(s_ioDeadline));
        Assert.Contains("error parsing stream", error.Message, StringComparison.Ordinal);
        Assert.True(connection.IsClosed);
        Assert.Equal("<EOF>", await peer.ReadMessageAsync());
        await Assert.ThrowsAsync<IOException>(() => connection.SendAsync(JsonRpcMessage.CreateEchoProbe()));
    }

    [Fact]
    public async Task An_oversized_message_is_a_protocol_error()
    {
        (Stream left, Stream right) = InMemoryDuplex.CreatePair();
        await using var connection = new JsonRpcConnection(left, "test", new JsonRpcConnectionOptions { MaxMessageBytes = 100 });
        var peer = new RawPeer(right);
        await peer.WriteAsync("{\"id\":1,\"result\":\"" + new string('a', 200) + "\",\"error\":null}");
        var error = await Assert.ThrowsAsync<JsonRpcProtocolException>(() => connection.ReceiveAsync().WaitAsync(s_ioDeadline));
        Assert.Contains("maximum size of 100 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task End_of_file_returns_null_with_a_reason()
    {
        (Stream left, Stream right) = InMemoryDuplex.CreatePair();
        await using var connection = new JsonRpcConnection(left, "test");
        await right.DisposeAsync();
        Assert.Null(await connection.ReceiveAsync().WaitAsync(s_ioDeadline));
        Assert.Equal("end of file", connection.DisconnectReason);
    }

    [Fact]
    public async Task Inactivity_probe_is_sent_after_five_idle_seconds_and_silence_disconnects_five_seconds_later()
    {
        var time = new FakeTimeProvider();
        (Stream left, Stream right) = InMemoryDuplex.CreatePair();
        await using var connection = new JsonRpcConnection(left, "tcp:127.0.0.1:1", new JsonRpcConnectionOptions
        {
            TimeProvider = time,
            InactivityProbeInterval = TimeSpan.FromSeconds(5),
        });
        var peer = new RawPeer(right);
        Task<JsonRpcMessage?> receive = connection.ReceiveAsync();

        time.Advance(TimeSpan.FromMilliseconds(4999));
        Task<string> probe = peer.ReadMessageAsync();
        Assert.False(probe.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("{\"id\":\"echo\",\"method\":\"echo\",\"params\":[]}", await probe);

        // The answer to our probe is swallowed; the notification after it proves the answer was processed.
        await peer.WriteAsync("{\"id\":\"echo\",\"result\":[],\"error\":null}{\"id\":null,\"method\":\"tick\",\"params\":[]}");
        Assert.Equal("tick", (await receive.WaitAsync(s_ioDeadline))!.Method);
        receive = connection.ReceiveAsync();

        // Input arrived at t=5 s, so the next probe goes out at t=10 s, and silence until t=15 s disconnects.
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("{\"id\":\"echo\",\"method\":\"echo\",\"params\":[]}", await peer.ReadMessageAsync());
        time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.False(connection.IsClosed);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(await receive.WaitAsync(s_ioDeadline));
        Assert.Equal("no response to inactivity probe after 5 seconds, disconnecting", connection.DisconnectReason);
        Assert.Equal("<EOF>", await peer.ReadMessageAsync());
    }

    [Fact]
    public async Task Without_a_probe_interval_nothing_is_ever_sent()
    {
        var time = new FakeTimeProvider();
        (Stream left, Stream right) = InMemoryDuplex.CreatePair();
        await using var connection = new JsonRpcConnection(left, "unix#0", new JsonRpcConnectionOptions { TimeProvider = time });
        var peer = new RawPeer(right);
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(connection.IsClosed);
        await connection.SendAsync(JsonRpcMessage.CreateNotification("first", Json("[]")));
        Assert.Equal("{\"id\":null,\"method\":\"first\",\"params\":[]}", await peer.ReadMessageAsync());
    }

    [Fact]
    public async Task Session_matches_replies_and_handles_a_notification_before_the_reply_that_follows_it()
    {
        (Stream left, Stream right) = InMemoryDuplex.CreatePair();
        var seen = new List<string>();
        await using var session = new JsonRpcSession(new JsonRpcConnection(left, "test"), m => seen.Add(m.Method!), firstId: 1);
        var peer = new RawPeer(right);
        Task<JsonRpcMessage> call = session.RequestAsync("transact", Json("[\"Open_vSwitch\"]"));
        Assert.Equal("{\"id\":1,\"method\":\"transact\",\"params\":[\"Open_vSwitch\"]}", await peer.ReadMessageAsync());
        await peer.WriteAsync("{\"id\":null,\"method\":\"update3\",\"params\":[]}{\"id\":1,\"result\":[],\"error\":null}");
        JsonRpcMessage reply = await call.WaitAsync(s_ioDeadline);
        Assert.Equal(JsonRpcMessageKind.Reply, reply.Kind);
        Assert.Equal(["update3"], seen);

        Task<JsonRpcMessage> second = session.RequestAsync("bogus", Json("[]"));
        Assert.Equal("{\"id\":2,\"method\":\"bogus\",\"params\":[]}", await peer.ReadMessageAsync());
        await peer.WriteAsync("{\"id\":2,\"error\":\"unknown method\"}");
        Assert.Equal("unknown method", (await second.WaitAsync(s_ioDeadline)).Error!.Value.GetString());

        Task<JsonRpcMessage> orphan = session.RequestAsync("never", Json("[]"));
        await right.DisposeAsync();
        await Assert.ThrowsAsync<IOException>(() => orphan.WaitAsync(s_ioDeadline));
        Assert.Equal("end of file", await session.Completion.WaitAsync(s_ioDeadline));
    }

    [Fact]
    public async Task Unix_listener_replaces_a_stale_socket_file_and_removes_it_on_dispose()
    {
        string dir = Directory.CreateTempSubdirectory("sharpswitch-jsonrpc-").FullName;
        try
        {
            string path = Path.Combine(dir, "db.sock");
            await File.WriteAllTextAsync(path, "stale");
            JsonRpcListener listener = JsonRpcListener.Start(JsonRpcAddress.Parse("punix:" + path));
            await using (listener)
            {
                Task<JsonRpcConnection> accept = listener.AcceptAsync();
                await using JsonRpcConnection client = await JsonRpcConnection.ConnectAsync(JsonRpcAddress.Parse("unix:" + path)).WaitAsync(s_ioDeadline);
                await using JsonRpcConnection server = await accept.WaitAsync(s_ioDeadline);
                Assert.Equal("unix#0", server.Name);
                await client.SendAsync(JsonRpcMessage.CreateRequest(0, "list_dbs", Json("[]")));
                JsonRpcMessage request = (await server.ReceiveAsync().WaitAsync(s_ioDeadline))!;
                await server.SendAsync(JsonRpcMessage.CreateReply(request.Id!.Value, Json("[\"Open_vSwitch\",\"_Server\"]")));
                Assert.Equal("{\"id\":0,\"result\":[\"Open_vSwitch\",\"_Server\"],\"error\":null}", (await client.ReceiveAsync().WaitAsync(s_ioDeadline))!.ToString());
            }
            Assert.False(File.Exists(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Tcp_listener_on_loopback_accepts_and_names_the_peer()
    {
        await using JsonRpcListener listener = JsonRpcListener.Start(JsonRpcAddress.Parse("ptcp:0:127.0.0.1"));
        Task<JsonRpcConnection> accept = listener.AcceptAsync();
        await using JsonRpcConnection client = await JsonRpcConnection.ConnectAsync(JsonRpcAddress.Parse($"tcp:127.0.0.1:{listener.BoundPort}")).WaitAsync(s_ioDeadline);
        await using JsonRpcConnection server = await accept.WaitAsync(s_ioDeadline);
        Assert.StartsWith("tcp:127.0.0.1:", server.Name, StringComparison.Ordinal);
        await server.SendAsync(JsonRpcMessage.CreateNotification("hello", Json("[1]")));
        Assert.Equal("hello", (await client.ReceiveAsync().WaitAsync(s_ioDeadline))!.Method);
    }

    [Fact]
    public async Task Connecting_to_a_missing_socket_fails_cleanly()
    {
        string path = Path.Combine(Path.GetTempPath(), "sharpswitch-no-such-" + Guid.NewGuid().ToString("N") + ".sock");
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => JsonRpcConnection.ConnectAsync(JsonRpcAddress.Parse("unix:" + path)));
        await Assert.ThrowsAsync<ArgumentException>(() => JsonRpcConnection.ConnectAsync(JsonRpcAddress.Parse("punix:" + path)));
    }
}
