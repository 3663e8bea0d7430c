// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Capture;

namespace SharpSwitch.Fuzz.Targets;

/// <summary>
/// Fuzz target "pcapng": the lab's pcapng reader on arbitrary bytes must either refuse them with a reason or return
/// a capture that, written again by the lab's writer, reads back to the same interfaces and packets (a round trip
/// through both halves).
/// </summary>
internal static class PcapngFuzzTarget
{
    [FuzzTarget("pcapng")]
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        if (!PcapngReader.TryRead(input, out CaptureFile? file, out string error))
        {
            Check(!string.IsNullOrWhiteSpace(error) && file is null, "a refusal without a reason");
            return;
        }
        Check(file is not null, "success without a capture");
        using var stream = new MemoryStream();
        var writer = new PcapngWriter(stream, file!.Application ?? string.Empty);
        foreach (CapturedInterface captured in file.Interfaces)
        {
            writer.AddInterface(captured.Name, captured.ResolutionExponent);
        }
        var written = new List<CapturedPacket>();
        foreach (CapturedPacket packet in file.Packets)
        {
            if (packet.Data.Length > PcapngWriter.SnapLength)
            {
                continue;
            }
            writer.WritePacket(packet.InterfaceId, packet.Timestamp, packet.Data, (CaptureDirection)packet.Direction);
            written.Add(packet);
        }
        Check(PcapngReader.TryRead(stream.ToArray(), out CaptureFile? again, out string againError), "the writer's output was refused: " + againError);
        Check(again!.Interfaces.Count == file.Interfaces.Count, "interface count changed");
        for (int i = 0; i < file.Interfaces.Count; i++)
        {
            Check(again.Interfaces[i].Name == file.Interfaces[i].Name, "interface name changed");
            Check(again.Interfaces[i].ResolutionExponent == file.Interfaces[i].ResolutionExponent, "timestamp resolution changed");
        }
        Check(again.Packets.Count == written.Count, "packet count changed");
        for (int p = 0; p < written.Count; p++)
        {
            CapturedPacket before = written[p];
            CapturedPacket after = again.Packets[p];
            Check(after.InterfaceId == before.InterfaceId && after.Timestamp == before.Timestamp && after.Direction == before.Direction, "packet header changed");
            Check(after.Data.AsSpan().SequenceEqual(before.Data), "packet bytes changed");
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("pcapng fuzz target: " + message);
        }
    }
}
