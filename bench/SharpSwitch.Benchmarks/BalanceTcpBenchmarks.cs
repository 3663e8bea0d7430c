// SharpSwitch: an Open vSwitch-compatible virtual switch.
using BenchmarkDotNet.Attributes;
using SharpSwitch.Bonding;
using SharpSwitch.Datapath;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Benchmarks;

/// <summary>
/// 64-byte frames of 10,000 UDP flows from a plain port to a MAC learned behind a 4-member balance-tcp bond whose LACP
/// is negotiated, one batch of 32 per invocation (time reported per packet). Every frame is parsed, hashed into one of
/// the 256 buckets (OVS's L4 hash), sent on the bucket's member and counted into the bucket's load.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PacketRateConfig))]
public class BalanceTcpBenchmarks
{
    private const int FrameBytes = 60;
    private const int FlowCount = 10_000;
    private const int Members = 4;

    private Datapath.Datapath _datapath = null!;
    private DummyNetDev _input = null!;
    private byte[][] _frames = null!;
    private int _next;
    private long _nowMs;

    /// <summary>The bond under test, for checks after a run.</summary>
    internal Bond Bond { get; private set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The partner switch shares the pool: a cable hands the sender's buffers to the receiver.
        var pool = new PacketPool(1024);
        _datapath = new Datapath.Datapath(pool, "dp");
        var partner = new Datapath.Datapath(pool, "tor");
        Bridge bridge = _datapath.AddBridge("br0");
        Bridge tor = partner.AddBridge("tor0");
        _input = new DummyNetDev("p1", new MacAddress(0xAA55_AA55_0001UL), pool, 256);
        bridge.AddPort(PortConfig.Plain(_input), 0);

        var ours = new List<InterfaceConfig>();
        var theirs = new List<InterfaceConfig>();
        var cables = new List<Cable>();
        for (int i = 1; i <= Members; i++)
        {
            var member = new DummyNetDev($"b{i}", new MacAddress(0xAA55_AA55_0010UL + (uint)i), pool, 256);
            var peer = new DummyNetDev($"t{i}", new MacAddress(0xAA55_BB55_0010UL + (uint)i), pool, 256);
            cables.Add(Cable.Connect(member, peer));
            ours.Add(new InterfaceConfig(member));
            theirs.Add(new InterfaceConfig(peer));
        }
        var settings = new BondSettings { Mode = BondMode.BalanceTcp, Lacp = LacpMode.Active, LacpFastTime = true };
        BridgePort bondPort = bridge.AddPort(new PortConfig("bond0", ours) { Bond = settings }, 0);
        tor.AddPort(new PortConfig("po1", theirs) { Bond = settings }, 0);
        for (_nowMs = 0; _nowMs <= 5000 && bondPort.Bond!.LacpStatus != LacpStatus.Negotiated; _nowMs += 50)
        {
            _datapath.Run(_nowMs);
            partner.Run(_nowMs);
        }
        for (int i = 0; i < 10; i++, _nowMs += 50)
        {
            _datapath.Run(_nowMs);
            partner.Run(_nowMs);
        }
        Bond = bondPort.Bond!;
        if (Bond.LacpStatus != LacpStatus.Negotiated || Bond.Members.Any(m => !m.Enabled))
        {
            throw new InvalidOperationException("LACP did not negotiate on all four members");
        }

        // The partner is no longer needed: time stands still from here, so no LACP timer runs out, and the members,
        // now lone dummies with carrier, drop what they send instead of filling the partner's queues.
        foreach (Cable cable in cables)
        {
            cable.Disconnect();
        }
        _datapath.Run(_nowMs);

        var server = new MacAddress(0x0200_0000_00B0UL);
        var client = new MacAddress(0x0200_0000_00A0UL);
        ((DummyNetDev)bondPort.InterfaceArray[0].Device).InjectReceive(Frame(MacAddress.Broadcast, server, 0, 0));
        _datapath.Run(_nowMs);
        if (bridge.LearnedMacCount != 1)
        {
            throw new InvalidOperationException("the server MAC was not learned behind the bond");
        }
        _frames = new byte[FlowCount][];
        for (int f = 0; f < FlowCount; f++)
        {
            _frames[f] = Frame(server, client, 0x0A00_0000u + (uint)(f / 100), (ushort)(10_000 + (f % 100)));
        }
    }

    /// <summary>One batch of 32 frames, the next 32 of the 10,000 flows.</summary>
    [Benchmark(OperationsPerInvoke = PacketBatch.MaxSize)]
    public void ForwardTenThousandFlowsThroughFourMemberBalanceTcpBond()
    {
        byte[][] frames = _frames;
        int next = _next;
        for (int i = 0; i < PacketBatch.MaxSize; i++)
        {
            _input.InjectReceive(frames[next]);
            next = next + 1 == frames.Length ? 0 : next + 1;
        }
        _next = next;
        _datapath.Run(_nowMs);
    }

    private static byte[] Frame(MacAddress destination, MacAddress source, uint sourceIp, ushort sourcePort)
    {
        var frame = new byte[FrameBytes];
        var addressing = new EthernetAddressing(destination, source, null);
        FrameBuilder.WriteUdpFrame(frame, addressing, sourceIp, 0x0A00_FF01, sourcePort, 4789, new byte[FrameBytes - 42]);
        return frame;
    }

    /// <summary>The benchmark methods by name, for <see cref="PacketRateProbe"/>.</summary>
    internal IEnumerable<(string Name, Action Burst)> Cases()
    {
        yield return (nameof(ForwardTenThousandFlowsThroughFourMemberBalanceTcpBond), ForwardTenThousandFlowsThroughFourMemberBalanceTcpBond);
    }
}
