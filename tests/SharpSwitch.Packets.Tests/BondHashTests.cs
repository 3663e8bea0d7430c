// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets.Tests;

public sealed class BondHashTests
{
    /// <summary>The 12 vectors of bonding-spec.md §C.8, checked there against <c>ovs-appctl bond/hash</c> on OVS 3.1.</summary>
    [Theory]
    [InlineData("02:00:00:00:00:01", 0, 0u, 38)]
    [InlineData("02:00:00:00:00:02", 0, 0u, 235)]
    [InlineData("02:00:00:00:00:03", 0, 0u, 230)]
    [InlineData("02:00:00:00:00:04", 0, 0u, 9)]
    [InlineData("02:00:00:00:00:05", 0, 0u, 205)]
    [InlineData("02:00:00:00:00:06", 0, 0u, 93)]
    [InlineData("02:00:00:00:00:07", 0, 0u, 141)]
    [InlineData("02:00:00:00:00:08", 0, 0u, 44)]
    [InlineData("02:00:00:00:00:01", 10, 0u, 218)]
    [InlineData("02:00:00:00:00:01", 0, 1u, 33)]
    [InlineData("ff:ff:ff:ff:ff:ff", 0, 0u, 43)]
    [InlineData("00:00:00:00:00:00", 0, 0u, 252)]
    public void Slb_bucket_matches_ovs_bond_hash(string mac, int vlan, uint basis, int bucket)
    {
        Assert.Equal(bucket, BondHash.SlbBucket(MacAddress.Parse(mac), vlan, basis));
        Assert.Equal((uint)bucket, BondHash.SlbHash(MacAddress.Parse(mac), vlan, basis) & 0xFF);
    }

    [Fact]
    public void Slb_bucket_matches_the_bond_hash_reply_in_capture_14()
    {
        // ovs-3.1-captures/14-unixctl-vswitchd.stdout: "ovs-appctl bond/hash 00:11:22:33:44:55" printed 226.
        Assert.Equal(226, BondHash.SlbBucket(MacAddress.Parse("00:11:22:33:44:55"), 0, 0));
    }

    [Fact]
    public void Tcp_hash_matches_the_dp_hash_real_ovs_computed()
    {
        // Observed with OVS 3.1's userspace datapath: action hash(l4(7)) gave dp_hash 0x17f07134 for this UDP packet.
        byte[] frame = new byte[64];
        int length = FrameBuilder.WriteUdpFrame(frame, new EthernetAddressing(MacAddress.Parse("02:00:00:00:00:aa"), Goldens.HostA),
            Goldens.IpA, Goldens.IpB, 1234, 80, "abcd"u8);
        Assert.True(FlowKey.TryExtract(frame.AsSpan(0, length), out FlowKey key));
        Assert.Equal(0x17f07134u, BondHash.TcpHash(key, 7));
        Assert.Equal(0x34, BondHash.TcpBucket(key, 7));
    }

    [Fact]
    public void Five_tuple_hash_of_non_ip_frames_depends_only_on_the_basis()
    {
        Assert.True(FlowKey.TryExtract(Goldens.CapturedLacpFrame, out FlowKey lacp));
        Assert.True(FlowKey.TryExtract(Goldens.LearningPacket, out FlowKey rarp));
        Assert.Equal(BondHash.FiveTupleHash(lacp, 5), BondHash.FiveTupleHash(rarp, 5));
        Assert.Equal(MurmurHash.Finish(5, 42), BondHash.FiveTupleHash(lacp, 5));
        Assert.NotEqual(BondHash.FiveTupleHash(lacp, 5), BondHash.FiveTupleHash(lacp, 6));
    }

    [Fact]
    public void Five_tuple_hash_uses_addresses_protocol_and_ports_but_not_macs_or_vlans()
    {
        Assert.True(FlowKey.TryExtract(Goldens.TcpSyn, out FlowKey key));
        uint baseline = BondHash.FiveTupleHash(key, 0);
        FlowKey otherMac = key;
        otherMac.EthSrc = Goldens.HostB;
        otherMac.OuterTci = 7;
        otherMac.VlanTagCount = 1;
        Assert.Equal(baseline, BondHash.FiveTupleHash(otherMac, 0));
        FlowKey otherPort = key;
        otherPort.L4Src++;
        Assert.NotEqual(baseline, BondHash.FiveTupleHash(otherPort, 0));
        FlowKey otherIp = key;
        otherIp.Ipv4Dst++;
        Assert.NotEqual(baseline, BondHash.FiveTupleHash(otherIp, 0));
        FlowKey otherProtocol = key;
        otherProtocol.IpProto = IpProtocol.Udp;
        Assert.NotEqual(baseline, BondHash.FiveTupleHash(otherProtocol, 0));
    }

    [Fact]
    public void Ports_of_protocols_without_ports_are_ignored()
    {
        Assert.True(FlowKey.TryExtract(Goldens.TcpSyn, out FlowKey key));
        key.IpProto = 47; // GRE
        uint gre = BondHash.FiveTupleHash(key, 0);
        key.L4Src = 1;
        Assert.Equal(gre, BondHash.FiveTupleHash(key, 0));
    }

    [Fact]
    public void Slb_hash_ignores_vlan_bits_above_16()
    {
        MacAddress mac = Goldens.HostA;
        Assert.Equal(BondHash.SlbHash(mac, 10, 0), BondHash.SlbHash(mac, 10 + 0x10000, 0));
        Assert.NotEqual(BondHash.SlbHash(mac, 10, 0), BondHash.SlbHash(mac, 11, 0));
    }
}
