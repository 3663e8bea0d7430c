// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath.Tests;

public sealed class VlanTests
{
    [Fact]
    public void Access_to_trunk_pushes_the_access_tag_and_trunk_to_access_pops_it()
    {
        var t = new Topology();
        t.AddPort("access10", tag: 10);
        t.AddPort("trunk");
        byte[] untagged = Frames.Udp(MacAddress.Broadcast, Frames.Mac(1));

        t.Send("access10", untagged);
        byte[] onTrunk = Assert.Single(t.Received("trunk"));
        Assert.Equal((ushort)10, Frames.Tci(onTrunk));
        Assert.Equal(untagged, Frames.Untagged(onTrunk));

        byte[] reply = Frames.Udp(Frames.Mac(1), Frames.Mac(2), vlanTci: 10);
        t.Send("trunk", reply);
        byte[] onAccess = Assert.Single(t.Received("access10"));
        Assert.Null(Frames.Tci(onAccess));
        Assert.Equal(Frames.Untagged(reply), onAccess);
    }

    [Fact]
    public void Access_ports_in_different_vlans_are_isolated_and_tagged_input_on_access_is_dropped()
    {
        var t = new Topology();
        t.AddPort("a10", tag: 10);
        t.AddPort("b10", tag: 10);
        t.AddPort("c20", tag: 20);

        t.Send("a10", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        Assert.Single(t.Received("b10"));
        Assert.Empty(t.Received("c20"));

        t.Send("a10", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1), vlanTci: 10));
        Assert.Empty(t.Received("b10"));
        Assert.Equal(1, t.Bridge.Statistics.VlanDropped);
    }

    [Fact]
    public void Tag_0_is_an_access_port_in_vlan_0_that_accepts_priority_tags()
    {
        var t = new Topology();
        t.AddPort("access0", tag: 0);
        t.AddPort("trunk");
        t.AddPort("access5", tag: 5);
        Assert.Equal(PortVlanMode.Access, t.Bridge.Ports.Single(p => p.Name == "access0").VlanMode);

        t.Send("access0", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        Assert.Null(Frames.Tci(Assert.Single(t.Received("trunk"))));
        Assert.Empty(t.Received("access5"));

        // A priority tag (VID 0, PCP 3) is allowed on an access port; its priority survives on a trunk.
        t.Send("access0", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1), vlanTci: 0x6000));
        Assert.Equal((ushort)0x6000, Frames.Tci(Assert.Single(t.Received("trunk"))));

        t.Send("trunk", Frames.Udp(Frames.Mac(1), Frames.Mac(2), vlanTci: 0));
        Assert.Null(Frames.Tci(Assert.Single(t.Received("access0"))));
    }

    [Fact]
    public void A_trunk_with_a_vlan_list_drops_other_vlans_and_untagged_frames()
    {
        var t = new Topology();
        t.AddPort("trunk10", trunks: [10]);
        t.AddPort("all");

        t.Send("trunk10", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1), vlanTci: 10));
        Assert.Single(t.Received("all"));
        t.Send("trunk10", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1), vlanTci: 20));
        t.Send("trunk10", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        Assert.Empty(t.Received("all"));
        Assert.Equal(2, t.Bridge.Statistics.VlanDropped);

        t.Send("all", Frames.Udp(MacAddress.Broadcast, Frames.Mac(2), vlanTci: 30));
        Assert.Empty(t.Received("trunk10"));
        t.Send("all", Frames.Udp(MacAddress.Broadcast, Frames.Mac(2), vlanTci: 10));
        Assert.Equal((ushort)10, Frames.Tci(Assert.Single(t.Received("trunk10"))));
    }

    [Fact]
    public void Native_untagged_sends_its_native_vlan_untagged_and_others_tagged()
    {
        var t = new Topology();
        t.AddPort("native", tag: 10, trunks: [20], mode: PortVlanMode.NativeUntagged);
        t.AddPort("trunk");
        t.AddPort("access10", tag: 10);

        t.Send("native", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        Assert.Equal((ushort)10, Frames.Tci(Assert.Single(t.Received("trunk"))));
        Assert.Null(Frames.Tci(Assert.Single(t.Received("access10"))));

        t.Send("trunk", Frames.Udp(MacAddress.Broadcast, Frames.Mac(2), vlanTci: 10));
        Assert.Null(Frames.Tci(Assert.Single(t.Received("native"))));
        t.Send("trunk", Frames.Udp(MacAddress.Broadcast, Frames.Mac(2), vlanTci: 20));
        Assert.Equal((ushort)20, Frames.Tci(Assert.Single(t.Received("native"))));
        t.Send("trunk", Frames.Udp(MacAddress.Broadcast, Frames.Mac(2), vlanTci: 30));
        Assert.Empty(t.Received("native"));
    }

    [Fact]
    public void Native_tagged_keeps_the_native_vlan_tagged_on_output()
    {
        var t = new Topology();
        t.AddPort("native", tag: 10, mode: PortVlanMode.NativeTagged);
        t.AddPort("access10", tag: 10);

        t.Send("access10", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        Assert.Equal((ushort)10, Frames.Tci(Assert.Single(t.Received("native"))));

        t.Send("native", Frames.Udp(Frames.Mac(1), Frames.Mac(2)));
        Assert.Null(Frames.Tci(Assert.Single(t.Received("access10"))));
    }

    [Fact]
    public void A_trunk_list_next_to_a_tag_is_ignored_with_ovs_warning()
    {
        var t = new Topology();
        t.AddPort("p", tag: 10, trunks: [20]);
        Assert.Equal(PortVlanMode.Access, t.Bridge.Ports.Single(p => p.Name == "p").VlanMode);
        Assert.Contains("port p: ignoring trunks in favor of implicit vlan", t.Bridge.Warnings);
    }

    [Fact]
    public void Macs_are_learned_per_vlan()
    {
        var t = new Topology();
        t.AddPort("trunk");
        t.AddPort("a10", tag: 10);
        t.AddPort("a20", tag: 20);

        t.Send("a10", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.Send("a20", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.DrainAll();

        Assert.Equal(2, t.Bridge.LearnedMacCount);
        t.Send("trunk", Frames.Udp(Frames.Mac(1), Frames.Mac(9), vlanTci: 20));
        Assert.Single(t.Received("a20"));
        Assert.Empty(t.Received("a10"));
    }

    [Fact]
    public void Changing_a_ports_vlan_rules_flushes_only_that_ports_macs()
    {
        var t = new Topology();
        t.AddPort("p1");
        t.AddPort("p2");
        t.Send("p1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(1)));
        t.Send("p2", Frames.Udp(MacAddress.Broadcast, Frames.Mac(2)));

        var config = new PortConfig("p1", [new InterfaceConfig(t.SwitchSide("p1"))]) { Tag = 10 };
        t.Bridge.ReconfigurePort(config, t.NowMs);

        Assert.Equal([Frames.Mac(2)], t.Bridge.GetFdbEntries(t.NowMs).Select(e => e.Mac));
    }

    [Fact]
    public void Reserved_multicast_is_dropped_unless_forward_bpdu_is_set()
    {
        var t = new Topology();
        t.AddPort("p1");
        t.AddPort("p2");
        var stp = new MacAddress(0x0180_C200_0000UL);
        var lacp = new MacAddress(0x0180_C200_0002UL);
        t.Send("p1", Frames.Udp(stp, Frames.Mac(1)));
        t.Send("p1", Frames.Udp(lacp, Frames.Mac(1)));
        Assert.Empty(t.Received("p2"));
        Assert.Equal(2, t.Bridge.Statistics.ReservedMulticastDropped);
        Assert.Equal(0, t.Bridge.LearnedMacCount);

        t.Bridge.Reconfigure(BridgeSettings.FromOtherConfig(new Dictionary<string, string> { ["forward-bpdu"] = "true" }));
        t.Send("p1", Frames.Udp(stp, Frames.Mac(1)));
        Assert.Single(t.Received("p2"));

        // 01:80:c2:00:00:10 is outside the reserved block and always forwarded.
        t.Bridge.Reconfigure(BridgeSettings.Default);
        t.Send("p1", Frames.Udp(new MacAddress(0x0180_C200_0010UL), Frames.Mac(1)));
        Assert.Single(t.Received("p2"));
    }
}
