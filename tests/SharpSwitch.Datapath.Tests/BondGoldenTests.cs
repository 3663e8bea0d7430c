// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using SharpSwitch.Bonding;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath.Tests;

/// <summary>Replays Golden/capture-ovs31-bond.sh and compares the active member's transmissions with OVS 3.1's.</summary>
public sealed class BondGoldenTests
{
    /// <summary>The size of the frames OVS's netdev-dummy/receive built from the flows in the capture script.</summary>
    private const int OvsUntaggedUdpBytes = 106;

    private static MacAddress Host(int last) => new(0x5054_0000_0000UL | (uint)last);

    [Fact]
    public void Disabling_the_backup_sends_learning_packets_on_the_active_member_as_ovs_3_1_does()
    {
        var datapath = new Datapath(new PacketPool(32), nameDerivedPortNumbers: true);
        Bridge bridge = datapath.AddBridge("br0");
        DummyNetDev Make(string name, int index) => new(name, new MacAddress(0xAA55_AA55_0000UL | (uint)index), datapath.Pool);
        DummyNetDev p1 = Make("p1", 1);
        DummyNetDev p2 = Make("p2", 2);
        DummyNetDev b1 = Make("b1", 0x11);
        DummyNetDev b2 = Make("b2", 0x12);
        bridge.AddPort(new PortConfig("p1", [new InterfaceConfig(p1, 1)]), 0);
        bridge.AddPort(new PortConfig("p2", [new InterfaceConfig(p2, 2)]) { Tag = 10 }, 0);
        BridgePort bond = bridge.AddPort(new PortConfig("bond0", [new InterfaceConfig(b1, 5), new InterfaceConfig(b2, 6)]) { Bond = new BondSettings { Mode = BondMode.ActiveBackup } }, 0);
        datapath.Run(0);
        // OVS picked b2 by hash order; SharpSwitch picks deterministically by name, so the roles are mirrored.
        Assert.Equal("b1", bond.Bond!.ActiveMember!.Name);
        (DummyNetDev active, DummyNetDev backup) = (b1, b2);
        var transmitted = new List<string>();
        active.FrameSink = new TransmitLog(transmitted);

        foreach ((DummyNetDev device, int host) in new[] { (p1, 1), (p2, 2), (backup, 5), (active, 6) })
        {
            device.InjectReceive(Frames.Udp(MacAddress.Broadcast, Host(host)));
            datapath.Run(0);
        }
        backup.SetAdminState(false);
        datapath.Run(1);

        string[] expected = [.. File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Golden", "ovs31-bond-active-member-tx.txt"))
            .Where(line => line.Length > 0)
            .Select(Normalize)];
        Assert.Equal(expected, transmitted);
        Assert.Equal(2, bridge.Statistics.LearningPacketsSent);
    }

    /// <summary>Turns a golden line into "source destination type size VID", with UDP sizes made relative to the untagged frame.</summary>
    private static string Normalize(string line)
    {
        string[] f = line.Split('\t');
        int length = int.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture);
        bool rarp = f[2] == "0x8035" || (f[2] == "0x8100" && length < 60);
        string size = rarp ? length.ToString(System.Globalization.CultureInfo.InvariantCulture) : "+" + (length - OvsUntaggedUdpBytes);
        return $"{f[0]} {f[1]} {(rarp ? "rarp" : "udp")} {size} {f[4]}";
    }

    private sealed class TransmitLog(List<string> log) : IFrameSink
    {
        public void OnFrame(INetDev device, FrameDirection direction, ReadOnlySpan<byte> frame)
        {
            if (direction != FrameDirection.Transmitted)
            {
                return;
            }
            byte[] copy = frame.ToArray();
            ushort? tci = Frames.Tci(copy);
            int typeOffset = tci is null ? 12 : 16;
            bool rarp = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(typeOffset)) == 0x8035;
            int untagged = copy.Length - (tci is null ? 0 : 4);
            string size = rarp ? copy.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) : "+" + (copy.Length - untagged);
            log.Add($"{Frames.Source(copy)} {Frames.Destination(copy)} {(rarp ? "rarp" : "udp")} {size} {(tci is ushort v ? (v & 0xFFF).ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}");
        }
    }
}
