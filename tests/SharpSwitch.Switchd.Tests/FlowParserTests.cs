// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using SharpSwitch.Switchd.Flows;

namespace SharpSwitch.Switchd.Tests;

/// <summary>
/// The datapath flow syntax of <c>netdev-dummy/receive</c>. Every expected frame and error text below was recorded
/// from real ovs-vswitchd 3.1 (the flow injected on a dummy port, the flooded frame read from another port's
/// <c>options:tx_pcap</c>); DummyFlowReceiveTests repeats the comparison live.
/// </summary>
public sealed class FlowParserTests
{
    private const string Eth = "eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02)";

    public static TheoryData<string, int?, string> OvsFrames() => new()
    {
        {
            "in_port(1)," + Eth + ",eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=8,dst=9)", null,
            "505400000002505400000001080045000068000000004006668e0a0000010a00000200080009000000000000000050000000b78d0000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
        },
        {
            Eth + ",eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=8,dst=9)", 100,
            "50540000000250540000000108004500005600000000401166950a0000010a00000200080009007ceb1c00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        },
        {
            Eth + ",eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0))", null,
            "5054000000025054000000018100600a08004500005c000000004001669f0a0000010a000002080013fc00000000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
        },
        {
            "eth(src=50:54:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=50:54:00:00:00:01,tha=00:00:00:00:00:00)", null,
            "ffffffffffff505400000001080600010800060400015054000000010a0000010000000000000a000002"
        },
        {
            Eth + ",eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=8,dst=9),tcp_flags(syn)", null,
            "50540000000250540000000108004500002800000000400666ce0a0000010a000002000800090000000000000000500200009bcf0000"
        },
        {
            Eth + ",eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=8,dst=9)", 62,
            "50540000000250540000000108004500003000000000401166bb0a0000010a000002000800090030eb8e0000000000000000000000000000000000000000"
        },
        { Eth, null, "505400000002505400000001000e" },
        {
            Eth + ",eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=later),tcp(src=8,dst=9)", null,
            "505400000002505400000001080045000014000020644006467e0a0000010a000002"
        },
        {
            Eth + ",eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=first),tcp(src=8,dst=9)", null,
            "505400000002505400000001080045000068000020004006468e0a0000010a00000200080009000000000000000050000000b78d0000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
        },
        { Eth + ",eth_type(0x0800),tcp(src=1,dst=2)", null, "505400000002505400000001080045000014000000000000baeb0000000000000000" },
        {
            Eth + ",ipv4(src=1.2.3.4,dst=5.6.7.8,proto=17)", null,
            "50540000000250540000000108004500005c000000000011aa7e01020304050607080000000000480b47000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
        },
        { Eth + ",eth_type(0x8100),vlan(vid=5)", null, "505400000002505400000001810000050000" },
        {
            Eth + ",eth_type(2048),ipv4(src=1.2.3.4,dst=5.6.7.8,proto=0x11,ttl=010),udp(src=0x10,dst=20)", null,
            "50540000000250540000000108004500005c000000000811a27e01020304050607080010001400480b23000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
        },
        { Eth + " eth_type(0x0806) arp(op=2)", null, "505400000002505400000001080600010800060400020000000000000000000000000000000000000000" },
        {
            Eth + ",eth_type(0x0800),ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6),tcp(src=70000,dst=1)", null,
            "505400000002505400000001080045000068000000000006aa7d010203040506070811700001000000000000000050000000aa1c0000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
        },
        {
            Eth + ",eth_type(0x0800),ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6),tcp(src=1,dst=2),tcp_flags(syn|ack)", null,
            "505400000002505400000001080045000028000000000006aabd0102030405060708000100020000000000000000501200009fbc0000"
        },
        {
            Eth + ",eth_type(0x0800),ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6),tcp(src=1,dst=2),tcp_flags(0x010)", null,
            "505400000002505400000001080045000068000000000006aa7d010203040506070800010002000000000000000050100000bb7a0000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
        },
        {
            Eth + ",eth_type(0x0800),ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6,tos=0xfc,ttl=1)", null,
            "505400000002505400000001080045fc0068000000000106a881010203040506070800000000000000000000000050000000bb8d0000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
        },
    };

    [Theory]
    [MemberData(nameof(OvsFrames))]
    public void Composes_the_frame_real_OVS_sends(string flowText, int? length, string expectedHex)
    {
        OdpFlow flow = OdpFlowParser.Parse(flowText);
        byte[]? frame = OdpFlowComposer.Compose(flow, length, out string? error);
        Assert.Null(error);
        Assert.NotNull(frame);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(frame));
    }

