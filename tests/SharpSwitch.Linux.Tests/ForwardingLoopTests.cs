// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Runtime.InteropServices;
using SharpSwitch.NetDev;
using SharpSwitch.NetDev.Linux;
using SharpSwitch.Switchd;
using SharpSwitch.Testing;

namespace SharpSwitch.Linux.Tests;

/// <summary>
/// The daemon's forwarding loop on real interfaces: one dedicated thread waits on the devices and forwards, a burst
/// larger than a batch (and than one iteration's share) goes through whole, and frames the kernel could not put into
/// a full receive ring are counted as the interface's rx_dropped and rx_over_err.
/// </summary>
[Collection("linux")]
public sealed partial class ForwardingLoopTests(ITestOutputHelper output)
{
    [RequiresLinuxLabFact]
    public void The_daemon_forwards_on_its_one_named_loop_thread_without_a_poller_thread()
    {
        using var lab = new LinuxLab(output);
        using var topology = new OperatorTopology(lab);
        topology.WaitForTraffic();
        Assert.True(topology.PingGateway(20) >= 19);
        int pid = int.Parse(File.ReadAllText(Path.Combine(lab.RunDirectory, "ovs-vswitchd.pid")).Trim(), CultureInfo.InvariantCulture);
        string[] names = ThreadNames(pid);
        output.WriteLine("threads: " + string.Join(", ", names));
        // Linux keeps the first 15 characters of a thread's name.
        string loopName = SwitchDaemon.LoopThreadName.Length > 15 ? SwitchDaemon.LoopThreadName[..15] : SwitchDaemon.LoopThreadName;
        Assert.Single(names, name => name == loopName);
        // The loop's thread waits on the devices itself: the poller thread that used to post wakes is not started.
        Assert.DoesNotContain(names, name => name.StartsWith("sharpswitch-net", StringComparison.Ordinal));
    }

    [RequiresLinuxLabFact("python3")]
    public void A_burst_larger_than_one_iteration_is_forwarded_whole()
    {
        using var lab = new LinuxLab(output);
        using var topology = new OperatorTopology(lab);
        string hostNs = lab.AddNamespace("h");
        lab.Must("ip", "link", "add", "hveth", "netns", hostNs, "type", "veth", "peer", "name", "host1", "netns", topology.SwitchNs);
        lab.Must("ip", "-n", topology.SwitchNs, "link", "set", "host1", "up");
        lab.Must("ip", "-n", hostNs, "link", "set", "hveth", "up");
        lab.Vsctl("add-port", "br0", "host1");
        topology.WaitForTraffic();
        LinuxLab.WaitFor("host1 to be forwarding", () => lab.Vsctl("get", "interface", "host1", "ofport").Trim() is not "[]" and not "-1");
        string gatewayMac = lab.Must("ip", "netns", "exec", topology.UpstreamNs, "cat", "/sys/class/net/gw/address").Trim();

        // 900 frames: 28 batches of 32, more than the 8 batches an interface gets per iteration, and fewer than the
        // receive ring holds, so none may be lost even if the switch does not run until the burst is over.
        const int burst = 900;
        long before = UpstreamReceived(lab, topology);
        SendBurst(lab, hostNs, "hveth", gatewayMac, burst);
        LinuxLab.WaitFor("the burst to reach the upstream namespace", () => UpstreamReceived(lab, topology) - before >= burst, 10_000);
        // Nothing else crosses the bond meanwhile (no IPv6, no pings), so the count is exact up to a stray ARP.
        Assert.InRange(UpstreamReceived(lab, topology) - before, burst, burst + 4);
        LinuxLab.WaitFor("host1's statistics to show the burst", () => Statistic(lab, "host1", "rx_packets") >= burst);
        Assert.Equal(0, Statistic(lab, "host1", "rx_dropped"));
    }

