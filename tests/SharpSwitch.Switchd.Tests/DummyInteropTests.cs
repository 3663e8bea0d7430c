// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using SharpSwitch.Testing;

namespace SharpSwitch.Switchd.Tests;

/// <summary>
/// SharpSwitch and real OVS 3.1 side by side, driven by the real ovs-vsctl and ovs-appctl: a SharpSwitch dummy cabled
/// to a real OVS dummy over a unix socket, the same flows injected into both switches with the frames recorded off a
/// socket-linked port, and the same bad input given to both.
/// </summary>
public sealed class DummyInteropTests
{
    private const string Mac1 = "50:54:00:00:00:0a";
    private const string Mac2 = "50:54:00:00:00:0b";

    /// <summary>A test-owned listener that plays the far end of an <c>options:stream</c> link and records each frame.</summary>
    private sealed class FrameRecorder : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        private readonly CancellationTokenSource _stop = new();

        public FrameRecorder(string path)
        {
            _listener.Bind(new UnixDomainSocketEndPoint(path));
            _listener.Listen(1);
            _ = Task.Run(RecordAsync);
        }

        public ConcurrentQueue<byte[]> Frames { get; } = new();

        public volatile bool Connected;

        private async Task RecordAsync()
        {
            try
            {
                using Socket peer = await _listener.AcceptAsync(_stop.Token);
                Connected = true;
                byte[] header = new byte[2];
                while (true)
                {
                    await ReadExactlyAsync(peer, header);
                    byte[] frame = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
                    await ReadExactlyAsync(peer, frame);
                    Frames.Enqueue(frame);
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
            {
                // The switch went away or the test is over.
            }
        }

        private async Task ReadExactlyAsync(Socket socket, byte[] buffer)
        {
            int got = 0;
            while (got < buffer.Length)
            {
                int read = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    throw new EndOfStreamException();
                }
                got += read;
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Dispose();
        }
    }

    private static async Task<bool> Eventually(Func<bool> condition, int timeoutMs = 15_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(20);
        }
        return condition();
    }

    /// <summary>Closes SharpSwitch's socket links (the daemon itself does not yet do it when it stops).</summary>
    private static async Task CloseLinksAsync(SwitchSandbox sandbox)
    {
        if (sandbox.Daemon is SwitchDaemon daemon)
        {
            await daemon.InvokeAsync(() =>
            {
                daemon.Netdevs.Dispose();
                return 0;
            });
        }
    }

    private static void RouteLinkMessagesToLog(SwitchSandbox sandbox)
    {
        if (sandbox.Daemon is SwitchDaemon daemon)
        {
            daemon.Netdevs.Log = sandbox.DaemonLog;
        }
    }

    /// <summary>The (port number, MAC) pairs of <c>fdb/show</c>.</summary>
    private static HashSet<(string Port, string Mac)> Fdb(SwitchSandbox sandbox, string bridge)
    {
        return sandbox.AppctlOk("fdb/show", bridge).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(columns => columns.Length >= 3)
            .Select(columns => (columns[0], columns[2]))
            .ToHashSet();
    }

    private static string OfPort(SwitchSandbox sandbox, string name) => sandbox.Vsctl("get", "interface", name, "ofport").Trim();

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl", "ovs-vswitchd")]
    public async Task SharpSwitch_and_real_OVS_linked_over_a_socket_learn_each_others_MACs_and_see_the_cut()
    {
        await using SwitchSandbox ours = await SwitchSandbox.StartAsync(SwitchKind.SharpSwitch);
        await using SwitchSandbox ovs = await SwitchSandbox.StartAsync(SwitchKind.RealOvs);
        RouteLinkMessagesToLog(ours);
        string socket = Path.Combine(ours.Directory, "p0.sock");
        try
        {
            ours.Vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
                "--", "add-port", "br0", "p0", "--", "set", "interface", "p0", "type=dummy", $"options:pstream=punix:{socket}", "options:carrier-follows-stream=true",
                "--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy");
            ovs.Vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
                "--", "add-port", "br0", "p0", "--", "set", "interface", "p0", "type=dummy", $"options:stream=unix:{socket}",
                "--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy");
            Assert.True(await Eventually(() => ovs.AppctlOk("netdev-dummy/conn-state", "p0") == "p0: connected\n"));
            Assert.True(await Eventually(() => ours.Vsctl("get", "interface", "p0", "link_state").Trim() == "up"));
            Assert.Equal("p0: unknown\n", ours.AppctlOk("netdev-dummy/conn-state", "p0"));

