// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Lab.Capture;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Testing;

namespace SharpSwitch.Lab.Tests;

/// <summary>The pcapng capture: written by our writer, read back by our reader and by tshark.</summary>
public sealed class CaptureTests
{
    private static Scenario LacpScenario()
    {
        string path = Path.Combine(LabTestFiles.RepositoryRoot, "tests", "TestData", "lab", "lacp-capture.yaml");
        ScenarioReadResult read = ScenarioReader.Parse(File.ReadAllBytes(path), "tests/TestData/lab/lacp-capture.yaml");
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));
        return read.Scenario!;
    }

    private static (LabResult Result, byte[] Capture) RunWithCapture(Scenario scenario)
    {
        using var stream = new MemoryStream();
        LabResult result = LabRunner.Run(scenario, new LabRunOptions { Capture = stream });
        return (result, stream.ToArray());
    }

    [Fact]
    public void Writer_output_reads_back_block_for_block()
    {
        using var stream = new MemoryStream();
        var writer = new PcapngWriter(stream, "test");
        Assert.Equal(0, writer.AddInterface("sw1-eno1", 3));
        Assert.Equal(1, writer.AddInterface("tor-p1", 3));
        byte[] odd = Enumerable.Range(0, 61).Select(i => (byte)i).ToArray();
        writer.WritePacket(1, 1234, odd, CaptureDirection.Outbound);
        writer.WritePacket(0, 5_000_000_000, odd.AsSpan(0, 60), CaptureDirection.Inbound);

        Assert.True(PcapngReader.TryRead(stream.ToArray(), out CaptureFile? file, out string error), error);
        Assert.Equal("test", file!.Application);
        Assert.Equal([("sw1-eno1", (byte)3), ("tor-p1", (byte)3)], file.Interfaces.Select(i => (i.Name, i.ResolutionExponent)));
        Assert.Equal(2, file.Packets.Count);
        Assert.Equal((1, 1234UL, 2U), (file.Packets[0].InterfaceId, file.Packets[0].Timestamp, file.Packets[0].Direction));
        Assert.Equal(odd, file.Packets[0].Data);
        Assert.Equal((0, 5_000_000_000UL, 1U, 60U), (file.Packets[1].InterfaceId, file.Packets[1].Timestamp, file.Packets[1].Direction, file.Packets[1].OriginalLength));
    }

    [Fact]
    public void Fuzz_seeds_cover_both_the_accepted_and_the_refused_paths()
    {
        string corpus = Path.Combine(LabTestFiles.RepositoryRoot, "tests", "TestData", "corpus", "pcapng");
        Assert.True(PcapngReader.TryRead(File.ReadAllBytes(Path.Combine(corpus, "two-interfaces-lacp")), out CaptureFile? file, out string error), error);
        Assert.Equal(["sw1-eno1", "tor-p1"], file!.Interfaces.Select(i => i.Name));
        Assert.Equal([2U, 1U], file.Packets.Select(p => p.Direction));
        Assert.True(PcapngReader.TryRead(File.ReadAllBytes(Path.Combine(corpus, "unknown-block-skipped")), out _, out error), error);
        Assert.False(PcapngReader.TryRead(File.ReadAllBytes(Path.Combine(corpus, "packet-before-interface")), out _, out error));
        Assert.Contains("not described", error, StringComparison.Ordinal);
        Assert.False(PcapngReader.TryRead(File.ReadAllBytes(Path.Combine(corpus, "truncated-packet")), out _, out _));
    }

    [Fact]
    public void Reader_refuses_truncated_and_inconsistent_input()
    {
        using var stream = new MemoryStream();
        var writer = new PcapngWriter(stream, "test");
        writer.AddInterface("a", 3);
        writer.WritePacket(0, 1, new byte[60], CaptureDirection.Inbound);
        byte[] bytes = stream.ToArray();

        Assert.False(PcapngReader.TryRead(bytes.AsSpan(0, bytes.Length - 1), out _, out string truncated));
        Assert.Contains("byte", truncated, StringComparison.Ordinal);
        bytes[^1] ^= 0xFF;
        Assert.False(PcapngReader.TryRead(bytes, out _, out string mismatch));
        Assert.Contains("trailing block length", mismatch, StringComparison.Ordinal);
        Assert.False(PcapngReader.TryRead(ReadOnlySpan<byte>.Empty, out _, out _));
    }

    [Fact]
    public void Run_capture_names_every_interface_and_stamps_virtual_time()
    {
        (LabResult result, byte[] bytes) = RunWithCapture(LacpScenario());
        Assert.True(PcapngReader.TryRead(bytes, out CaptureFile? file, out string error), error);

        Assert.Equal(["sw1-p-host", "sw1-eno1", "sw1-eno2", "sw2-p-host", "sw2-eth1", "sw2-eth2", "h1-eth0", "h2-eth0"], file!.Interfaces.Select(i => i.Name));
        Assert.All(file.Interfaces, i => Assert.Equal(3, i.ResolutionExponent));
        Assert.Equal(result.Recording.Capture!.Packets, file.Packets.Count);
        Assert.Equal(file.Interfaces.Select(i => i.Name), result.Recording.Capture.Interfaces);
        // Timestamps are virtual milliseconds: in order, and within the 5 s run.
        ulong previous = 0;
        foreach (CapturedPacket packet in file.Packets)
        {
            Assert.True(packet.Timestamp >= previous);
            Assert.True(packet.Timestamp <= 5000);
            previous = packet.Timestamp;
        }
        // Nothing leaves sw1-eno1 after its cable is pulled at 2 s.
        int eno1 = file.Interfaces.ToList().FindIndex(i => i.Name == "sw1-eno1");
        Assert.DoesNotContain(file.Packets, p => p.InterfaceId == eno1 && p.Direction == 2 && p.Timestamp > 2000);
        Assert.Contains(file.Packets, p => p.InterfaceId == eno1 && p.Direction == 2 && p.Timestamp < 2000);
    }

    [Fact]
    public void Capture_is_byte_identical_from_run_to_run()
    {
        Assert.Equal(RunWithCapture(LacpScenario()).Capture, RunWithCapture(LacpScenario()).Capture);
    }

    [RequiresToolsFact("tshark")]
    public void Tshark_reads_the_capture_and_dissects_lacp_arp_and_rarp_per_interface()
    {
        var lacp = Tshark(RunWithCapture(LacpScenario()).Capture);
        Assert.Equal(["h1-eth0", "h2-eth0", "sw1-eno1", "sw1-eno2", "sw1-p-host", "sw2-eth1", "sw2-eth2", "sw2-p-host"], lacp.Select(r => r.Interface).Distinct().Order(StringComparer.Ordinal));
        // Virtual time starts at the epoch: every frame is stamped between 0 and 5 s, at whole milliseconds.
        Assert.All(lacp, r => Assert.InRange(r.Seconds, 0m, 5m));
        Assert.All(lacp, r => Assert.Equal(decimal.Round(r.Seconds, 3), r.Seconds));
        Assert.Contains(lacp, r => r.Interface == "sw1-eno1" && r.Protocol == "LACP");
        Assert.Contains(lacp, r => r.Interface == "sw2-eth2" && r.Protocol == "LACP");
        Assert.Contains(lacp, r => r.Interface == "h1-eth0" && r.Protocol == "ARP");
        Assert.Contains(lacp, r => r.Interface == "h2-eth0" && r.Protocol == "ICMP");

        // The active-backup failover at 10 s announces the MACs learned behind the bond on the new member with RARP.
        var primary = Tshark(RunWithCapture(LabTestFiles.LoadExample("operator-primary.yaml")).Capture);
        Assert.Contains(primary, r => r.Interface == "sw1-eno2" && r.Protocol == "RARP" && r.Seconds == 10m);
        Assert.DoesNotContain(primary, r => r.Protocol == "RARP" && r.Seconds < 10m);
    }

    private static List<(string Interface, decimal Seconds, string Protocol)> Tshark(byte[] capture)
    {
        string path = Path.Combine(Path.GetTempPath(), $"sharpswitch-lab-{Environment.ProcessId}-{Guid.NewGuid():N}.pcapng");
        try
        {
            File.WriteAllBytes(path, capture);
            ProcessRunner.Result tshark = ProcessRunner.Run("tshark", ["-r", path, "-T", "fields", "-E", "separator=|", "-e", "frame.interface_name", "-e", "frame.time_epoch", "-e", "_ws.col.Protocol"]);
            Assert.True(tshark.ExitCode == 0, tshark.StandardError);
            return tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split('|'))
                .Select(f => (f[0], decimal.Parse(f[1], CultureInfo.InvariantCulture), f[2]))
                .ToList();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