    [RequiresRootFact]
    public void Frames_a_full_receive_ring_could_not_take_are_counted_as_rx_dropped_and_rx_over_err()
    {
        WithVethPairInNamespace("ssdrop", (receiver, sender, pool) =>
        {
            Assert.Null(receiver.Error);
            Assert.Null(sender.Error);
            // Three times what the ring holds, sent while the receiver does not read.
            const int sent = 3 * 1024 + 100;
            Send(sender, pool, sent);
            int received = ReceiveAll(receiver);
            output.WriteLine($"received {received} of {sent} before the ring was read");
            Assert.True(received < sent, "the ring held every frame; the test needs it to overflow");
            // The kernel flags the next frame it delivers after a loss; that is when the loss is read and counted.
            Send(sender, pool, 1);
            received += ReceiveAll(receiver);
            InterfaceStatistics statistics = receiver.Counters.Snapshot();
            output.WriteLine($"rx_packets {statistics.RxPackets} rx_dropped {statistics.RxDropped} rx_over_err {statistics.RxOverErrors}");
            Assert.Equal(received, statistics.RxPackets);
            Assert.Equal(sent + 1, statistics.RxPackets + statistics.RxDropped);
            Assert.Equal(statistics.RxDropped, statistics.RxOverErrors);
        });
    }

