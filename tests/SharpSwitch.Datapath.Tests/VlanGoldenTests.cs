// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath.Tests;

/// <summary>Replays Golden/capture-ovs31-vlan.sh and compares every transmitted frame's tag with what OVS 3.1 sent.</summary>
public sealed class VlanGoldenTests
{
    /// <summary>The size of the frames OVS's netdev-dummy/receive built from the flows in the capture script.</summary>
    private const int OvsUntaggedFrameBytes = 106;

    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name));

    private static MacAddress Host(int last) => new(0x5054_0000_0000UL | (uint)last);

    [Fact]
    public void Every_vlan_mode_tags_untags_and_filters_exactly_as_ovs_3_1()
    {
        var datapath = new Datapath(new PacketPool(32), nameDerivedPortNumbers: true);
        Bridge bridge = datapath.AddBridge("br0");
        var ports = new Dictionary<string, DummyNetDev>();
        PortConfig[] configs =
        [
            new("p1", []) { Tag = 10 },
            new("p2", []),
            new("p3", []) { Tag = 10, Trunks = [20], VlanMode = PortVlanMode.NativeUntagged },
            new("p4", []) { Tag = 0 },
            new("p5", []) { Tag = 10, VlanMode = PortVlanMode.NativeTagged },
            new("p6", []) { Trunks = [10] },
        ];
        for (int i = 0; i < configs.Length; i++)
        {
            var device = new DummyNetDev(configs[i].Name, Frames.Mac(100 + i), datapath.Pool);
            ports[configs[i].Name] = device;
            bridge.AddPort(configs[i] with { Interfaces = [new InterfaceConfig(device, i + 1)] }, 0);
        }
        var sent = new Dictionary<string, List<string>>();
        foreach ((string name, DummyNetDev device) in ports)
        {
            var log = new List<string>();
            sent[name] = log;
            device.FrameSink = new TagLog(log);
        }

        (string Port, byte[] Frame)[] injected =
        [
            ("p1", Frames.Udp(MacAddress.Broadcast, Host(1))),
            ("p4", Frames.Udp(MacAddress.Broadcast, Host(4), vlanTci: 0x6000)),
            ("p2", Frames.Udp(MacAddress.Broadcast, Host(2), vlanTci: 0xA000 | 20)),
            ("p2", Frames.Udp(MacAddress.Broadcast, Host(0x22))),
            ("p6", Frames.Udp(MacAddress.Broadcast, Host(6))),
            ("p5", Frames.Udp(MacAddress.Broadcast, Host(5))),
            ("p3", Frames.Udp(MacAddress.Broadcast, Host(3), vlanTci: 10)),
        ];
        foreach ((string port, byte[] frame) in injected)
        {
            Assert.True(ports[port].InjectReceive(frame));
            datapath.Run(0);
        }

        var expected = new Dictionary<string, List<string>>();
        foreach (string name in ports.Keys)
        {
            expected[name] = [];
        }
        foreach (string line in Golden("ovs31-vlan-matrix.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] fields = line.Split([' ', '\t']);
            int tagBytes = int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture) - OvsUntaggedFrameBytes;
            string tag = fields[3].Length == 0 ? "untagged" : $"vid {fields[3]} pcp {fields[4]}";
            expected[fields[0]].Add($"{fields[1]} +{tagBytes} {tag}");
        }
        Assert.Equal(expected, sent);
        Assert.Equal(Golden("ovs31-vlan-fdb-show.txt"), bridge.FormatFdbShow(1000));
    }

    /// <summary>Records each transmitted frame as "source +extra-bytes tag", the shape of the golden lines.</summary>
    private sealed class TagLog(List<string> log) : IFrameSink
    {
        public void OnFrame(INetDev device, FrameDirection direction, ReadOnlySpan<byte> frame)
        {
            if (direction != FrameDirection.Transmitted)
            {
                return;
            }
            byte[] copy = frame.ToArray();
            ushort? tci = Frames.Tci(copy);
            string tag = tci is ushort value ? $"vid {value & 0xFFF} pcp {value >> 13}" : "untagged";
            log.Add($"{Frames.Source(copy)} +{copy.Length - 60} {tag}");
        }
    }
}