    public static TheoryData<string, string> OvsErrors() => new()
    {
        { Eth + ",eth(src=50:54:00:00:00:01,dst=zz)", "syntax error at eth(src=50:54:00:00:00:01,dst=zz)" },
        { "in_port(1),bogus(3)", "syntax error at bogus(3)" },
        { "0011", "syntax error at 0011" },
        { Eth + "," + Eth, $"duplicate eth attribute in flow key; the flow key in error is: {Eth},{Eth}" },
        { "in_port(abc)," + Eth, $"syntax error at in_port(abc),{Eth}" },
        { Eth + ",eth_type(0x0800),ipv4(src=1.2.3.4/24,dst=5.6.7.8)", "syntax error at ipv4(src=1.2.3.4/24,dst=5.6.7.8)" },
        { Eth + ",eth_type(0x0800),ipv4(src=1.2.3.4,dst=5.6.7.8,frag=bad)", "syntax error at ipv4(src=1.2.3.4,dst=5.6.7.8,frag=bad)" },
        { Eth + ",eth_type(0x0800),ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6),tcp(src=1,dst=2", "syntax error at tcp(src=1,dst=2" },
        {
            Eth + ",eth_type(0x8100),vlan(vid=5,pcp=1,cfi=0),encap(eth_type(0x0800))",
            $"OVS_KEY_ATTR_VLAN 0x2005 is nonzero but CFI bit is not set; the flow key in error is: {Eth},eth_type(0x8100),vlan(vid=5,pcp=1,cfi=0),encap(eth_type(0x0800))"
        },
        { Eth + ",eth_type(0x8100),vlan(vid=5000),encap()", "syntax error at vlan(vid=5000),encap()" },
        { "ffffffffffff 505400000001.0800 4500", "syntax error at ffffffffffff 505400000001.0800 4500" },
        {
            "in_port(1),skb_priority(5),skb_mark(3),recirc_id(2),dp_hash(7),eth(dst=01:02:03:04:05:06),eth_type(2048),ipv4(src=1.2.3.4,proto=6),tcp(dst=2),tcp_flags(syn|ack),udp(src=3),arp(op=1),icmp(type=3),eth()",
            "duplicate eth attribute in flow key; the flow key in error is: in_port(1),skb_priority(0x5),skb_mark(0x3),recirc_id(0x2),dp_hash(0x7),eth(src=00:00:00:00:00:00,dst=01:02:03:04:05:06),eth_type(0x0800),ipv4(src=1.2.3.4,dst=0.0.0.0,proto=6,tos=0,ttl=0,frag=no),tcp(src=0,dst=2),tcp_flags(syn|ack),udp(src=3,dst=0),arp(sip=0.0.0.0,tip=0.0.0.0,op=1,sha=00:00:00:00:00:00,tha=00:00:00:00:00:00),icmp(type=3,code=0),eth(src=00:00:00:00:00:00,dst=00:00:00:00:00:00)"
        },
        {
            "eth(),eth_type(0x8100),vlan(pcp=2),encap(eth_type(0x0800),ipv4(frag=first),icmp(code=1),eth_type(0x0806))",
            "duplicate eth_type attribute in flow key; the flow key in error is: eth(src=00:00:00:00:00:00,dst=00:00:00:00:00:00),eth_type(0x8100),vlan(vid=0,pcp=2),encap(eth_type(0x0800),ipv4(src=0.0.0.0,dst=0.0.0.0,proto=0,tos=0,ttl=0,frag=first),icmp(type=0,code=1),eth_type(0x0806))"
        },
        {
            "eth(),eth_type(0x8100),vlan(cfi=0,vid=1),encap(eth_type(0x0800),tcp_flags(0x800))",
            "OVS_KEY_ATTR_VLAN 0x0001 is nonzero but CFI bit is not set; the flow key in error is: eth(src=00:00:00:00:00:00,dst=00:00:00:00:00:00),eth_type(0x8100),vlan(vid=1,pcp=0,cfi=0),encap(eth_type(0x0800),tcp_flags([800]))"
        },
    };

