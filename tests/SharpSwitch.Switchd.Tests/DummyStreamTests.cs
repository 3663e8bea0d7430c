// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;
using SharpSwitch.Switchd.Logging;
using SharpSwitch.Switchd.Netdevs;

namespace SharpSwitch.Switchd.Tests;

/// <summary>
/// Dummy interfaces linked over unix sockets, at the registry level: each "daemon" is a registry with its own
/// loop (a work queue this test drains), and virtual time is the <c>now</c> the test passes to <c>Pump</c>.
/// </summary>
public sealed class DummyStreamTests : IDisposable
{
    private static readonly IReadOnlyDictionary<string, string> s_noOptions = new Dictionary<string, string>();
    private readonly string _directory = Directory.CreateTempSubdirectory("sharpswitch-stream-").FullName;

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A registry with a hand-driven loop and a log captured in memory.</summary>
    private sealed class Side : IDisposable
    {
        private readonly ConcurrentQueue<Action> _work = new();
        private readonly StringWriter _logText = new();

        public Side()
        {
            Registry = new NetdevRegistry(new PacketPool(), dummyOverridesSystem: true, action => _work.Enqueue(action))
            {
                Log = new Vlog(() => DateTimeOffset.UnixEpoch, TextWriter.Synchronized(_logText)),
            };
        }

        public NetdevRegistry Registry { get; }

        public long Now { get; set; }

        public string LogText => _logText.ToString();

        public DummyNetDev Open(string name, params (string Key, string Value)[] options)
        {
            var map = options.ToDictionary(o => o.Key, o => o.Value);
            return (DummyNetDev)Registry.Open(name, "dummy", map, out string? error)!;
        }

        /// <summary>One loop iteration: run posted work, then pump.</summary>
        public void Run()
        {
            while (_work.TryDequeue(out Action? action))
            {
                action();
            }
            Registry.Pump(Now);
        }

        public void Dispose() => Registry.Dispose();
    }

    private static bool RunUntil(Func<bool> condition, params Side[] sides) => RunUntil(10_000, condition, sides);

