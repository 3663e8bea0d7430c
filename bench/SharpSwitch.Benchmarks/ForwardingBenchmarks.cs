// SharpSwitch: an Open vSwitch-compatible virtual switch.
using BenchmarkDotNet.Attributes;
using SharpSwitch.Bonding;
using SharpSwitch.Datapath;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Benchmarks;

/// <summary>
/// Forwarding through a bridge, one batch of 32 64-byte frames (60 bytes plus the FCS a wire would add) per
/// invocation, so the reported time is per packet. Every invocation does what a poll-mode datapath does: the frames
/// arrive in a dummy's receive queue (copied into pooled buffers, as a NIC would DMA them), and one
/// <see cref="Datapath.Datapath.Run"/> polls every port, runs the bond, parses, learns, looks up, fixes VLAN tags and sends.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PacketRateConfig))]
public class ForwardingBenchmarks
{
    private const int FrameBytes = 60;

    /// <summary>Virtual time stands still: learned entries must not age out between millions of invocations.</summary>
    private const long NowMs = 0;

    private Datapath.Datapath _datapath = null!;
    private DummyNetDev _plainInput = null!;
    private DummyNetDev _vlanInput = null!;
    private byte[] _toBond = null!;
    private byte[] _toPlain = null!;
    private byte[] _broadcast = null!;

    [GlobalSetup]
    public void Setup()
    {
        _datapath = new Datapath.Datapath(new PacketPool(512));
        Bridge bridge = _datapath.AddBridge("br0");
        PacketPool pool = _datapath.Pool;
        _plainInput = new DummyNetDev("p1", new MacAddress(0xAA55_AA55_0001UL), pool, 256);
        var plainOutput = new DummyNetDev("p2", new MacAddress(0xAA55_AA55_0002UL), pool, 256);
        _vlanInput = new DummyNetDev("p3", new MacAddress(0xAA55_AA55_0003UL), pool, 256);
        var memberA = new DummyNetDev("b1", new MacAddress(0xAA55_AA55_0011UL), pool, 256);
        var memberB = new DummyNetDev("b2", new MacAddress(0xAA55_AA55_0012UL), pool, 256);
        bridge.AddPort(PortConfig.Plain(_plainInput), 0);
        bridge.AddPort(PortConfig.Plain(plainOutput), 0);
        bridge.AddPort(new PortConfig("p3", [new InterfaceConfig(_vlanInput)]) { Tag = 10 }, 0);
        bridge.AddPort(new PortConfig("bond0", [new InterfaceConfig(memberA), new InterfaceConfig(memberB)]) { Bond = new BondSettings { Mode = BondMode.ActiveBackup } }, 0);
        _datapath.Run(0);

        var behindBond = new MacAddress(0x0200_0000_00B0UL);
        var behindPlain = new MacAddress(0x0200_0000_00C0UL);
        var sender = new MacAddress(0x0200_0000_00A0UL);
        memberA.InjectReceive(Frame(MacAddress.Broadcast, behindBond));
        memberA.InjectReceive(Frame(MacAddress.Broadcast, behindBond, vlanTci: 10));
        plainOutput.InjectReceive(Frame(MacAddress.Broadcast, behindPlain));
        _datapath.Run(0);
        _toBond = Frame(behindBond, sender);
        _toPlain = Frame(behindPlain, sender);
        _broadcast = Frame(MacAddress.Broadcast, sender);
        if (bridge.LearnedMacCount != 3 || bridge.Ports[4].Bond!.ActiveMember is null)
        {
            throw new InvalidOperationException("benchmark topology did not come up");
        }
    }

    /// <summary>Unicast to a MAC learned behind an active-backup bond: the headline figure.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = PacketBatch.MaxSize)]
    public void ForwardToLearnedMacBehindActiveBackupBond()
    {
        Burst(_plainInput, _toBond);
    }

    /// <summary>Unicast between two plain ports.</summary>
    [Benchmark(OperationsPerInvoke = PacketBatch.MaxSize)]
    public void ForwardToLearnedMacOnPlainPort()
    {
        Burst(_plainInput, _toPlain);
    }

    /// <summary>Unicast from an access port (tag 10) to a MAC learned in VLAN 10 behind the bond: the tag is pushed in place.</summary>
    [Benchmark(OperationsPerInvoke = PacketBatch.MaxSize)]
    public void ForwardFromAccessPortPushingVlanTag()
    {
        Burst(_vlanInput, _toBond);
    }

    /// <summary>Broadcast from a plain port: copies to the other plain port, the bond and the local port.</summary>
    [Benchmark(OperationsPerInvoke = PacketBatch.MaxSize)]
    public void FloodBroadcastToThreePorts()
    {
        Burst(_plainInput, _broadcast);
    }

    private void Burst(DummyNetDev input, byte[] frame)
    {
        for (int i = 0; i < PacketBatch.MaxSize; i++)
        {
            input.InjectReceive(frame);
        }
        _datapath.Run(NowMs);
    }

    private static byte[] Frame(MacAddress destination, MacAddress source, ushort? vlanTci = null)
    {
        var frame = new byte[FrameBytes + (vlanTci is null ? 0 : 4)];
        var addressing = new EthernetAddressing(destination, source, vlanTci);
        FrameBuilder.WriteUdpFrame(frame, addressing, 0x0A000001, 0x0A000002, 1000, 2000, new byte[FrameBytes - 42]);
        return frame;
    }

    /// <summary>The benchmark methods by name, for <see cref="PacketRateProbe"/>.</summary>
    internal IEnumerable<(string Name, Action Burst)> Cases()
    {
        yield return (nameof(ForwardToLearnedMacBehindActiveBackupBond), ForwardToLearnedMacBehindActiveBackupBond);
        yield return (nameof(ForwardToLearnedMacOnPlainPort), ForwardToLearnedMacOnPlainPort);
        yield return (nameof(ForwardFromAccessPortPushingVlanTag), ForwardFromAccessPortPushingVlanTag);
        yield return (nameof(FloodBroadcastToThreePorts), FloodBroadcastToThreePorts);
    }
}
