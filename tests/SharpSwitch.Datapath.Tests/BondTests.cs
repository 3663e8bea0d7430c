// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath.Tests;

public sealed class BondTests
{
    private static Topology ActiveBackup(BondSettings? settings = null)
    {
        var t = new Topology();
        t.AddPort("p1");
        t.AddPort("p2", tag: 10);
        t.AddBond("bond0", ["b1", "b2"], settings ?? new BondSettings { Mode = BondMode.ActiveBackup });
        t.Run();
        return t;
    }

    private static Bond BondOf(Topology t) => t.Bridge.Ports.Single(p => p.Name == "bond0").Bond!;

    [Fact]
    public void Only_the_active_member_sends()
    {
        Topology t = ActiveBackup();
        Assert.Equal("b1", BondOf(t).ActiveMember!.Name);

        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.Send("p1", Frames.Udp(Frames.Mac(77), Frames.Mac(1)));

        Assert.Equal(2, t.Received("b1").Count);
        Assert.Empty(t.Received("b2"));
        Assert.Equal(0, t.SwitchSide("b2").Statistics.TxPackets);
    }

    [Fact]
    public void Only_the_active_member_receives_and_macs_are_learned_on_the_bond()
    {
        Topology t = ActiveBackup();

        t.Send("b2", Frames.Udp(MacAddress.Broadcast, Frames.Mac(5)));
        Assert.Empty(t.Received("p1"));
        Assert.Equal(1, t.Bridge.Statistics.BondAdmissionDropped);
        t.Send("b2", Frames.Udp(Frames.Mac(1), Frames.Mac(5)));
        Assert.Equal(2, t.Bridge.Statistics.BondAdmissionDropped);

        t.Send("b1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(6)));
        Assert.Single(t.Received("p1"));
        FdbEntry entry = Assert.Single(t.Bridge.GetFdbEntries(t.NowMs));
        Assert.Equal("bond0", entry.Port.Name);
        Assert.Equal(Frames.Mac(6), entry.Mac);
    }

    [Fact]
    public void Failover_moves_traffic_and_sends_one_learning_packet_per_mac_learned_elsewhere()
    {
        Topology t = ActiveBackup();
        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.Send("p2", Frames.Udp(MacAddress.Broadcast, Frames.Mac(2)));
        t.Send("b1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(3)));
        t.DrainAll();

        t.CableOf("b1").Unplug();
        t.Advance(1);

        Assert.Equal("b2", BondOf(t).ActiveMember!.Name);
        List<byte[]> learning = t.Received("b2");
        Assert.Equal(2, learning.Count);
        // Oldest entry first; the VLAN 10 entry is tagged (46 bytes), the VLAN 0 one is not (42 bytes).
        Assert.Equal(Frames.Mac(1), Frames.Source(learning[0]));
        Assert.Equal(42, learning[0].Length);
        Assert.Null(Frames.Tci(learning[0]));
        Assert.Equal(Frames.Mac(2), Frames.Source(learning[1]));
        Assert.Equal(46, learning[1].Length);
        Assert.Equal((ushort)10, Frames.Tci(learning[1]));
        byte[] expected = new byte[42];
        FrameBuilder.WriteLearningPacket(expected, Frames.Mac(1));
        Assert.Equal(expected, learning[0]);
        Assert.Equal((2, 88), (t.SwitchSide("b2").Statistics.TxPackets, t.SwitchSide("b2").Statistics.TxBytes));
        Assert.Equal(2, t.Bridge.Statistics.LearningPacketsSent);

        t.Send("p1", Frames.Udp(Frames.Mac(3), Frames.Mac(1)));
        Assert.Single(t.Received("b2"));
    }

    [Fact]
    public void Downdelay_keeps_the_failed_member_active_until_it_expires_under_virtual_time()
    {
        Topology t = ActiveBackup(new BondSettings { Mode = BondMode.ActiveBackup, DownDelayMs = 1000 });
        t.NowMs = 10_000;
        t.Run();

        t.CableOf("b1").Unplug();
        t.Run();
        Assert.Equal("b1", BondOf(t).ActiveMember!.Name);
        Assert.Equal(11_000, t.Bridge.NextWakeMs);
        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        Assert.Equal(1, t.SwitchSide("b1").Statistics.TxDropped);
        Assert.Empty(t.Received("b2"));

        t.Advance(999);
        Assert.Equal("b1", BondOf(t).ActiveMember!.Name);
        t.Advance(1);
        Assert.Equal("b2", BondOf(t).ActiveMember!.Name);
        t.DrainAll();
        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        Assert.Single(t.Received("b2"));
    }

    [Fact]
    public void Admin_down_on_the_active_member_fails_over_like_netdev_dummy_set_admin_state()
    {
        Topology t = ActiveBackup();
        t.SwitchSide("b1").SetAdminState(false);
        t.Advance(1);
        Assert.Equal("b2", BondOf(t).ActiveMember!.Name);
        Assert.False(t.Host("b1").Carrier);
    }

    [Fact]
    public void Unrelated_changes_and_bond_reconfiguration_keep_the_active_member()
    {
        Topology t = ActiveBackup();
        t.CableOf("b1").Unplug();
        t.Advance(1);
        t.CableOf("b1").Plug();
        t.Advance(1);
        Bond bond = BondOf(t);
        Assert.Equal("b2", bond.ActiveMember!.Name);

        t.AddPort("p3");
        t.Bridge.ReconfigurePort(new PortConfig("p1", [new InterfaceConfig(t.SwitchSide("p1"))]) { Tag = 30 }, t.NowMs);
        t.Bridge.RemovePort("p2", t.NowMs);
        var bondConfig = new PortConfig("bond0", [new InterfaceConfig(t.SwitchSide("b1")), new InterfaceConfig(t.SwitchSide("b2"))])
        {
            Bond = new BondSettings { Mode = BondMode.ActiveBackup, UpDelayMs = 200 },
        };
        BridgePort port = t.Bridge.ReconfigurePort(bondConfig, t.NowMs);
        t.Advance(1);

        Assert.Same(bond, port.Bond);
        Assert.Equal("b2", bond.ActiveMember!.Name);
        Assert.Equal(200, bond.Settings.UpDelayMs);
    }

    [Fact]
    public void A_bond_reduced_to_one_interface_becomes_a_plain_port()
    {
        Topology t = ActiveBackup();
        BridgePort port = t.Bridge.ReconfigurePort(new PortConfig("bond0", [new InterfaceConfig(t.SwitchSide("b2"))]), t.NowMs);
        Assert.False(port.IsBond);
        Assert.Single(port.Interfaces);
        Assert.False(t.Datapath.IsAttached(t.SwitchSide("b1")));

        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        Assert.Single(t.Received("b2"));
        Assert.Empty(t.Received("b1"));
    }

    [Fact]
    public void Slb_drops_frames_whose_source_was_learned_on_another_port_but_admits_gratuitous_arp_after_the_lock()
    {
        var t = new Topology();
        t.AddPort("p1");
        t.AddBond("bond0", ["b1", "b2"], new BondSettings { Mode = BondMode.BalanceSlb });
        t.Run();
        string backup = BondOf(t).ActiveMember!.Name == "b1" ? "b2" : "b1";

        t.Send("p1", Frames.GratuitousArp(Frames.Mac(1), 0x0A000001));
        t.DrainAll();

        // Unicast from a MAC that lives on p1, arriving on a bond member: a reflection, dropped.
        t.Send(backup, Frames.Udp(Frames.Mac(9), Frames.Mac(1)));
        Assert.Equal(1, t.Bridge.Statistics.BondLoopDropped);

        // A gratuitous ARP is a VM that moved, but not within 5 s of one seen on a plain port.
        string active = BondOf(t).ActiveMember!.Name;
        t.Send(active, Frames.GratuitousArp(Frames.Mac(1), 0x0A000001));
        Assert.Equal(2, t.Bridge.Statistics.BondLoopDropped);
        Assert.Equal("p1", t.Bridge.GetFdbEntries(t.NowMs).Single().Port.Name);

        t.Advance(5000);
        t.Send(active, Frames.GratuitousArp(Frames.Mac(1), 0x0A000001));
        Assert.Equal(2, t.Bridge.Statistics.BondLoopDropped);
        Assert.Equal("bond0", t.Bridge.GetFdbEntries(t.NowMs).Single().Port.Name);
        Assert.Single(t.Received("p1"));
    }

    [Fact]
    public void Bond_events_reach_the_configured_sink()
    {
        var sink = new RecordingSink();
        var t = new Topology();
        t.AddPort("p1");
        t.AddBond("bond0", ["b1", "b2"], new BondSettings { Mode = BondMode.ActiveBackup }, sink);
        t.Run();
        t.CableOf("b1").Unplug();
        t.Advance(5);

        Assert.Contains(sink.Events, e => e.Message == "bond bond0: active member is now b2" && e.TimeMs == 5);
    }

    [Fact]
    public void Lacp_frames_go_to_the_ports_slow_protocols_handler_which_can_answer_on_a_member()
    {
        var handler = new RecordingHandler();
        var t = new Topology();
        t.AddPort("p1");
        var interfaces = new List<InterfaceConfig> { new(t.Device("b1", 11)), new(t.Device("b2", 12)) };
        t.Bridge.AddPort(new PortConfig("bond0", interfaces) { SlowProtocolsHandler = handler }, t.NowMs);
        t.Run();
        byte[] lacpdu = new byte[124];
        new MacAddress(0x0180_C200_0002UL).Write(lacpdu);
        Frames.Mac(7).Write(lacpdu.AsSpan(6));
        lacpdu[12] = 0x88;
        lacpdu[13] = 0x09;
        lacpdu[14] = 1;

        t.Send("b2", lacpdu);

        Assert.Equal(["b2 124"], handler.Seen);
        Assert.Equal(1, t.Bridge.Statistics.SlowProtocolsConsumed);
        Assert.Equal(0, t.Bridge.Statistics.ReservedMulticastDropped);
        Assert.Empty(t.Received("p1"));

        Assert.True(t.Bridge.TryGetInterface("b2", out PortInterface b2));
        Assert.True(t.Bridge.TrySendOnInterface(b2, lacpdu));
        Assert.Equal(lacpdu, Assert.Single(t.Received("b2")));

        // Without a handler the same frame is reserved multicast, dropped by NORMAL.
        t.Send("p1", lacpdu);
        Assert.Equal(1, t.Bridge.Statistics.ReservedMulticastDropped);
    }

    private sealed class RecordingHandler : ISlowProtocolsHandler
    {
        public List<string> Seen { get; } = [];

        public void OnSlowProtocolsFrame(PortInterface portInterface, ReadOnlySpan<byte> frame, long nowMs) => Seen.Add($"{portInterface.Name} {frame.Length}");
    }

    private sealed class RecordingSink : IBondEventSink
    {
        public List<BondEvent> Events { get; } = [];

        public void OnEvent(in BondEvent bondEvent) => Events.Add(bondEvent);
    }
}