    private static bool RunUntil(int timeoutMs, Func<bool> condition, params Side[] sides)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < deadline)
        {
            foreach (Side side in sides)
            {
                side.Run();
            }
            if (condition())
            {
                return true;
            }
            Thread.Sleep(5);
        }
        return false;
    }

    private static byte[] Frame(byte tag, int length = 60)
    {
        byte[] frame = new byte[length];
        new MacAddress(0x0200_0000_0000UL | tag).Write(frame);
        new MacAddress(0x0200_0000_0100UL | tag).Write(frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x88b5);
        frame[14] = tag;
        return frame;
    }

    [Fact]
    public void Pstream_and_stream_dummies_carry_frames_both_ways_in_order()
    {
        string path = Path.Combine(_directory, "p0.sock");
        using var a = new Side();
        using var b = new Side();
        DummyNetDev listener = a.Open("p0", ("pstream", "punix:" + path));
        DummyNetDev connector = b.Open("p0", ("stream", "unix:" + path));
        Assert.True(RunUntil(() => b.Registry.ConnectionState("p0") == true && a.Registry.StreamLinkOf("p0")!.ConnectionCount == 1, a, b));
        Assert.Null(a.Registry.ConnectionState("p0"));

        for (byte i = 1; i <= 50; i++)
        {
            Assert.True(listener.Transmit(Frame(i, 60 + i)));
            Assert.True(connector.Transmit(Frame((byte)(100 + i))));
        }
        var atB = new List<byte[]>();
        var atA = new List<byte[]>();
        Assert.True(RunUntil(() =>
        {
            atB.AddRange(connector.ReceiveAllFrames());
            atA.AddRange(listener.ReceiveAllFrames());
            return atA.Count == 50 && atB.Count == 50;
        }, a, b), $"received {atA.Count} and {atB.Count}");
        for (byte i = 1; i <= 50; i++)
        {
            Assert.Equal(Frame(i, 60 + i), atB[i - 1]);
            Assert.Equal(Frame((byte)(100 + i)), atA[i - 1]);
        }
        Assert.Contains($"unix:{path}: connecting...", b.LogText, StringComparison.Ordinal);
        Assert.Contains($"unix:{path}: connected", b.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public void Frames_on_the_wire_have_a_two_byte_big_endian_length_and_a_runt_closes_the_connection()
    {
        string path = Path.Combine(_directory, "raw.sock");
        using var a = new Side();
        DummyNetDev port = a.Open("p0", ("pstream", "punix:" + path));
        using var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        raw.Connect(new UnixDomainSocketEndPoint(path));
        Assert.True(RunUntil(() => a.Registry.StreamLinkOf("p0")!.ConnectionCount == 1, a));

        port.Transmit(Frame(7, 64));
        a.Run();
        byte[] header = new byte[2];
        raw.ReceiveTimeout = 10_000;
        Assert.Equal(2, raw.Receive(header));
        Assert.Equal(64, BinaryPrimitives.ReadUInt16BigEndian(header));
        byte[] body = new byte[64];
        int got = 0;
        while (got < 64)
        {
            got += raw.Receive(body.AsSpan(got));
        }
        Assert.Equal(Frame(7, 64), body);

        // A frame split across writes is reassembled.
        byte[] record = [0, 60, .. Frame(9)];
        raw.Send(record.AsSpan(0, 5));
        Thread.Sleep(50);
        raw.Send(record.AsSpan(5));
        byte[]? received = null;
        Assert.True(RunUntil(() => (received ??= port.ReceiveFrame()) is not null, a));
        Assert.Equal(Frame(9), received);

        // A length shorter than an Ethernet header is a protocol error: the listener drops that peer only.
        raw.Send([0, 5, 1, 2, 3, 4, 5]);
        Assert.True(RunUntil(() => a.Registry.StreamLinkOf("p0")!.ConnectionCount == 0, a));
        using var again = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        again.Connect(new UnixDomainSocketEndPoint(path));
        Assert.True(RunUntil(() => a.Registry.StreamLinkOf("p0")!.ConnectionCount == 1, a));
    }

    [Fact]
    public void A_missing_stream_path_keeps_the_interface_and_retries_with_OVS_backoff_in_virtual_time()
    {
        string path = Path.Combine(_directory, "later.sock");
        using var b = new Side();
        DummyNetDev port = b.Open("p0", ("stream", "unix:" + path));
        Assert.True(RunUntil(() => b.LogText.Contains("connection attempt failed", StringComparison.Ordinal), b));
        Assert.False(b.Registry.ConnectionState("p0"));
        // As in OVS, the dummy keeps carrier while its socket is down.
        Assert.True(port.Carrier);
        // Frames sent meanwhile go nowhere and break nothing.
        Assert.True(port.Transmit(Frame(1)));

        int Attempts() => b.LogText.Split("connecting...").Length - 1;
        // Nothing happens until virtual time reaches the back-off, however long real time runs.
        b.Now = 999;
        Assert.False(RunUntil(1500, () => Attempts() > 1, b));
        Assert.Equal(1, Attempts());
        b.Now = 1000;
        Assert.True(RunUntil(() => b.LogText.Contains("waiting 2 seconds before reconnect", StringComparison.Ordinal), b));
        Assert.Equal(2, Attempts());
        b.Now = 2999;
        b.Run();
        Assert.Equal(2, Attempts());
        b.Now = 3000;
        Assert.True(RunUntil(() => b.LogText.Contains("waiting 4 seconds before reconnect", StringComparison.Ordinal), b));

        string expected = string.Join('\n',
            $"reconnect|INFO|unix:{path}: connecting...",
            $"reconnect|INFO|unix:{path}: connection attempt failed (No such file or directory)",
            $"reconnect|INFO|unix:{path}: connecting...",
            $"reconnect|INFO|unix:{path}: connection attempt failed (No such file or directory)",
            $"reconnect|INFO|unix:{path}: waiting 2 seconds before reconnect",
            $"reconnect|INFO|unix:{path}: connecting...",
            $"reconnect|INFO|unix:{path}: connection attempt failed (No such file or directory)",
            $"reconnect|INFO|unix:{path}: waiting 4 seconds before reconnect");
        Assert.Equal(expected, string.Join('\n', b.LogText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line[(line.IndexOf('|', 21) + 1)..])));

        // Once the listener exists the next due attempt connects.
        using var a = new Side();
        a.Open("p0", ("pstream", "punix:" + path));
        b.Now = 7000;
        Assert.True(RunUntil(() => b.Registry.ConnectionState("p0") == true, a, b));
    }

    [Fact]
    public void Carrier_can_follow_the_connection_and_repointing_or_removing_the_stream_moves_or_cuts_the_cable()
    {
        string first = Path.Combine(_directory, "first.sock");
        string second = Path.Combine(_directory, "second.sock");
        using var a = new Side();
        using var c = new Side();
        using var b = new Side();
        DummyNetDev listener1 = a.Open("p0", ("pstream", "punix:" + first), ("carrier-follows-stream", "true"));
        DummyNetDev listener2 = c.Open("p0", ("pstream", "punix:" + second), ("carrier-follows-stream", "true"));
        Assert.False(listener1.Carrier);
        DummyNetDev port = b.Open("p0", ("stream", "unix:" + first), ("carrier-follows-stream", "true"));
        Assert.True(RunUntil(() => listener1.Carrier && port.Carrier, a, b, c));
        Assert.False(listener2.Carrier);

        // Re-pointing: the same device, now linked to the other listener.
        Assert.Same(port, b.Open("p0", ("stream", "unix:" + second), ("carrier-follows-stream", "true")));
        Assert.True(RunUntil(() => !listener1.Carrier && listener2.Carrier && port.Carrier, a, b, c));
        port.Transmit(Frame(3));
        byte[]? received = null;
        Assert.True(RunUntil(() => (received ??= listener2.ReceiveFrame()) is not null, a, b, c));
        Assert.Equal(Frame(3), received);

        // Removing the option cuts the cable: the peer loses carrier; this end is a lone dummy again.
        Assert.Same(port, b.Registry.Open("p0", "dummy", s_noOptions, out _));
        Assert.True(RunUntil(() => !listener2.Carrier, a, b, c));
        Assert.Null(port.Cable);
        Assert.True(port.Carrier);

        // Closing the interface closes the listener and removes its socket file.
        a.Registry.Close("p0");
        Assert.False(File.Exists(first));
    }

    [Fact]
    public void Bad_stream_settings_are_reported_and_leave_the_interface_usable()
    {
        using var a = new Side();
        DummyNetDev both = a.Open("p0", ("pstream", "punix:" + Path.Combine(_directory, "x.sock")), ("stream", "unix:/nonexistent/y.sock"));
        Assert.True(both.Carrier);
        Assert.Contains("Open failed: both punix:", a.LogText, StringComparison.Ordinal);

        DummyNetDev badListener = a.Open("p1", ("pstream", "punix:" + Path.Combine(_directory, "no-such-dir", "z.sock")));
        Assert.True(badListener.Carrier);
        Assert.Contains("z.sock: open failed (", a.LogText, StringComparison.Ordinal);

        DummyNetDev wrongScheme = a.Open("p2", ("stream", "tcp:127.0.0.1:1"));
        Assert.True(RunUntil(() => a.LogText.Contains("tcp:127.0.0.1:1: connection attempt failed (Address family not supported by protocol)", StringComparison.Ordinal), a));
        Assert.True(wrongScheme.Transmit(Frame(1)));
        a.Run();
    }
}
