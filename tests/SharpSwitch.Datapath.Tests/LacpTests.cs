// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath.Tests;

/// <summary>Two SharpSwitch bridges whose LACP bonds are cabled by two dummy links, under virtual time.</summary>
public sealed class LacpTests
{
    private sealed class Pair
    {
        public Pair(LacpMode modeA = LacpMode.Active, LacpMode modeB = LacpMode.Active)
        {
            // One pool for both switches: a cable hands the sender's buffers to the receiver.
            var pool = new PacketPool(256);
            DatapathA = new Datapath(pool, "dpA");
            DatapathB = new Datapath(pool, "dpB");
            BridgeA = DatapathA.AddBridge("brA", localMac: MacAddress.Parse("82:31:d7:10:7c:49"));
            BridgeB = DatapathB.AddBridge("brB", localMac: MacAddress.Parse("66:6b:b7:42:5a:42"));
            var a1 = new DummyNetDev("va1", new MacAddress(0x0200_0000_0a01UL), DatapathA.Pool);
            var a2 = new DummyNetDev("va2", new MacAddress(0x0200_0000_0a02UL), DatapathA.Pool);
            var b1 = new DummyNetDev("vb1", new MacAddress(0x0200_0000_0b01UL), DatapathB.Pool);
            var b2 = new DummyNetDev("vb2", new MacAddress(0x0200_0000_0b02UL), DatapathB.Pool);
            Cable1 = Cable.Connect(a1, b1);
            Cable2 = Cable.Connect(a2, b2);
            BondA = BridgeA.AddPort(new PortConfig("bondA", [new InterfaceConfig(a1), new InterfaceConfig(a2)])
            {
                Bond = new BondSettings { Mode = BondMode.BalanceTcp, Lacp = modeA, LacpFastTime = true },
                LacpEventSink = EventsA.Add,
            }, 0);
            BondB = BridgeB.AddPort(new PortConfig("bondB", [new InterfaceConfig(b1), new InterfaceConfig(b2)])
            {
                Bond = new BondSettings { Mode = BondMode.BalanceTcp, Lacp = modeB, LacpFastTime = true },
            }, 0);
        }

        public Datapath DatapathA { get; }
        public Datapath DatapathB { get; }
        public Bridge BridgeA { get; }
        public Bridge BridgeB { get; }
        public Cable Cable1 { get; }
        public Cable Cable2 { get; }
        public BridgePort BondA { get; }
        public BridgePort BondB { get; }
        public List<LacpEvent> EventsA { get; } = [];
        public long NowMs { get; private set; }

        public void RunUntil(long untilMs)
        {
            for (; NowMs <= untilMs; NowMs += 50)
            {
                DatapathA.Run(NowMs);
                DatapathB.Run(NowMs);
            }
            NowMs = untilMs;
        }
    }

    [Fact]
    public void TwoActiveBondsNegotiateAndEnableBothMembers()
    {
        var pair = new Pair();
        pair.RunUntil(5000);

        foreach (BridgePort port in new[] { pair.BondA, pair.BondB })
        {
            Lacp lacp = Assert.IsType<Lacp>(port.Lacp);
            Assert.True(lacp.Negotiated);
            Assert.Equal(LacpStatus.Negotiated, port.Bond!.LacpStatus);
            Assert.All(port.Bond.Members, m => Assert.True(m.Enabled, $"{m.Name} enabled"));
            Assert.All(lacp.Members, m => Assert.Equal(LacpMemberStatus.Current, m.Status));
        }
        Lacp a = pair.BondA.Lacp!;
        Assert.Equal(MacAddress.Parse("66:6b:b7:42:5a:42"), a.FindMember("va1")!.Partner.SystemId);
        Assert.Equal(2, a.FindMember("va2")!.Partner.PortNumber);
        Assert.Equal([a], pair.BridgeA.LacpObjects);
        Assert.Contains("  status: active negotiated\n", LacpText.RenderShow(pair.BridgeA.LacpObjects));
        Assert.True(pair.BridgeA.Statistics.SlowProtocolsConsumed > 0);
    }

