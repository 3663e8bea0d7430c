// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath.Tests;

public sealed class RobustnessTests
{
    [Fact]
    public void Malformed_frames_are_counted_as_rx_errors_and_dropped()
    {
        var t = new Topology();
        t.AddPort("p1");
        t.AddPort("p2");
        DummyNetDev input = t.SwitchSide("p1");
        byte[] good = Frames.Udp(MacAddress.Broadcast, Frames.Mac(1));
        byte[][] malformed =
        [
            [],
            good[..13],
            Frames.Udp(MacAddress.Broadcast, Frames.Mac(1), vlanTci: 10)[..15],
            good[..20],
            good[..(14 + 20 + 4)],
        ];
        foreach (byte[] frame in malformed)
        {
            Assert.True(input.InjectReceive(frame));
        }
        t.Run();

        Assert.Empty(t.Received("p2"));
        Assert.Equal(malformed.Length, input.Statistics.RxErrors);
        Assert.Equal(malformed.Length, input.Statistics.RxPackets);
        Assert.Equal(malformed.Length, t.Bridge.Statistics.Malformed);
        Assert.Equal(0, t.Bridge.LearnedMacCount);

        t.Send("p1", good);
        Assert.Single(t.Received("p2"));
    }

    [Fact]
    public void Random_bytes_on_every_port_never_throw_and_never_leak_buffers()
    {
        var t = new Topology(queueCapacity: 256);
        t.AddPort("p1");
        t.AddPort("p2", tag: 10);
        t.AddPort("p3", trunks: [10, 20]);
        t.AddBond("bond0", ["b1", "b2"], new BondSettings { Mode = BondMode.BalanceSlb });
        string[] inputs = ["p1", "p2", "p3", "b1", "b2"];
        var random = new Random(20261126);
        long injected = 0;
        for (int round = 0; round < 400; round++)
        {
            for (int i = 0; i < 25; i++)
            {
                byte[] frame = RandomFrame(random);
                if (t.SwitchSide(inputs[random.Next(inputs.Length)]).InjectReceive(frame))
                {
                    injected++;
                }
            }
            t.Advance(random.Next(0, 2000));
            t.DrainAll();
        }

        Assert.Equal(injected, t.Bridge.Statistics.Processed);
        t.Bridge.LocalDevice.HostSide!.ReceiveAllFrames();
        Assert.Equal(0, t.Datapath.Pool.InUseCount);
    }

    [Fact]
    public void Forwarding_to_a_learned_port_through_a_bond_allocates_nothing_per_packet()
    {
        var t = new Topology(queueCapacity: 256);
        t.AddPort("p1");
        t.AddBond("bond0", ["b1", "b2"], new BondSettings { Mode = BondMode.ActiveBackup });
        t.Run();
        t.Send("b1", Frames.Udp(MacAddress.Broadcast, Frames.Mac(2)));
        byte[] frame = Frames.Udp(Frames.Mac(2), Frames.Mac(1));
        DummyNetDev input = t.SwitchSide("p1");
        DummyNetDev output = t.Host("b1");
        var drain = new PacketBatch();

        void Burst(int bursts)
        {
            for (int b = 0; b < bursts; b++)
            {
                for (int i = 0; i < PacketBatch.MaxSize; i++)
                {
                    input.InjectReceive(frame);
                }
                t.Datapath.Run(t.NowMs);
                while (output.Receive(drain) > 0)
                {
                    drain.ReturnAll();
                }
            }
        }

        Burst(100);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Burst(1000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(1 + (1100L * PacketBatch.MaxSize), t.Bridge.Statistics.Processed);
        Assert.Equal(1100L * PacketBatch.MaxSize, t.SwitchSide("b1").Statistics.TxPackets);
    }

    [Fact]
    public void Flooding_allocates_nothing_per_packet_once_the_pool_is_warm()
    {
        var t = new Topology(queueCapacity: 256);
        t.AddPort("p1");
        t.AddPort("p2", tag: 5);
        t.AddPort("p3");
        t.AddBond("bond0", ["b1", "b2"]);
        t.Run();
        byte[] frame = Frames.Udp(MacAddress.Broadcast, Frames.Mac(1), vlanTci: 5);
        DummyNetDev input = t.SwitchSide("p3");
        var drain = new PacketBatch();
        DummyNetDev[] hosts = [t.Host("p1"), t.Host("p2"), t.Host("b1"), t.Host("b2"), t.Bridge.LocalDevice.HostSide!];

        void Burst(int bursts)
        {
            for (int b = 0; b < bursts; b++)
            {
                for (int i = 0; i < PacketBatch.MaxSize; i++)
                {
                    input.InjectReceive(frame);
                }
                t.Datapath.Run(t.NowMs);
                foreach (DummyNetDev host in hosts)
                {
                    while (host.Receive(drain) > 0)
                    {
                        drain.ReturnAll();
                    }
                }
            }
        }

        Burst(50);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Burst(500);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(550L * PacketBatch.MaxSize, t.SwitchSide("p2").Statistics.TxPackets);
    }

    private static byte[] RandomFrame(Random random)
    {
        int kind = random.Next(4);
        byte[] frame;
        if (kind == 0)
        {
            frame = new byte[random.Next(0, 80)];
            random.NextBytes(frame);
            return frame;
        }
        ushort? tci = kind == 1 ? (ushort)random.Next(0, 4096) : kind == 2 ? (ushort)random.Next(0, 30) : null;
        var src = new MacAddress((ulong)random.NextInt64() & 0xFEFF_FFFF_FFFFUL);
        MacAddress dst = random.Next(3) == 0 ? MacAddress.Broadcast : Frames.Mac(random.Next(1, 40));
        frame = Frames.Udp(dst, src, tci, random.Next(0, 60));
        // Truncate or corrupt some of the otherwise valid frames.
        if (random.Next(4) == 0)
        {
            frame = frame[..random.Next(0, frame.Length)];
        }
        else if (random.Next(4) == 0)
        {
            frame[random.Next(12, frame.Length)] ^= (byte)random.Next(1, 256);
        }
        return frame;
    }
}
