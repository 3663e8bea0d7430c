// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath.Tests;

public sealed class NetDevTests
{
    private readonly PacketPool _pool = new(8);

    private DummyNetDev Dummy(string name, int queue = DummyNetDev.DefaultReceiveQueueCapacity) => new(name, Frames.Mac(name.Length), _pool, queue);

    [Fact]
    public void A_cable_delivers_frames_both_ways_and_counts_them_exactly()
    {
        DummyNetDev a = Dummy("a");
        DummyNetDev b = Dummy("b");
        Cable.Connect(a, b);
        byte[] frame = Frames.Udp(MacAddress.Broadcast, Frames.Mac(1));

        Assert.True(a.Transmit(frame));
        Assert.True(b.Transmit(frame));
        Assert.True(b.Transmit(frame));

        Assert.Equal(frame, b.ReceiveFrame());
        Assert.Equal(2, a.ReceiveAllFrames().Count);
        InterfaceStatistics sa = a.Statistics;
        InterfaceStatistics sb = b.Statistics;
        Assert.Equal((1, 60, 2, 120, 2), (sa.TxPackets, sa.TxBytes, sa.RxPackets, sa.RxBytes, sa.RxMulticastPackets));
        Assert.Equal((2, 120, 1, 60, 1), (sb.TxPackets, sb.TxBytes, sb.RxPackets, sb.RxBytes, sb.RxMulticastPackets));
        Assert.Equal(0, sa.TxDropped + sa.RxDropped + sb.TxDropped + sb.RxDropped);
        Assert.Equal(0, _pool.InUseCount);
    }

    [Fact]
    public void Admin_down_at_one_end_takes_carrier_from_both_ends_and_counts_link_changes()
    {
        DummyNetDev a = Dummy("a");
        DummyNetDev b = Dummy("b");
        Cable.Connect(a, b);
        Assert.True(a.Carrier && b.Carrier);
        long sequenceA = a.LinkChangeSequence;
        long sequenceB = b.LinkChangeSequence;

        a.SetAdminState(false);

        Assert.False(a.AdminUp);
        Assert.False(a.Carrier);
        Assert.True(b.AdminUp);
        Assert.False(b.Carrier);
        Assert.Equal(sequenceA + 1, a.LinkChangeSequence);
        Assert.Equal(sequenceB + 1, b.LinkChangeSequence);
        Assert.False(b.Transmit(Frames.Udp(Frames.Mac(1), Frames.Mac(2))));
        Assert.Equal(1, b.Statistics.TxDropped);
        Assert.Equal(0, a.Statistics.RxPackets);

        a.SetAdminState(true);
        Assert.True(a.Carrier && b.Carrier);
        Assert.Equal(sequenceB + 2, b.LinkChangeSequence);
    }

    [Fact]
    public void Unplugging_the_cable_removes_carrier_and_plugging_it_restores_it()
    {
        DummyNetDev a = Dummy("a");
        DummyNetDev b = Dummy("b");
        Cable cable = Cable.Connect(a, b);

        cable.Unplug();
        Assert.False(a.Carrier);
        Assert.False(b.Carrier);
        Assert.True(a.AdminUp);
        Assert.False(a.Transmit(Frames.Udp(Frames.Mac(1), Frames.Mac(2))));
        Assert.Equal(1, a.Statistics.TxDropped);
        Assert.Null(b.ReceiveFrame());

        cable.Plug();
        Assert.True(a.Carrier && b.Carrier);
        Assert.Equal(2, a.LinkChangeSequence);
    }

    [Fact]
    public void A_lone_dummy_has_carrier_exactly_while_administratively_up()
    {
        DummyNetDev a = Dummy("a");
        Assert.True(a.Carrier);
        a.SetAdminState(false);
        Assert.False(a.Carrier);
        Assert.False(a.InjectReceive(Frames.Udp(Frames.Mac(1), Frames.Mac(2))));
        Assert.Equal(1, a.Statistics.RxDropped);
        a.SetAdminState(true);
        Assert.True(a.Carrier);
        Assert.Equal(2, a.LinkChangeSequence);
    }

    [Fact]
    public void A_full_receive_queue_counts_overflow_as_rx_dropped()
    {
        DummyNetDev a = Dummy("a", queue: 4);
        byte[] frame = Frames.Udp(Frames.Mac(1), Frames.Mac(2));
        int accepted = 0;
        for (int i = 0; i < 6; i++)
        {
            accepted += a.InjectReceive(frame) ? 1 : 0;
        }
        Assert.Equal(4, accepted);
        Assert.Equal(4, a.PendingReceiveCount);
        InterfaceStatistics stats = a.Statistics;
        Assert.Equal(2, stats.RxDropped);
        Assert.Equal(2, stats.RxOverErrors);
        Assert.Equal(0, stats.RxPackets);

        var batch = new PacketBatch();
        Assert.Equal(4, a.Receive(batch));
        Assert.Equal(4, a.Statistics.RxPackets);
        Assert.Equal(240, a.Statistics.RxBytes);
        batch.ReturnAll();
        Assert.Equal(0, _pool.InUseCount);
    }

