// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath.Tests;

/// <summary>Replays Golden/capture-ovs31-fdb-static.sh through the bridge's fdb API and compares the transcript.</summary>
public sealed class FdbStaticGoldenTests
{
    [Fact]
    public void Static_entries_and_their_replies_match_ovs_3_1()
    {
        var datapath = new Datapath(new PacketPool(16), nameDerivedPortNumbers: true);
        Bridge bridge = datapath.AddBridge("br0");
        var p1 = new DummyNetDev("p1", Frames.Mac(1), datapath.Pool);
        var p2 = new DummyNetDev("p2", Frames.Mac(2), datapath.Pool);
        bridge.AddPort(new PortConfig("p1", [new InterfaceConfig(p1, 1)]), 0);
        bridge.AddPort(new PortConfig("p2", [new InterfaceConfig(p2, 2)]), 0);
        p2.InjectReceive(Frames.Udp(MacAddress.Broadcast, new MacAddress(0x5054_0000_0002UL)));
        datapath.Run(0);
        long nowMs = 3000;
        datapath.Run(nowMs);

        var transcript = new StringBuilder();
        void Record(string command, bool ok, string reply)
        {
            transcript.Append("### ovs-appctl ").Append(command).Append('\n');
            // ovs-appctl prints an error reply followed by a newline when it lacks one.
            transcript.Append(reply);
            if (!ok && !reply.EndsWith('\n'))
            {
                transcript.Append('\n');
            }
            transcript.Append("rc=").Append(ok ? 0 : 2).Append('\n');
        }
        void Add(string br, string port, string vlan, string mac)
        {
            string command = $"fdb/add {br} {port} {vlan} {mac}";
            if (!datapath.TryGetBridge(br, out Bridge target))
            {
                Record(command, false, "no such bridge");
                return;
            }
            bool ok = target.FdbAdd(port, vlan, mac, out string reply);
            Record(command, ok, reply);
        }
        void Del(string vlan, string mac)
        {
            bool ok = bridge.FdbDel(vlan, mac, out string reply);
            Record($"fdb/del br0 {vlan} {mac}", ok, reply);
        }

        Add("br0", "p1", "0", "50:54:00:00:00:09");
        Add("br0", "p2", "0", "50:54:00:00:00:09");
        Add("br0", "p1", "0", "50:54:00:00:00:02");
        Add("br0", "p1", "10", "50:54:00:00:00:0a");
        Add("br0", "p1", "0", "zz:54:00:00:00:0a");
        Add("br0", "nosuch", "0", "50:54:00:00:00:0b");
        Add("nobr", "p1", "0", "50:54:00:00:00:0b");
        Record("fdb/show br0", true, bridge.FormatFdbShow(nowMs));
        Record("fdb/stats-show br0", true, bridge.FormatFdbStatsShow());
        bridge.FlushFdb();
        Record("fdb/flush br0", true, "table successfully flushed\n");
        Record("fdb/show br0", true, bridge.FormatFdbShow(nowMs));
        Del("0", "50:54:00:00:00:09");
        Del("0", "50:54:00:00:00:09");
        Del("0", "bad");
        Record("fdb/show br0", true, bridge.FormatFdbShow(nowMs));

        string golden = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "ovs31-fdb-static.txt"));
        Assert.Equal(golden, transcript.ToString());
    }

    [Fact]
    public void Static_entries_never_age_never_move_and_go_with_their_port()
    {
        var t = new Topology();
        t.AddPort("p1");
        t.AddPort("p2");
        Assert.True(t.Bridge.FdbAdd("p1", "0", "50:54:00:00:00:07", out _));
        t.Advance(3_600_000);
        t.Send("p2", Frames.Udp(MacAddress.Broadcast, Frames.Mac(7)));
        FdbEntry entry = Assert.Single(t.Bridge.GetFdbEntries(t.NowMs), e => e.IsStatic);
        Assert.Equal("p1", entry.Port.Name);
        t.DrainAll();

        t.Send("p2", Frames.Udp(Frames.Mac(7), Frames.Mac(8)));
        Assert.Single(t.Received("p1"));

        t.Bridge.RemovePort("p1", t.NowMs);
        Assert.DoesNotContain(t.Bridge.GetFdbEntries(t.NowMs), e => e.IsStatic);
        Assert.Contains("Current static MAC entries in the table : 0\n", t.Bridge.FormatFdbStatsShow());
    }
}
