// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Hosts;
using SharpSwitch.Lab.Impairments;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Traffic;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// The traffic sources on two hosts joined by one cable, stepped on a virtual millisecond clock: UDP sub-flows,
/// the flow id and sequence number in every payload, and the TCP-like sender's window, timeouts and recovery.
/// </summary>
public sealed class TrafficModelTests
{
    private const uint AddressA = 0xC0000201;
    private const uint AddressB = 0xC0000202;

    private sealed class ArrivalLog : IFlowLegObserver
    {
        public List<(uint Sequence, long TimeMs)> Arrivals { get; } = [];

        public void OnSend(FlowLeg leg, uint sequence)
        {
        }

        public void OnArrival(FlowLeg leg, uint sequence, long nowMs) => Arrivals.Add((sequence, nowMs));
    }

    private sealed class Pair
    {
        public Pair(bool withStage = false)
        {
            var pool = new PacketPool();
            DeviceA = new DummyNetDev("eth0", new MacAddress(0x020000000a01), pool, 10_000);
            DeviceB = new DummyNetDev("eth0", new MacAddress(0x020000000a02), pool, 10_000);
            Cable = Cable.Connect(DeviceA, DeviceB);
            A = new LabHost("a", DeviceA.Mac, AddressA, DeviceA);
            B = new LabHost("b", DeviceB.Mac, AddressB, DeviceB);
            if (withStage)
            {
                Stage = new ImpairmentStage(Cable, "a:eth0", "b:eth0", "traffic-test");
            }
        }

        public DummyNetDev DeviceA { get; }

        public DummyNetDev DeviceB { get; }

        public Cable Cable { get; }

        public LabHost A { get; }

        public LabHost B { get; }

        public ImpairmentStage? Stage { get; }

        public List<TrafficSource> Sources { get; } = [];

        /// <summary>Runs every millisecond from <paramref name="fromMs"/> to <paramref name="toMs"/>, with an action before each.</summary>
        public void Run(long fromMs, long toMs, Action<long>? before = null)
        {
            for (long t = fromMs; t <= toMs; t++)
            {
                before?.Invoke(t);
                Stage?.AdvanceTo(t);
                foreach (TrafficSource source in Sources)
                {
                    source.SendDue(t, 0);
                }
                while (DeviceA.PendingReceiveCount > 0 || DeviceB.PendingReceiveCount > 0)
                {
                    B.Poll(t, 0);
                    A.Poll(t, 0);
                }
                // ARP retries and held frames are served on the next tick.
                B.Poll(t, 0);
                A.Poll(t, 0);
            }
        }
    }

