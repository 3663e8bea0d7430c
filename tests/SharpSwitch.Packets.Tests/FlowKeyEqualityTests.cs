// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets.Tests;

public sealed class FlowKeyEqualityTests
{
    private static FlowKey Key(byte[] frame)
    {
        Assert.True(FlowKey.TryExtract(frame, out FlowKey key));
        return key;
    }

    [Fact]
    public void Keys_of_the_same_frame_are_equal_with_equal_hashes()
    {
        FlowKey a = Key(Goldens.UdpVlan10);
        FlowKey b = Key((byte[])Goldens.UdpVlan10.Clone());
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Every_field_takes_part_in_equality()
    {
        FlowKey baseline = Key(Goldens.UdpVlan10);
        var changes = new List<Func<FlowKey, FlowKey>>
        {
            k => k with { EthDst = Goldens.HostA },
            k => k with { EthSrc = Goldens.HostB },
            k => k with { VlanTagCount = 2 },
            k => k with { OuterTci = 11 },
            k => k with { InnerTci = 1 },
            k => k with { OuterTpid = EtherType.ServiceVlan },
            k => k with { InnerTpid = EtherType.Vlan },
            k => k with { EthType = EtherType.Ipv6 },
            k => k with { L3Offset = 14 },
            k => k with { L4Offset = 1 },
            k => k with { Ipv4Src = 1 },
            k => k with { Ipv4Dst = 1 },
            k => k with { Ipv6Src = 1 },
            k => k with { Ipv6Dst = 1 },
            k => k with { IpProto = 6 },
            k => k with { IpFragment = IpFragment.Any },
            k => k with { L4Src = 1 },
            k => k with { L4Dst = 1 },
            k => k with { ArpSha = Goldens.HostA },
            k => k with { ArpTha = Goldens.HostA },
            k => k with { ParseStatus = FrameParseStatus.TruncatedL4 },
        };
        Assert.Equal(21, changes.Count);
        foreach (Func<FlowKey, FlowKey> change in changes)
        {
            FlowKey changed = change(baseline);
            Assert.False(changed == baseline, changed.ToString());
            Assert.False(changed.Equals(baseline));
        }
    }

    [Fact]
    public void Keys_work_as_dictionary_keys()
    {
        var counts = new Dictionary<FlowKey, int>();
        foreach (byte[] frame in new[] { Goldens.TcpSyn, Goldens.Udp6, Goldens.TcpSyn, Goldens.ArpRequest, Goldens.TcpSyn })
        {
            FlowKey key = Key(frame);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        Assert.Equal(3, counts.Count);
        Assert.Equal(3, counts[Key(Goldens.TcpSyn)]);
    }
}