            // Traffic both ways: SharpSwitch floods Mac1's frame to OVS, OVS answers Mac1 with a unicast back.
            ours.AppctlOk("netdev-dummy/receive", "p1",
                $"eth(src={Mac1},dst={Mac2}),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1000,dst=2000)");
            string ovsP0 = OfPort(ovs, "p0");
            Assert.True(await Eventually(() => Fdb(ovs, "br0").Contains((ovsP0, Mac1))), ovs.AppctlOk("fdb/show", "br0"));
            ovs.AppctlOk("netdev-dummy/receive", "p1",
                $"eth(src={Mac2},dst={Mac1}),eth_type(0x0800),ipv4(src=10.0.0.2,dst=10.0.0.1,proto=17,tos=0,ttl=64,frag=no),udp(src=2000,dst=1000)");
            string oursP0 = OfPort(ours, "p0");
            Assert.True(await Eventually(() => Fdb(ours, "br0").Contains((oursP0, Mac2))), ours.AppctlOk("fdb/show", "br0"));
            Assert.Contains((OfPort(ours, "p1"), Mac1), Fdb(ours, "br0"));
            Assert.Contains((OfPort(ovs, "p1"), Mac2), Fdb(ovs, "br0"));

            // Cutting the cable on the OVS side (the option removed) is carrier loss on the SharpSwitch side.
            ovs.Vsctl("remove", "interface", "p0", "options", "stream");
            Assert.True(await Eventually(() => ours.Vsctl("get", "interface", "p0", "link_state").Trim() == "down"));
            Assert.Equal("p0: unknown\n", ovs.AppctlOk("netdev-dummy/conn-state", "p0"));
            ovs.Vsctl("set", "interface", "p0", $"options:stream=unix:{socket}");
            Assert.True(await Eventually(() => ours.Vsctl("get", "interface", "p0", "link_state").Trim() == "up"));
            // Deleting the interface cuts it too.
            ovs.Vsctl("del-port", "br0", "p0");
            Assert.True(await Eventually(() => ours.Vsctl("get", "interface", "p0", "link_state").Trim() == "down"));

            // The other way round: OVS listens, SharpSwitch connects; SharpSwitch's end reports the connection.
            string socket2 = Path.Combine(ours.Directory, "p2.sock");
            ovs.Vsctl("add-port", "br0", "p2", "--", "set", "interface", "p2", "type=dummy", $"options:pstream=punix:{socket2}");
            ours.Vsctl("add-port", "br0", "p2", "--", "set", "interface", "p2", "type=dummy", $"options:stream=unix:{socket2}");
            Assert.True(await Eventually(() => ours.AppctlOk("netdev-dummy/conn-state", "p2") == "p2: connected\n"));
            ovs.Vsctl("del-port", "br0", "p2");
            Assert.True(await Eventually(() => ours.AppctlOk("netdev-dummy/conn-state", "p2") == "p2: disconnected\n"));
            // The log line is written by the link's reader as it sees the close, which can be just after the state flips.
            Assert.True(await Eventually(() => File.ReadAllText(ours.VswitchdLog).Contains($"unix:{socket2}: connection closed by peer", StringComparison.Ordinal)));
            // As in OVS, a dummy keeps carrier while its stream is down unless told otherwise.
            Assert.Equal("up", ours.Vsctl("get", "interface", "p2", "link_state").Trim());

