// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Testing;

namespace SharpSwitch.Packets.Tests.Interop;

/// <summary>
/// Hands frames made by <see cref="FrameBuilder"/> to Wireshark's dissectors, which were written independently of
/// this code: the protocol stack, the decoded fields and every checksum must come out as intended.
/// </summary>
public sealed class TsharkDissectionTests
{
    private static string[][] Dissect(IReadOnlyList<byte[]> frames, params string[] fields)
    {
        string directory = Path.Combine(Path.GetTempPath(), "sharpswitch-tshark-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string pcap = Path.Combine(directory, "frames.pcap");
            PcapWriter.Write(pcap, frames);
            var arguments = new List<string>
            {
                "-r", pcap,
                "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                "-T", "fields", "-E", "separator=|",
            };
            foreach (string field in fields)
            {
                arguments.Add("-e");
                arguments.Add(field);
            }
            ProcessRunner.Result result = ProcessRunner.Run(Requirements.FindExecutable("tshark")!, arguments);
            Assert.True(result.ExitCode == 0, "tshark failed: " + result.StandardError);
            string[] lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(frames.Count, lines.Length);
            return [.. lines.Select(line => line.Split('|'))];
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static byte[] Build(Func<byte[], int> build)
    {
        byte[] buffer = new byte[256];
        return buffer[..build(buffer)];
    }

    [RequiresToolsFact("tshark")]
    public void Tshark_dissects_lacp_rarp_and_icmp_frames_as_intended()
    {
        var pdu = new LacpPdu(Goldens.CapturedActor, Goldens.CapturedPartner);
        byte[][] frames =
        [
            Build(b => FrameBuilder.WriteLacpFrame(b, Goldens.CapturedLacpSource, pdu)),
            Build(b => FrameBuilder.WriteLearningPacket(b, Goldens.HostA)),
            Build(b => FrameBuilder.WriteLearningPacket(b, Goldens.HostA, vlanTci: 5)),
            Build(b => FrameBuilder.WriteIcmpEchoFrame(b, new EthernetAddressing(Goldens.HostB, Goldens.HostA), Goldens.IpA, Goldens.IpB, false, 7, 9, "ping"u8)),
        ];
        string[][] rows = Dissect(frames,
            "frame.protocols", "lacp.actor.sysid", "lacp.actor.key", "lacp.actor.port", "lacp.actor.state",
            "lacp.partner.sysid", "lacp.partner.port", "lacp.partner.state", "arp.opcode", "arp.src.hw_mac", "vlan.id",
            "ip.checksum.status", "icmp.type", "icmp.checksum.status");

        Assert.Equal("eth:ethertype:slow:lacp", rows[0][0]);
        Assert.Equal("86:9d:12:82:b2:4a", rows[0][1]);
        Assert.Equal("1", rows[0][2]);
        Assert.Equal("2", rows[0][3]);
        Assert.Equal("0x3d", rows[0][4]);
        Assert.Equal("92:c0:e0:f4:17:47", rows[0][5]);
        Assert.Equal("1", rows[0][6]);
        Assert.Equal("0x3f", rows[0][7]);

        Assert.Equal("eth:ethertype:arp", rows[1][0]);
        Assert.Equal("3", rows[1][8]);
        Assert.Equal("02:00:00:00:00:01", rows[1][9]);

        Assert.Equal("eth:ethertype:vlan:ethertype:arp", rows[2][0]);
        Assert.Equal("5", rows[2][10]);

        Assert.Equal("eth:ethertype:ip:icmp:data", rows[3][0]);
        Assert.Equal("1", rows[3][11]); // checksum status 1 = good
        Assert.Equal("8", rows[3][12]);
        Assert.Equal("1", rows[3][13]);
    }

    [RequiresToolsFact("tshark")]
    public void Tshark_accepts_every_transport_checksum_and_the_golden_frames()
    {
        byte[][] frames =
        [
            Build(b => FrameBuilder.WriteUdpFrame(b, new EthernetAddressing(Goldens.HostB, Goldens.HostA, 10), Goldens.IpA, Goldens.IpB, 5000, 53, "query"u8)),
            Build(b => FrameBuilder.WriteTcpFrame(b, new EthernetAddressing(Goldens.HostB, Goldens.HostA), Goldens.IpA, Goldens.IpB, 40000, 40001, 1, 2, TcpFlags.Ack | TcpFlags.Psh, 512, "data!"u8)),
            Build(b => FrameBuilder.WriteUdp6Frame(b, new EthernetAddressing(Goldens.HostB, Goldens.HostA), new UInt128(0x2001_0db8_0000_0000, 1), new UInt128(0x2001_0db8_0000_0000, 2), 7000, 7001, "v6"u8)),
            Goldens.IcmpEchoRequest,
            Goldens.UdpVlan10,
            Goldens.TcpSyn,
            Goldens.Udp6,
            Goldens.ArpRequest,
            Goldens.ArpReply,
        ];
        string[][] rows = Dissect(frames, "frame.protocols", "ip.checksum.status", "udp.checksum.status", "tcp.checksum.status", "icmp.checksum.status", "arp.opcode");
        Assert.Equal("eth:ethertype:vlan:ethertype:ip:udp:dns", rows[0][0]);
        Assert.Equal(["1", "1"], new[] { rows[0][1], rows[0][2] });
        Assert.Equal("eth:ethertype:ip:tcp:data", rows[1][0]);
        Assert.Equal("1", rows[1][3]);
        Assert.Equal("eth:ethertype:ipv6:udp:data", rows[2][0]);
        Assert.Equal("1", rows[2][2]);
        Assert.Equal("1", rows[3][4]);
        Assert.Equal("1", rows[4][2]);
        Assert.Equal("1", rows[5][3]);
        Assert.Equal("1", rows[6][2]);
        Assert.Equal("1", rows[7][5]);
        Assert.Equal("2", rows[8][5]);
    }
}
