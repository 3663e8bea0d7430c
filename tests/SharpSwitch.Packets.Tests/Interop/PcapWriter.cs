// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets.Tests.Interop;

/// <summary>Writes a classic libpcap file (microsecond timestamps, Ethernet link type) for handing frames to tshark.</summary>
internal static class PcapWriter
{
    private const uint Magic = 0xA1B2C3D4;
    private const uint LinkTypeEthernet = 1;

    public static void Write(string path, IReadOnlyList<byte[]> frames)
    {
        using var stream = new MemoryStream();
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], LinkTypeEthernet);
        stream.Write(header);
        Span<byte> record = stackalloc byte[16];
        for (int i = 0; i < frames.Count; i++)
        {
            record.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)i);
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)frames[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frames[i].Length);
            stream.Write(record);
            stream.Write(frames[i]);
        }
        File.WriteAllBytes(path, stream.ToArray());
    }
}