    [Fact]
    public void ACutCableIsSeenOnBothSides()
    {
        var pair = new Pair();
        pair.RunUntil(5000);
        pair.Cable1.Unplug();
        pair.RunUntil(5100);

        Assert.False(pair.BondA.Bond!.FindMember("va1")!.Enabled);
        Assert.False(pair.BondB.Bond!.FindMember("vb1")!.Enabled);
        Assert.True(pair.BondA.Bond.FindMember("va2")!.Enabled);
        Assert.True(pair.BondB.Bond.FindMember("vb2")!.Enabled);
        Assert.Equal(LacpMemberStatus.Expired, pair.BondA.Lacp!.FindMember("va1")!.Status);
        Assert.Equal(1u, pair.BondA.Lacp.FindMember("va1")!.Counters.CarrierStatusChanged);

        pair.RunUntil(12_000);
        Assert.Equal(LacpMemberStatus.Defaulted, pair.BondA.Lacp.FindMember("va1")!.Status);
        Assert.True(pair.BondA.Lacp.Negotiated);
        Assert.True(pair.BondB.Lacp!.Negotiated);

        pair.Cable1.Plug();
        pair.RunUntil(20_000);
        Assert.True(pair.BondA.Bond.FindMember("va1")!.Enabled);
        Assert.True(pair.BondB.Bond.FindMember("vb1")!.Enabled);
    }

    [Fact]
    public void TheBridgeWakesForLacpTimers()
    {
        var pair = new Pair();
        pair.RunUntil(5000);
        long wake = pair.BridgeA.NextWakeMs;
        Assert.InRange(wake, 5001, 6000);   // the next fast PDU towards a partner that asked for fast
    }

    [Fact]
    public void MembersAddedAndRemovedByReconfigurationFollowTheEngine()
    {
        var pair = new Pair();
        pair.RunUntil(3000);
        var a3 = new DummyNetDev("va3", new MacAddress(0x0200_0000_0a03UL), pair.DatapathA.Pool);
        var b3 = new DummyNetDev("vb3", new MacAddress(0x0200_0000_0b03UL), pair.DatapathB.Pool);
        Cable.Connect(a3, b3);
        PortConfig configA = pair.BondA.Config;
        PortConfig configB = pair.BondB.Config;
        pair.BridgeA.ReconfigurePort(configA with { Interfaces = [.. configA.Interfaces, new InterfaceConfig(a3)] }, pair.NowMs);
        pair.BridgeB.ReconfigurePort(configB with { Interfaces = [.. configB.Interfaces, new InterfaceConfig(b3)] }, pair.NowMs);
        pair.RunUntil(10_000);
        Assert.Equal(3, pair.BondA.Lacp!.Members.Count);
        Assert.True(pair.BondA.Lacp.MayEnable("va3"));
        Assert.True(pair.BondA.Bond!.FindMember("va3")!.Enabled);

        pair.BridgeA.ReconfigurePort(configA, pair.NowMs);
        pair.RunUntil(20_000);
        Assert.Equal(2, pair.BondA.Lacp.Members.Count);
        Assert.Equal(LacpMemberStatus.Defaulted, pair.BondB.Lacp!.FindMember("vb3")!.Status);
        Assert.True(pair.BondB.Lacp.Negotiated);

        pair.BridgeA.ReconfigurePort(configA with { Bond = configA.Bond! with { Lacp = LacpMode.Off } }, pair.NowMs);
        pair.RunUntil(21_000);
        Assert.Null(pair.BondA.Lacp);
        Assert.Equal(LacpStatus.Off, pair.BondA.Bond.LacpStatus);
    }

    [Fact]
    public void InterfaceOtherConfigSetsPortIdPriorityAndKey()
    {
        var pair = new Pair();
        pair.RunUntil(3000);
        PortConfig config = pair.BondA.Config;
        var first = config.Interfaces[0] with
        {
            OtherConfig = new Dictionary<string, string> { ["lacp-port-id"] = "11", ["lacp-port-priority"] = "22", ["lacp-aggregation-key"] = "33" },
        };
        pair.BridgeA.ReconfigurePort(config with { Interfaces = [first, config.Interfaces[1]] }, pair.NowMs);
        pair.RunUntil(10_000);
        Lacp a = pair.BondA.Lacp!;
        Assert.Equal(new LacpMemberSettings { PortId = 11, PortPriority = 22, Key = 33 }, a.FindMember("va1")!.Settings);
        Assert.Equal((ushort)33, a.AggregationKey);
        Assert.Equal(11, pair.BondB.Lacp!.FindMember("vb1")!.Partner.PortNumber);
        Assert.Equal(33, pair.BondB.Lacp.FindMember("vb2")!.Partner.Key);
        Assert.True(a.Negotiated && pair.BondB.Lacp.Negotiated);
        Assert.True(a.MayEnable("va1") && a.MayEnable("va2"));
    }

    [Fact]
    public void PassiveBondsNeverNegotiate()
    {
        var pair = new Pair(LacpMode.Passive, LacpMode.Passive);
        pair.RunUntil(10_000);
        Assert.False(pair.BondA.Lacp!.Negotiated);
        Assert.Equal(LacpStatus.Configured, pair.BondA.Bond!.LacpStatus);
        Assert.All(pair.BondA.Lacp.Members, m => Assert.Equal(0u, m.Counters.TxPdus));
    }
}