    [RequiresRootFact]
    public void Frames_through_the_packet_rings_cost_no_allocation()
    {
        WithVethPairInNamespace("ssalloc", (receiver, sender, pool) =>
        {
            var sendBatch = new PacketBatch();
            var receiveBatch = new PacketBatch();
            // Warm up: the pool grows to what a batch needs, and every path is compiled.
            Send(sender, pool, 256, sendBatch);
            Assert.Equal(256, ReceiveAll(receiver, receiveBatch));
            const int rounds = 20;
            const int perRound = 500;
            int received = 0;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int round = 0; round < rounds; round++)
            {
                Send(sender, pool, perRound, sendBatch);
                received += ReceiveAll(receiver, receiveBatch);
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, sender.Counters.Snapshot().TxDropped);
            Assert.Equal(rounds * perRound, received);
            Assert.True(allocated < 1024, $"{allocated} bytes allocated for {received} frames sent and received");
        });
    }

    /// <summary>
    /// Runs <paramref name="test"/> with packet devices on both ends of a veth pair in a namespace made for it (its
    /// name starts with <paramref name="prefix"/>), then closes them and removes the namespace whatever happened.
    /// </summary>
    private static void WithVethPairInNamespace(string prefix, Action<AfPacketNetDev, AfPacketNetDev, PacketPool> test)
    {
        string ns = $"{prefix}{Environment.ProcessId % 100000}";
        var pool = new PacketPool(initialBuffers: 64, maxBuffers: 8192);
        Run("ip", "netns", "add", ns);
        try
        {
            CreateVethPair(ns);
            // Packet sockets belong to the network namespace of the thread that opens them.
            (AfPacketNetDev receiver, AfPacketNetDev sender) = OpenInNamespace(ns, pool, "rxa", "rxb");
            try
            {
                test(receiver, sender, pool);
            }
            finally
            {
                receiver.Close();
                sender.Close();
            }
        }
        finally
        {
            Run("ip", "netns", "del", ns);
        }
    }

    private static void Send(AfPacketNetDev sender, PacketPool pool, int count)
    {
        Send(sender, pool, count, new PacketBatch());
        Assert.Equal(0, sender.Counters.Snapshot().TxDropped);
    }

    private static void Send(AfPacketNetDev sender, PacketPool pool, int count, PacketBatch batch)
    {
        Span<byte> frame = stackalloc byte[60];
        frame.Clear();
        // Broadcast destination, a locally administered source, the local-experimental EtherType.
        frame[..6].Fill(0xff);
        ReadOnlySpan<byte> source = [0x02, 0, 0, 0, 0, 0x01];
        source.CopyTo(frame[6..]);
        frame[12] = 0x88;
        frame[13] = 0xb5;
        for (int i = 0; i < count; i++)
        {
            Assert.True(pool.TryRent(out PacketBuffer buffer));
            Assert.True(buffer.TrySetFrame(frame));
            batch.TryAdd(buffer);
            if (batch.IsFull || i == count - 1)
            {
                sender.Send(batch);
            }
        }
    }

    private static int ReceiveAll(AfPacketNetDev receiver) => ReceiveAll(receiver, new PacketBatch());

    private static int ReceiveAll(AfPacketNetDev receiver, PacketBatch batch)
    {
        int total = 0;
        int got;
        while ((got = receiver.Receive(batch)) > 0)
        {
            total += got;
            batch.ReturnAll();
        }
        return total;
    }

    private static (AfPacketNetDev Receiver, AfPacketNetDev Sender) OpenInNamespace(string ns, PacketPool pool, string receiverName, string senderName)
    {
        (AfPacketNetDev, AfPacketNetDev)? opened = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                int fd = open($"/var/run/netns/{ns}", 0);
                Assert.True(fd >= 0, "cannot open the namespace");
                Assert.Equal(0, setns(fd, CloneNewNet));
                close(fd);
                opened = (Open(receiverName, pool), Open(senderName, pool));
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException("opening the devices in the namespace failed", failure);
        }
        return opened!.Value;
    }

    private static AfPacketNetDev Open(string name, PacketPool pool)
    {
        var device = new AfPacketNetDev(name, pool);
        int ifIndex = (int)if_nametoindex(name);
        Assert.True(ifIndex > 0, $"{name} not found in the namespace");
        device.ApplyLink(new LinkInfo(ifIndex, name, Rtnetlink.IFF_UP | Rtnetlink.IFF_RUNNING, 1500, default));
        return device;
    }

    /// <summary>
    /// A veth pair rxa/rxb, both up, in <paramref name="ns"/>, with IPv6 off so that the kernel sends nothing of its own
    /// (router solicitations, MLD) and every frame counted is one the test sent.
    /// </summary>
    private static void CreateVethPair(string ns)
    {
        Run("ip", "netns", "exec", ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
        Run("ip", "-n", ns, "link", "add", "rxa", "type", "veth", "peer", "name", "rxb");
        Run("ip", "-n", ns, "link", "set", "rxa", "up");
        Run("ip", "-n", ns, "link", "set", "rxb", "up");
    }

    private static void Run(string program, params string[] arguments)
    {
        ProcessRunner.Result result = ProcessRunner.Run(Requirements.FindExecutable(program) ?? program, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)}: {result.StandardError}");
        }
    }

    private static string[] ThreadNames(int pid)
    {
        return [.. Directory.GetDirectories($"/proc/{pid}/task").Select(task => File.ReadAllText(Path.Combine(task, "comm")).Trim())];
    }

    private static long UpstreamReceived(LinuxLab lab, OperatorTopology topology)
    {
        return lab.KernelCounters(topology.UpstreamNs, "up1").RxPackets + lab.KernelCounters(topology.UpstreamNs, "up2").RxPackets;
    }

    private static long Statistic(LinuxLab lab, string iface, string key)
    {
        string value = lab.Vsctl("--if-exists", "get", "interface", iface, $"statistics:{key}").Trim();
        return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed) ? parsed : -1;
    }

    /// <summary>Sends <paramref name="count"/> minimal frames to <paramref name="destinationMac"/> from a packet socket in <paramref name="ns"/>, as fast as Python can.</summary>
    private static void SendBurst(LinuxLab lab, string ns, string device, string destinationMac, int count)
    {
        string script = string.Join('\n',
            "import socket, sys",
            "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)",
            $"s.bind(('{device}', 0))",
            $"frame = bytes.fromhex('{destinationMac.Replace(":", "", StringComparison.Ordinal)}') + bytes.fromhex('020000000002') + b'\\x88\\xb5' + bytes(46)",
            $"for _ in range({count}):",
            "    s.send(frame)");
        ProcessRunner.Result result = lab.InNamespace(ns, "python3", "-c", script);
        Assert.True(result.ExitCode == 0, result.StandardError);
    }

    private const int CloneNewNet = 0x40000000;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);
}