            // Removing SharpSwitch's listener closes it and removes the socket file.
            ours.Vsctl("remove", "interface", "p0", "options", "pstream");
            Assert.True(await Eventually(() => !File.Exists(socket)));
        }
        finally
        {
            await CloseLinksAsync(ours);
        }
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")]
    public async Task Two_SharpSwitch_daemons_linked_over_pstream_and_stream_forward_both_ways()
    {
        await using SwitchSandbox left = await SwitchSandbox.StartAsync(SwitchKind.SharpSwitch);
        await using SwitchSandbox right = await SwitchSandbox.StartAsync(SwitchKind.SharpSwitch);
        string socket = Path.Combine(left.Directory, "link.sock");
        string recorderPath = Path.Combine(right.Directory, "recorder.sock");
        using var recorder = new FrameRecorder(recorderPath);
        try
        {
            left.Vsctl("add-br", "br0", "--", "add-port", "br0", "p0", "--", "set", "interface", "p0", "type=dummy", $"options:pstream=punix:{socket}",
                "--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy");
            right.Vsctl("add-br", "br0", "--", "add-port", "br0", "p0", "--", "set", "interface", "p0", "type=dummy", $"options:stream=unix:{socket}",
                "--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy", $"options:stream=unix:{recorderPath}");
            Assert.True(await Eventually(() => right.AppctlOk("netdev-dummy/conn-state", "p0") == "p0: connected\n"));
            Assert.True(await Eventually(() => recorder.Connected));

            const string Flow = $"eth(src={Mac1},dst={Mac2}),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1,dst=2)";
            left.AppctlOk("netdev-dummy/receive", "p1", Flow);
            // The frame crossed the socket into the right switch, which flooded it to the recorder unchanged.
            Assert.True(await Eventually(() => !recorder.Frames.IsEmpty));
            Assert.True(recorder.Frames.TryPeek(out byte[]? frame));
            Assert.Equal(Convert.ToHexStringLower(Flows.OdpFlowComposer.Compose(Flows.OdpFlowParser.Parse(Flow), null, out _)!), Convert.ToHexStringLower(frame));
            Assert.True(await Eventually(() => Fdb(right, "br0").Contains((OfPort(right, "p0"), Mac1))));

            right.AppctlOk("netdev-dummy/receive", "p1", $"eth(src={Mac2},dst={Mac1}),eth_type(0x0800),ipv4(src=10.0.0.2,dst=10.0.0.1,proto=17,ttl=64),udp(src=2,dst=1)");
            Assert.True(await Eventually(() => Fdb(left, "br0").Contains((OfPort(left, "p0"), Mac2))), left.AppctlOk("fdb/show", "br0"));
            Assert.Contains((OfPort(left, "p1"), Mac1), Fdb(left, "br0"));
        }
        finally
        {
            await CloseLinksAsync(left);
            await CloseLinksAsync(right);
        }
    }

    /// <summary>Flows and lengths injected into both switches; each floods to the recorder on p2.</summary>
    private static readonly (string Flow, string? Length)[] s_flows =
    [
        ("in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=8,dst=9)", null),
        ("eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0x10,ttl=3,frag=no),udp(src=8,dst=9)", "100"),
        ("eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)", null),
        ("eth(src=50:54:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=50:54:00:00:00:01,tha=00:00:00:00:00:00)", null),
        ("eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=80,dst=90),tcp_flags(syn|ack)", "61"),
        ("eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:03),eth_type(0x0800),ipv4(src=1.2.3.4,dst=5.6.7.8,proto=1,ttl=1),icmp(type=3,code=1)", null),
        ("ffffffffffff505400000001 88b5 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627282930", null),
    ];

    private static async Task<List<string>> InjectAndRecord(SwitchKind kind)
    {
        await using SwitchSandbox sandbox = await SwitchSandbox.StartAsync(kind);
        string path = Path.Combine(sandbox.Directory, "recorder.sock");
        using var recorder = new FrameRecorder(path);
        try
        {
            sandbox.Vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
                "--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy",
                "--", "add-port", "br0", "p2", "--", "set", "interface", "p2", "type=dummy", $"options:stream=unix:{path}");
            Assert.True(await Eventually(() => recorder.Connected), $"{kind}: p2 never connected");
            foreach ((string flow, string? length) in s_flows)
            {
                string[] arguments = length is null ? ["netdev-dummy/receive", "p1", flow] : ["netdev-dummy/receive", "p1", flow, "--len", length];
                sandbox.AppctlOk(arguments);
            }
            Assert.True(await Eventually(() => recorder.Frames.Count >= s_flows.Length), $"{kind}: recorded {recorder.Frames.Count} frames");
            await Task.Delay(200);
            return recorder.Frames.Select(frame => Convert.ToHexStringLower(frame)).ToList();
        }
        finally
        {
            await CloseLinksAsync(sandbox);
        }
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl", "ovs-vswitchd")]
    public async Task Flows_injected_with_netdev_dummy_receive_leave_as_the_same_bytes_as_from_real_OVS()
    {
        List<string> fromOvs = await InjectAndRecord(SwitchKind.RealOvs);
        List<string> fromOurs = await InjectAndRecord(SwitchKind.SharpSwitch);
        Assert.Equal(s_flows.Length, fromOvs.Count);
        Assert.Equal(fromOvs, fromOurs);
    }

    private static readonly string[][] s_badCommands =
    [
        ["netdev-dummy/receive", "nosuch", "00"],
        ["netdev-dummy/receive", "p1", "eth(src=50:54:00:00:00:01,dst=zz)"],
        ["netdev-dummy/receive", "p1", "in_port(1),bogus(3)"],
        ["netdev-dummy/receive", "p1", "0011"],
        ["netdev-dummy/receive", "p1", "eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02)"],
        ["netdev-dummy/receive", "p1", "eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x8100),vlan(vid=5,cfi=0),encap(eth_type(0x0800))"],
        ["netdev-dummy/receive", "p1", "eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6),tcp(src=1,dst=2"],
        ["netdev-dummy/receive", "p1", "eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02)", "--len", "20"],
        ["netdev-dummy/receive", "p1", "eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02)", "--len", "abc"],
        ["netdev-dummy/receive", "p1", "--qid", "1", "eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02)"],
        ["netdev-dummy/conn-state", "nosuch"],
        ["netdev-dummy/conn-state", "p1"],
        ["netdev-dummy/conn-state", "s1"],
        ["netdev-dummy/conn-state"],
    ];

    private static async Task<string> BadInputTranscript(SwitchKind kind)
    {
        await using SwitchSandbox sandbox = await SwitchSandbox.StartAsync(kind);
        RouteLinkMessagesToLog(sandbox);
        string missing = Path.Combine(sandbox.Directory, "nobody-listens.sock");
        try
        {
            sandbox.Vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
                "--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy",
                "--", "add-port", "br0", "s1", "--", "set", "interface", "s1", "type=dummy", $"options:stream=unix:{missing}");
            var transcript = new System.Text.StringBuilder();
            foreach (string[] command in s_badCommands)
            {
                ProcessRunner.Result result = sandbox.Appctl(command);
                transcript.Append("$ ").Append(string.Join(' ', command)).Append('\n')
                    .Append("exit ").Append(result.ExitCode).Append('\n')
                    .Append(result.StandardOutput)
                    .Append(result.StandardError.Replace(sandbox.Directory, "RUNDIR", StringComparison.Ordinal));
            }
            // The interface with the missing peer stays, keeps carrier as OVS's dummies do, and keeps retrying.
            sandbox.Vsctl("set", "open_vswitch", ".", "external_ids:probe=1");
            transcript.Append("s1 link_state ").Append(sandbox.Vsctl("get", "interface", "s1", "link_state"));
            Assert.True(await Eventually(() => File.ReadAllText(sandbox.VswitchdLog).Contains($"unix:{missing}: connection attempt failed (No such file or directory)", StringComparison.Ordinal)));
            sandbox.AppctlOk("time/stop");
            int Attempts() => File.ReadAllText(sandbox.VswitchdLog).Split($"unix:{missing}: connecting...").Length - 1;
            int before = Attempts();
            sandbox.AppctlOk("time/warp", "10000", "100");
            Assert.True(await Eventually(() => Attempts() > before), $"{kind}: no reconnect attempt after time/warp");
            Assert.Contains("version", sandbox.AppctlOk("list-commands"), StringComparison.Ordinal);
            return transcript.ToString();
        }
        finally
        {
            await CloseLinksAsync(sandbox);
        }
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl", "ovs-vswitchd")]
    public async Task Bad_flows_unknown_netdevs_and_a_stream_nobody_listens_on_get_OVS_answers_and_crash_nothing()
    {
        string ovs = await BadInputTranscript(SwitchKind.RealOvs);
        string ours = await BadInputTranscript(SwitchKind.SharpSwitch);
        Assert.Contains("syntax error at bogus(3)", ovs, StringComparison.Ordinal);
        Assert.Equal(ovs, ours);
    }
}
