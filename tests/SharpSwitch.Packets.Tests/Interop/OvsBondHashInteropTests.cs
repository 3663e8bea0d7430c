// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SharpSwitch.Testing;

namespace SharpSwitch.Packets.Tests.Interop;

/// <summary>
/// Compares <see cref="BondHash"/> with the real OVS 3.1 daemons. The balance-tcp hash is the datapath action
/// <c>hash(l4(BASIS))</c>, which OVS also uses for select groups with <c>selection_method=dp_hash</c>; a dummy
/// datapath shows the resulting dp_hash of each injected packet in its flow dump.
/// </summary>
public sealed partial class OvsBondHashInteropTests
{
    [GeneratedRegex(@"dp_hash\(0x([0-9a-f]+)/")]
    private static partial Regex DpHashPattern();

    private static byte[] Build(Func<byte[], int> build)
    {
        byte[] buffer = new byte[256];
        return buffer[..build(buffer)];
    }

    private static byte[] Ipv6WithTransport(byte nextHeader, byte[] transport)
    {
        byte[] frame = new byte[14 + 40 + transport.Length];
        int offset = FrameBuilder.WriteEthernetHeader(frame, Goldens.HostB, Goldens.HostA, EtherType.Ipv6);
        offset += FrameBuilder.WriteIpv6Header(frame.AsSpan(offset), nextHeader, new UInt128(0x2001_0db8_0000_0000, 0x1234_5678_9abc_def0),
            new UInt128(0x2001_0db8_0001_0000, 42), transport.Length);
        transport.CopyTo(frame, offset);
        return frame;
    }

    private static IEnumerable<(string Name, byte[] Frame)> Frames()
    {
        var ethernet = new EthernetAddressing(Goldens.HostB, Goldens.HostA);
        yield return ("udp", Build(b => FrameBuilder.WriteUdpFrame(b, ethernet, Goldens.IpA, Goldens.IpB, 1234, 80, "abcd"u8)));
        yield return ("udp-tagged", Build(b => FrameBuilder.WriteUdpFrame(b, ethernet with { VlanTci = 10 }, 0xC0A80101, 0xC0A80202, 53, 33000, "q"u8)));
        yield return ("tcp", Build(b => FrameBuilder.WriteTcpFrame(b, ethernet, 0xAC100001, 0x08080808, 40000, 443, 1, 0, TcpFlags.Syn, 1024, [])));
        yield return ("icmp", Build(b => FrameBuilder.WriteIcmpEchoFrame(b, ethernet, Goldens.IpA, Goldens.IpB, false, 77, 3, "ping"u8)));
        yield return ("udp6", Build(b => FrameBuilder.WriteUdp6Frame(b, ethernet, new UInt128(0xfe80_0000_0000_0000, 0x0200_00ff_fe00_0001),
            new UInt128(0xfe80_0000_0000_0000, 0x0200_00ff_fe00_0002), 546, 547, "dhcp"u8)));
        yield return ("tcp6", Ipv6WithTransport(IpProtocol.Tcp, Goldens.TcpSyn[34..]));
        yield return ("icmp6", Ipv6WithTransport(IpProtocol.IcmpV6, Hex.Bytes("8000 0000 0001 0002 6869")));
        yield return ("arp", Build(b => FrameBuilder.WriteArpRequest(b, Goldens.HostA, Goldens.IpA, Goldens.IpB)));
        yield return ("gre-over-ipv4", [.. Goldens.TcpSyn[..23], 47, .. Goldens.TcpSyn[24..]]);
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl", "ovs-ofctl")]
    public void Tcp_hash_matches_the_dp_hash_of_real_ovs()
    {
        using var ovs = new OvsSandbox();
        ovs.Vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy", "fail-mode=secure",
            "--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy", "ofport_request=1",
            "--", "add-port", "br0", "p2", "--", "set", "interface", "p2", "type=dummy", "ofport_request=2",
            "--", "add-port", "br0", "p3", "--", "set", "interface", "p3", "type=dummy", "ofport_request=3");
        var mismatches = new List<string>();
        int compared = 0;
        foreach (uint basis in new uint[] { 0, 7, 0xDEADBEEF })
        {
            string group = $"group_id=1,type=select,selection_method=dp_hash,selection_method_param={basis},bucket=bucket_id=0,actions=output:2,bucket=bucket_id=1,actions=output:3";
            if (compared == 0)
            {
                // The flow may only point at a group that exists, so the first group comes before it.
                ovs.Ofctl("add-group", "br0", group);
                ovs.Ofctl("add-flow", "br0", "in_port=1,actions=group:1");
            }
            else
            {
                ovs.Ofctl("mod-group", "br0", group);
            }
            foreach ((string name, byte[] frame) in Frames())
            {
                Assert.True(FlowKey.TryExtract(frame, out FlowKey key), name);
                Assert.False(key.L3Malformed, name);
                ovs.Appctl("dpctl/del-flows");
                ovs.Appctl("netdev-dummy/receive", "p1", Convert.ToHexStringLower(frame));
                uint observed = WaitForDpHash(ovs, name);
                uint expected = BondHash.TcpHash(key, basis);
                compared++;
                if (observed != expected)
                {
                    mismatches.Add($"{name} basis {basis}: OVS dp_hash 0x{observed:x8}, ours 0x{expected:x8}");
                }
            }
        }
        Assert.Empty(mismatches);
        Assert.Equal(27, compared);
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl", "ovs-ofctl")]
    public void Slb_bucket_matches_real_ovs_bond_hash_command()
    {
        using var ovs = new OvsSandbox();
        var random = new Random(20261126);
        var mismatches = new List<string>();
        for (int i = 0; i < 40; i++)
        {
            var mac = new MacAddress((ulong)random.NextInt64());
            int vlan = i % 3 == 0 ? 0 : random.Next(0, 4096);
            uint basis = i % 4 == 0 ? 0 : (uint)random.Next();
            string reply = ovs.Appctl("bond/hash", mac.ToString(), vlan.ToString(CultureInfo.InvariantCulture), basis.ToString(CultureInfo.InvariantCulture)).Trim();
            int bucket = BondHash.SlbBucket(mac, vlan, basis);
            if (reply != bucket.ToString(CultureInfo.InvariantCulture))
            {
                mismatches.Add($"{mac} vlan {vlan} basis {basis}: OVS {reply}, ours {bucket}");
            }
        }
        Assert.Empty(mismatches);
    }

    private static uint WaitForDpHash(OvsSandbox ovs, string name)
    {
        // The flow is installed by an upcall handler thread after the packet is received, so poll with a deadline.
        var clock = Stopwatch.StartNew();
        string flows = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            flows = ovs.Appctl("dpctl/dump-flows");
            MatchCollection matches = DpHashPattern().Matches(flows);
            if (matches.Count == 1)
            {
                return uint.Parse(matches[0].Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
            Assert.True(matches.Count == 0, $"{name}: more than one recirculated flow:\n{flows}");
            Thread.Yield();
        }
        throw new TimeoutException($"{name}: OVS installed no recirculated flow within 10 s; last dump:\n{flows}");
    }
}
