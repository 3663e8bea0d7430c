// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Net.Sockets;
using System.Text;
using SharpSwitch.JsonRpc;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Server;
using SharpSwitch.Ovsdb.Storage;

namespace SharpSwitch.Ovsdb.Tests.Server;

/// <summary>A raw client on a unix or TCP socket that reads whole JSON values back, for wire-level tests.</summary>
internal sealed class RawClient : IDisposable
{
    private readonly Socket _socket;
    private readonly StringBuilder _buffer = new();

    public RawClient(string unixPath)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(unixPath));
    }

    public RawClient(int tcpPort)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _socket.Connect(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, tcpPort));
    }

    public void Send(string text) => _socket.Send(Encoding.UTF8.GetBytes(text));

    public string Request(string json)
    {
        Send(json);
        return Read() ?? throw new InvalidOperationException("connection closed before a reply");
    }

    /// <summary>Reads the next complete JSON value, or null at end of file. Fails after a generous I/O deadline.</summary>
    public string? Read(int timeoutMs = 10_000)
    {
        DateTime deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        byte[] chunk = new byte[65536];
        while (true)
        {
            if (TryTakeValue(out string? value))
            {
                return value;
            }
            int remaining = (int)(deadline - DateTime.UtcNow).TotalMilliseconds;
            if (remaining <= 0)
            {
                throw new TimeoutException("no complete message within the deadline; buffered: " + _buffer);
            }
            _socket.ReceiveTimeout = remaining;
            int read;
            try
            {
                read = _socket.Receive(chunk);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                return null;
            }
            if (read == 0)
            {
                return null;
            }
            _buffer.Append(Encoding.UTF8.GetString(chunk, 0, read));
        }
    }

    private bool TryTakeValue(out string? value)
    {
        string text = _buffer.ToString().TrimStart();
        int depth = 0;
        bool inString = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
                continue;
            }
            if (c == '"')
            {
                inString = true;
            }
            else if (c is '{' or '[')
            {
                depth++;
            }
            else if (c is '}' or ']')
            {
                depth--;
                if (depth == 0)
                {
                    value = text[..(i + 1)];
                    _buffer.Clear().Append(text[(i + 1)..]);
                    return true;
                }
            }
        }
        value = null;
        return false;
    }

    public void Dispose() => _socket.Dispose();
}