    [Theory]
    [MemberData(nameof(OvsErrors))]
    public void Rejects_a_bad_key_with_OVS_error_text(string flowText, string expected)
    {
        var ex = Assert.Throws<OdpFlowParseException>(() => OdpFlowParser.Parse(flowText));
        Assert.Equal(expected, ex.Message);
    }

    [Fact]
    public void An_OVS_attribute_SharpSwitch_cannot_build_says_so()
    {
        var ex = Assert.Throws<OdpFlowParseException>(() => OdpFlowParser.Parse(Eth + ",eth_type(0x86dd),ipv6(src=::1,dst=::2,proto=58)"));
        Assert.Equal("syntax error at ipv6(src=::1,dst=::2,proto=58) (OVS accepts ipv6(), SharpSwitch cannot build such frames yet)", ex.Message);
    }

    [Theory]
    [InlineData(2000, "2")]
    [InlineData(512_000, "512")]
    [InlineData(1_024_000, "1.02e+03")]
    [InlineData(16_384_000, "1.64e+04")]
    public void Backoff_seconds_are_printed_as_C_prints_them_with_3g(long milliseconds, string expected)
    {
        Assert.Equal(expected, Netdevs.DummyStreamLink.FormatSeconds(milliseconds));
    }

    [Fact]
    public void A_key_without_eth_is_accepted_but_builds_no_Ethernet_frame()
    {
        OdpFlow flow = OdpFlowParser.Parse("eth_type(0x0800),ipv4(src=10.0.0.1)");
        Assert.Null(OdpFlowComposer.Compose(flow, null, out string? error));
        Assert.Null(error);
    }

    [Fact]
    public void Len_pads_an_untyped_frame_and_its_length_field_counts_the_padding()
    {
        byte[]? frame = OdpFlowComposer.Compose(OdpFlowParser.Parse(Eth), 60, out string? error);
        Assert.Null(error);
        Assert.Equal("505400000002505400000001003c" + new string('0', 92), Convert.ToHexStringLower(frame!));
    }

    [Fact]
    public void Every_corpus_seed_either_parses_and_composes_or_gives_a_parse_error()
    {
        string corpus = Path.Combine(CorpusRoot(), "odp-flow");
        string[] files = Directory.GetFiles(corpus);
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            OdpFlowFuzz.Run(File.ReadAllBytes(file));
        }
    }

    [Fact]
    public void Random_mutations_of_valid_keys_never_throw_anything_but_the_parse_error()
    {
        var random = new Random(4242);
        string[] seeds = [.. OvsFrames().Select(row => (string)row[0]), .. OvsErrors().Select(row => (string)row[0])];
        const string Alphabet = "(),=:./|0123456789abcdefx -encapvlanethipv4tcpudpsrcdst";
        for (int round = 0; round < 20_000; round++)
        {
            var text = new StringBuilder(seeds[random.Next(seeds.Length)]);
            int edits = random.Next(1, 6);
            for (int e = 0; e < edits && text.Length > 0; e++)
            {
                int at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0:
                        text.Remove(at, 1);
                        break;
                    case 1:
                        text.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                        break;
                    default:
                        text.Length = at;
                        break;
                }
            }
            OdpFlowFuzz.Run(Encoding.UTF8.GetBytes(text.ToString()));
        }
    }

    private static string CorpusRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !Directory.Exists(Path.Combine(dir, "tests", "TestData", "corpus")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        return dir is null ? throw new DirectoryNotFoundException("tests/TestData/corpus") : Path.Combine(dir, "tests", "TestData", "corpus");
    }
}