    [Fact]
    public void The_payload_starts_with_the_flow_id_and_the_sequence_number()
    {
        Span<byte> payload = stackalloc byte[12];
        TrafficPayload.Write(payload, 0x01020304, 0x0A0B0C0D);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 0x0A, 0x0B, 0x0C, 0x0D, 0, 0, 0, 0 }, payload.ToArray());
        Assert.True(TrafficPayload.TryRead(payload, out uint flow, out uint sequence));
        Assert.Equal((0x01020304u, 0x0A0B0C0Du), (flow, sequence));
        Assert.False(TrafficPayload.TryRead(payload[..7], out _, out _));
    }

    [Fact]
    public void Udp_flows_take_turns_on_distinct_source_ports_and_all_arrive_in_order()
    {
        var pair = new Pair();
        var leg = new FlowLeg("udp", "a", "b", 0, 1000, 1, flowId: 7, subflows: 4);
        pair.B.Receive(leg);
        pair.Sources.Add(TrafficSource.Udp(leg, pair.A, AddressB, 40000, 128, 100));
        var seen = new List<(ushort Source, ushort Destination, uint Flow, uint Sequence)>();
        pair.DeviceB.FrameSink = new UdpSpy(seen);
        pair.Run(0, 1100);

        LegPhaseStats stats = leg.Phase(0);
        Assert.Equal(100, stats.Sent);
        Assert.Equal(100, stats.Delivered);
        Assert.Equal(0, stats.Reordered);
        Assert.Equal(100, seen.Count);
        Assert.All(seen, s => Assert.Equal((ushort)40000, s.Destination));
        Assert.All(seen, s => Assert.Equal(7u, s.Flow));
        Assert.Equal(4, seen.Select(s => s.Source).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (uint)i), seen.Select(s => s.Sequence));
        // Packet k goes out on sub-flow k mod 4, and sub-flow 0 keeps the single-flow port.
        Assert.All(seen, s => Assert.Equal(TrafficSource.SubflowSourcePort(leg, 40000, (int)(s.Sequence % 4)), s.Source));
        Assert.Equal((ushort)40000, TrafficSource.SubflowSourcePort(leg, 40000, 0));
    }

    [Fact]
    public void Reordering_is_judged_per_subflow()
    {
        var leg = new FlowLeg("udp", "a", "b", 0, 1000, 1, flowId: 1, subflows: 2);
        for (int i = 0; i < 4; i++)
        {
            leg.RecordSend(0);
        }
        // 0 and 2 share sub-flow 0, 1 and 3 sub-flow 1: 1 after 2 is fine, 0 after 2 is reordered.
        leg.RecordArrival(2, 1, 0);
        leg.RecordArrival(1, 1, 0);
        leg.RecordArrival(0, 1, 0);
        leg.RecordArrival(3, 1, 0);
        leg.RecordArrival(3, 2, 0);
        LegPhaseStats stats = leg.Phase(0);
        Assert.Equal(1, stats.Reordered);
        Assert.Equal(1, stats.Duplicates);
        Assert.Equal(4, stats.Delivered);
    }

    [Fact]
    public void Tcp_without_loss_delivers_every_segment_once_with_no_retransmission()
    {
        var pair = new Pair();
        (FlowLeg leg, TcpSender sender) = AddTcp(pair, ratePps: 100, window: 8, stopMs: 2000);
        pair.Run(0, 2100);

        LegPhaseStats stats = leg.Phase(0);
        Assert.Equal(200, stats.Sent);
        Assert.Equal(200, stats.Delivered);
        Assert.Equal(0, stats.Retransmitted);
        Assert.Equal(0, stats.Duplicates);
        Assert.Equal(0, sender.Statistics.Timeouts);
    }

    [Fact]
    public void Tcp_over_a_lossy_cable_retransmits_until_everything_arrives()
    {
        var pair = new Pair(withStage: true);
        var loss = new ImpairmentSpec(10, 0, 5, 0, 0, 0, 0, ImpairmentSpec.DefaultLimitFrames, 99);
        pair.Stage!.FromA.Configure(loss);
        pair.Stage.FromB.Configure(loss);
        (FlowLeg leg, TcpSender sender) = AddTcp(pair, ratePps: 100, window: 16, stopMs: 5000);
        pair.Run(0, 15_000);

        LegPhaseStats stats = leg.Phase(0);
        Assert.Equal(500, stats.Sent);
        Assert.Equal(500, stats.Delivered);
        Assert.Equal(0, stats.Lost);
        Assert.True(stats.Retransmitted >= 40, $"{stats.Retransmitted} retransmissions for 10% loss");
        Assert.True(sender.Statistics.Timeouts > 0);
        Assert.True(stats.Reordered > 0, "retransmitted segments arrive after later ones");
    }

    [Fact]
    public void Tcp_stalls_while_the_cable_is_out_and_recovers_at_the_backed_off_timer()
    {
        var pair = new Pair();
        (FlowLeg leg, TcpSender sender) = AddTcp(pair, ratePps: 100, window: 8, stopMs: 6000);
        var log = new ArrivalLog();
        leg.Observer = log;
        pair.Run(0, 8000, t =>
        {
            if (t == 2000)
            {
                pair.Cable.Unplug();
            }
            else if (t == 3000)
            {
                pair.Cable.Plug();
            }
        });

        // The window fills at 2070 ms; the RTO fires at 2200 (lost), 2600 (lost) and 3400 ms, which gets through.
        Assert.Equal(3, sender.Statistics.Timeouts);
        Assert.DoesNotContain(log.Arrivals, a => a.TimeMs is >= 2000 and < 3400);
        Assert.Contains(log.Arrivals, a => a.TimeMs == 3400);
        Assert.Equal(1400, sender.Statistics.LongestStallMs);
        LegPhaseStats stats = leg.Phase(0);
        Assert.Equal(600, stats.Sent);
        Assert.Equal(600, stats.Delivered);
    }

    private static (FlowLeg Leg, TcpSender Sender) AddTcp(Pair pair, int ratePps, int window, long stopMs)
    {
        var leg = new FlowLeg("tcp", "a", "b", 0, stopMs, 1, flowId: 3);
        pair.B.ReceiveTcp(leg);
        var sender = new TcpSender(leg, pair.A, AddressB, TcpSender.FirstSourcePort, TcpSender.ServerPort, 1514, ratePps, window, ScenarioReader.DefaultTcpRtoMs);
        pair.A.SendTcpFrom(sender);
        pair.Sources.Add(TrafficSource.Tcp(sender, pair.A));
        return (leg, sender);
    }

    private sealed class UdpSpy(List<(ushort Source, ushort Destination, uint Flow, uint Sequence)> seen) : IFrameSink
    {
        public void OnFrame(INetDev device, FrameDirection direction, ReadOnlySpan<byte> frame)
        {
            if (direction == FrameDirection.Received
                && EthernetFrame.TryCreate(frame, out EthernetFrame ethernet) && ethernet.EtherType == EtherType.Ipv4
                && Ipv4Header.TryCreate(ethernet.Payload, out Ipv4Header ip) && ip.Protocol == IpProtocol.Udp
                && UdpHeader.TryCreate(ip.Payload, out UdpHeader udp)
                && TrafficPayload.TryRead(udp.Payload, out uint flow, out uint sequence))
            {
                seen.Add((udp.SourcePort, udp.DestinationPort, flow, sequence));
            }
        }
    }
}
