// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.NetDev;
using SharpSwitch.Packets;
using SharpSwitch.Switchd.Netdevs;

namespace SharpSwitch.Switchd.Tests;

/// <summary>The daemon writes status at once when a device's carrier, admin state, MTU or MAC changes, and only then.</summary>
public sealed class LinkStatusTrackerTests
{
    private static bool Look(LinkStatusTracker tracker, params INetDev[] devices)
    {
        tracker.Begin();
        foreach (INetDev device in devices)
        {
            tracker.Observe(device);
        }
        return tracker.End();
    }

    [Fact]
    public void Each_link_fact_that_changes_is_noticed_once()
    {
        var pool = new PacketPool();
        var p1 = new DummyNetDev("p1", new MacAddress(0x0200_0000_0001UL), pool);
        var p2 = new DummyNetDev("p2", new MacAddress(0x0200_0000_0002UL), pool);
        var tracker = new LinkStatusTracker();
        Assert.True(Look(tracker, p1, p2));
        Assert.False(Look(tracker, p1, p2));

        p1.Mtu = 9000;
        Assert.True(Look(tracker, p1, p2));
        Assert.False(Look(tracker, p1, p2));

        p2.Mac = new MacAddress(0x0200_0000_0099UL);
        Assert.True(Look(tracker, p1, p2));
        Assert.False(Look(tracker, p1, p2));

        p1.SetAdminState(!p1.AdminUp);
        Assert.True(Look(tracker, p1, p2));
        Assert.False(Look(tracker, p1, p2));
    }

    [Fact]
    public void A_device_that_leaves_and_comes_back_counts_as_new()
    {
        var pool = new PacketPool();
        var p1 = new DummyNetDev("p1", new MacAddress(0x0200_0000_0001UL), pool);
        var p2 = new DummyNetDev("p2", new MacAddress(0x0200_0000_0002UL), pool);
        var tracker = new LinkStatusTracker();
        Assert.True(Look(tracker, p1, p2));
        // Losing a device changes no row of the remaining ones.
        Assert.False(Look(tracker, p1));
        Assert.True(Look(tracker, p1, p2));
        Assert.False(Look(tracker, p1, p2));
    }

    [Fact]
    public void Link_speed_and_duplex_are_status_columns_so_their_writes_do_not_trigger_a_reconciliation()
    {
        Assert.Contains(("Interface", "link_speed"), Config.StatusWriter.WrittenColumns);
        Assert.Contains(("Interface", "duplex"), Config.StatusWriter.WrittenColumns);
    }
}