public sealed class SocketServerTests : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ovsdb-sock-").FullName;
    private readonly DatabaseFile _file;
    private readonly OvsdbServer _server;

    public SocketServerTests()
    {
        string db = Path.Combine(_dir, "conf.db");
        DatabaseFile.Create(db, VswitchSchema.Load());
        _file = DatabaseFile.Open(db);
        var engine = new OvsdbServerEngine([new ServedDatabase(_file)]);
        _server = OvsdbServer.Start(engine, [JsonRpcAddress.Parse("punix:" + SocketPath), JsonRpcAddress.Parse("ptcp:0:127.0.0.1")]);
    }

    private string SocketPath => Path.Combine(_dir, "db.sock");

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _file.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void List_dbs_and_get_schema_over_a_unix_socket()
    {
        using var client = new RawClient(SocketPath);
        Assert.Equal("""{"id":0,"result":["Open_vSwitch","_Server"],"error":null}""", client.Request("""{"id":0,"method":"list_dbs","params":[]}"""));
        string schema = client.Request("""{"id":1,"method":"get_schema","params":["Open_vSwitch","d8ae950e-e925-11f1-8d8b-a51d3b9e053b"]}""");
        Assert.StartsWith("""{"id":1,"result":{""", schema);
        Assert.Contains("\"version\":\"8.3.1\"", schema);
    }

    [Fact]
    public void Back_to_back_requests_in_one_write_are_all_answered_in_order()
    {
        using var client = new RawClient(SocketPath);
        client.Send("""{"id":1,"method":"echo","params":[1]}{"id":2,"method":"list_dbs","params":[]} {"id":"x","method":"get_server_id","params":[]}""");
        Assert.Equal("""{"id":1,"result":[1],"error":null}""", client.Read());
        Assert.StartsWith("""{"id":2,""", client.Read());
        Assert.StartsWith("""{"id":"x","result":""", client.Read());
    }

    [Fact]
    public void Malformed_json_closes_only_that_connection()
    {
        using var good = new RawClient(SocketPath);
        using var bad = new RawClient(SocketPath);
        bad.Send("""{"id": 99, "method": }""");
        Assert.Null(bad.Read());
        Assert.Equal("""{"id":5,"result":["Open_vSwitch","_Server"],"error":null}""", good.Request("""{"id":5,"method":"list_dbs","params":[]}"""));
    }

    [Theory]
    [InlineData("""{"id":1,"method":"list_dbs","params":[],"extra":1}""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("""{"id":1,"method":"list_dbs","params":{}}""")]
    public void Invalid_json_rpc_messages_close_the_connection(string message)
    {
        using var client = new RawClient(SocketPath);
        client.Send(message);
        Assert.Null(client.Read());
    }

    [Fact]
    public void An_oversized_message_closes_the_connection_and_others_continue()
    {
        using var good = new RawClient(SocketPath);
        using var big = new RawClient(SocketPath);
        var huge = new StringBuilder("""{"id":1,"method":"echo","params":[" """);
        huge.Append('x', 80 * 1024 * 1024);
        try
        {
            big.Send(huge.ToString());
        }
        catch (SocketException)
        {
            // The server may close while we are still writing, which is the point.
        }
        Assert.Null(big.Read(30_000));
        Assert.StartsWith("""{"id":2,""", good.Request("""{"id":2,"method":"list_dbs","params":[]}"""));
    }

    [Fact]
    public void Wrong_params_give_errors_not_disconnects()
    {
        using var client = new RawClient(SocketPath);
        Assert.Equal("""{"id":1,"error":"unknown method"}""", client.Request("""{"id":1,"method":"frob","params":[]}"""));
        Assert.Contains("request params must begin with <db-name>", client.Request("""{"id":2,"method":"transact","params":[]}"""));
        Assert.Contains("unknown database", client.Request("""{"id":3,"method":"transact","params":["NoDb",{"op":"select","table":"Bridge","where":[]}]}"""));
        Assert.Contains("lock request params must be <id>", client.Request("""{"id":4,"method":"lock","params":[1]}"""));
        Assert.Contains("\"error\":\"unknown monitor\"", client.Request("""{"id":5,"method":"monitor_cancel","params":["zz"]}"""));
        Assert.Contains("invalid parameters", client.Request("""{"id":6,"method":"monitor","params":["Open_vSwitch"]}"""));
        Assert.StartsWith("""{"id":7,"result":""", client.Request("""{"id":7,"method":"list_dbs","params":[]}"""));
    }

    [Fact]
    public void A_vanished_client_releases_its_lock_and_the_next_waiter_is_told()
    {
        using var waiter = new RawClient(SocketPath);
        using (var owner = new RawClient(SocketPath))
        {
            Assert.Contains("\"locked\":true", owner.Request("""{"id":1,"method":"lock","params":["L"]}"""));
            Assert.Contains("\"locked\":false", waiter.Request("""{"id":1,"method":"lock","params":["L"]}"""));
        }
        Assert.Equal("""{"id":null,"method":"locked","params":["L"]}""", waiter.Read());
    }

    [Fact]
    public void A_writer_gets_its_monitor_update_before_its_transact_reply_and_the_change_is_durable()
    {
        using var client = new RawClient(SocketPath);
        Assert.Contains("\"result\":[false,", client.Request("""{"id":1,"method":"monitor_cond_since","params":["Open_vSwitch",["monid","Open_vSwitch"],{"Open_vSwitch":[{"columns":["next_cfg"]}]},"00000000-0000-0000-0000-000000000000"]}"""));
        client.Send("""{"id":2,"method":"transact","params":["Open_vSwitch",{"op":"insert","table":"Open_vSwitch","row":{"next_cfg":7}}]}""");
        string update = client.Read()!;
        Assert.StartsWith("""{"id":null,"method":"update3","params":[["monid","Open_vSwitch"],"00000000-0000-0000-0000-000000000000",{"Open_vSwitch":{""", update);
        Assert.Contains("""{"insert":{"next_cfg":7}}""", update);
        Assert.StartsWith("""{"id":2,"result":[{"uuid":["uuid",""", client.Read());
        using DatabaseFile reread = DatabaseFile.Open(Path.Combine(_dir, "conf.db"));
        Assert.Single(reread.Database.Rows("Open_vSwitch"));
    }

    [Fact]
    public void A_blocked_wait_is_rerun_from_its_own_copy_after_the_request_memory_is_reused()
    {
        // Requests are parsed in pooled memory that goes back to the pool once the engine has handled them; a transact
        // that must wait keeps a copy. Other requests pass through the pool while it waits, so rerunning it from the
        // original memory would read someone else's bytes or a disposed document.
        using var waiter = new RawClient(SocketPath);
        using var writer = new RawClient(SocketPath);
        waiter.Send("""{"id":1,"method":"transact","params":["Open_vSwitch",{"op":"wait","table":"Open_vSwitch","where":[],"columns":["next_cfg"],"until":"==","rows":[{"next_cfg":5}],"timeout":60000}]}""");
        for (int i = 0; i < 20; i++)
        {
            Assert.StartsWith($$"""{"id":{{i + 10}},"result":""", writer.Request($$"""{"id":{{i + 10}},"method":"get_schema","params":["Open_vSwitch"]}"""));
        }
        Assert.Contains("\"error\":null", writer.Request("""{"id":2,"method":"transact","params":["Open_vSwitch",{"op":"insert","table":"Open_vSwitch","row":{"next_cfg":5}}]}"""));
        Assert.Equal("""{"id":1,"result":[{}],"error":null}""", waiter.Read());
    }

    [Fact]
    public void Tcp_remotes_work_and_answer_echo()
    {
        using var client = new RawClient(_server.Listeners[1].BoundPort);
        Assert.Equal("""{"id":"e1","result":["hello",1],"error":null}""", client.Request("""{"id":"e1","method":"echo","params":["hello",1]}"""));
    }
}