    [Fact]
    public void Frames_above_the_mtu_are_dropped_on_send_but_a_vlan_tag_is_allowed_on_top()
    {
        DummyNetDev a = Dummy("a");
        DummyNetDev b = Dummy("b");
        Cable.Connect(a, b);
        a.Mtu = 100;
        Assert.True(a.Transmit(Frames.Udp(Frames.Mac(1), Frames.Mac(2), payloadBytes: 100 - 28)));
        Assert.True(a.Transmit(Frames.Udp(Frames.Mac(1), Frames.Mac(2), vlanTci: 5, payloadBytes: 100 - 28)));
        Assert.False(a.Transmit(Frames.Udp(Frames.Mac(1), Frames.Mac(2), payloadBytes: 101 - 28)));
        Assert.Equal((2, 1), (a.Statistics.TxPackets, a.Statistics.TxDropped));
    }

    [Fact]
    public void An_internal_port_has_a_host_side_that_sends_into_and_receives_from_the_switch_side()
    {
        DummyNetDev port = DummyNetDev.CreateInternal("br9", Frames.Mac(9), _pool);
        DummyNetDev host = port.HostSide!;
        Assert.Equal("internal", port.Type);
        Assert.True(host.Transmit(Frames.Udp(Frames.Mac(1), Frames.Mac(9))));
        var batch = new PacketBatch();
        Assert.Equal(1, port.Receive(batch));
        port.Send(batch);
        Assert.NotNull(host.ReceiveFrame());
        Assert.Throws<InvalidOperationException>(() => port.Cable!.Unplug());

        port.SetAdminState(false);
        Assert.False(host.Carrier);
    }

    [Fact]
    public void Statistics_enumerate_exactly_the_ovs_interface_statistics_keys()
    {
        string[] keys = [.. Dummy("a").Statistics.ToOvsdbPairs().Select(p => p.Key).Order(StringComparer.Ordinal)];
        // The keys ovs-vswitchd 3.1 wrote for a veth interface (ovs-3.1-captures/final-list-interface-va1.txt).
        Assert.Equal(
            ["collisions", "rx_bytes", "rx_crc_err", "rx_dropped", "rx_errors", "rx_frame_err", "rx_missed_errors", "rx_multicast_packets", "rx_over_err", "rx_packets", "tx_bytes", "tx_dropped", "tx_errors", "tx_packets"],
            keys);
    }

    [Fact]
    public void Vlan_tags_are_pushed_and_popped_in_place()
    {
        Assert.True(_pool.TryRent(out PacketBuffer buffer));
        byte[] frame = Frames.Udp(Frames.Mac(1), Frames.Mac(2));
        buffer.TrySetFrame(frame);
        Assert.True(buffer.TryPushVlanTag(0x8100, 0x2000 | 10));
        byte[] tagged = buffer.Data.ToArray();
        Assert.Equal(frame.Length + 4, tagged.Length);
        Assert.Equal((ushort)(0x2000 | 10), Frames.Tci(tagged));
        Assert.Equal(Frames.Udp(Frames.Mac(1), Frames.Mac(2), vlanTci: 0x2000 | 10), tagged);
        Assert.True(buffer.TrySetOuterTci(20));
        Assert.Equal((ushort)20, Frames.Tci(buffer.Data.ToArray()));
        Assert.True(buffer.TryPopVlanTag());
        Assert.Equal(frame, buffer.Data.ToArray());
        _pool.Return(buffer);
    }

    [Fact]
    public void The_pool_refuses_beyond_its_limit_and_rejects_double_returns()
    {
        var pool = new PacketPool(initialBuffers: 1, maxBuffers: 2);
        Assert.True(pool.TryRent(out PacketBuffer first));
        Assert.True(pool.TryRent(out PacketBuffer second));
        Assert.False(pool.TryRent(out _));
        Assert.Equal(1, pool.ExhaustedCount);
        pool.Return(first);
        Assert.Throws<InvalidOperationException>(() => pool.Return(first));
        pool.Return(second);
        Assert.Equal(0, pool.InUseCount);
    }

    [Fact]
    public void A_frame_sink_sees_every_received_and_transmitted_frame()
    {
        DummyNetDev a = Dummy("a");
        DummyNetDev b = Dummy("b");
        Cable.Connect(a, b);
        var sink = new RecordingSink();
        a.FrameSink = sink;
        b.FrameSink = sink;
        a.Transmit(Frames.Udp(Frames.Mac(1), Frames.Mac(2)));
        b.ReceiveFrame();
        Assert.Equal(["a Transmitted 60", "b Received 60"], sink.Lines);
    }

    private sealed class RecordingSink : IFrameSink
    {
        public List<string> Lines { get; } = [];

        public void OnFrame(INetDev device, FrameDirection direction, ReadOnlySpan<byte> frame)
        {
            Lines.Add($"{device.Name} {direction} {frame.Length}");
        }
    }
}
