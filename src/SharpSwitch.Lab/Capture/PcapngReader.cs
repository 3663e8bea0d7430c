// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using System.Text;

namespace SharpSwitch.Lab.Capture;

/// <summary>An interface described in a capture: its name (if_name) and timestamp unit exponent (if_tsresol, 6 by default).</summary>
internal sealed record CapturedInterface(string Name, ushort LinkType, byte ResolutionExponent);

/// <summary>One Enhanced Packet Block: interface id, timestamp in that interface's units, direction flags (0 when absent) and the bytes.</summary>
internal sealed record CapturedPacket(int InterfaceId, ulong Timestamp, uint OriginalLength, uint Flags, byte[] Data)
{
    /// <summary>The direction bits of <c>epb_flags</c>: 1 inbound, 2 outbound, 0 unknown.</summary>
    public uint Direction => Flags & 3;
}

/// <summary>What <see cref="PcapngReader"/> found in a capture.</summary>
internal sealed record CaptureFile(string? Application, IReadOnlyList<CapturedInterface> Interfaces, IReadOnlyList<CapturedPacket> Packets);

/// <summary>
/// Reads the little-endian pcapng sections the lab writes (SHB, IDB, EPB; other block types are skipped), checking
/// every length against the bytes it has, so that no input can make it read out of bounds. It is for tests and
/// tools, not the forwarding path, so it materialises what it reads.
/// </summary>
internal static class PcapngReader
{
    private const int MinimumBlockBytes = 12;

    /// <summary>Parses <paramref name="input"/>; on failure returns false with a one-line reason naming the byte offset.</summary>
    public static bool TryRead(ReadOnlySpan<byte> input, out CaptureFile? file, out string error)
    {
        file = null;
        string? application = null;
        var interfaces = new List<CapturedInterface>();
        var packets = new List<CapturedPacket>();
        int offset = 0;
        bool sawSection = false;
        while (offset < input.Length)
        {
            if (input.Length - offset < MinimumBlockBytes)
            {
                error = $"truncated block header at byte {offset}";
                return false;
            }
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(input[offset..]);
            uint total = BinaryPrimitives.ReadUInt32LittleEndian(input[(offset + 4)..]);
            if (total < MinimumBlockBytes || total % 4 != 0 || total > (uint)(input.Length - offset))
            {
                error = $"bad block length {total} at byte {offset}";
                return false;
            }
            ReadOnlySpan<byte> block = input.Slice(offset, (int)total);
            if (BinaryPrimitives.ReadUInt32LittleEndian(block[^4..]) != total)
            {
                error = $"trailing block length differs from the leading one at byte {offset}";
                return false;
            }
            ReadOnlySpan<byte> body = block[8..^4];
            if (!sawSection && type != PcapngWriter.SectionHeaderBlockType)
            {
                error = "the file does not start with a section header block";
                return false;
            }
            switch (type)
            {
                case PcapngWriter.SectionHeaderBlockType:
                    if (body.Length < 16 || BinaryPrimitives.ReadUInt32LittleEndian(body) != PcapngWriter.ByteOrderMagic)
                    {
                        error = $"section header at byte {offset} is not a little-endian pcapng section";
                        return false;
                    }
                    if (sawSection)
                    {
                        error = $"a second section starts at byte {offset}; only one is supported";
                        return false;
                    }
                    sawSection = true;
                    if (!ReadOptions(body[16..], (code, value) =>
                    {
                        if (code == PcapngWriter.OptionShbUserApplication)
                        {
                            application = Encoding.UTF8.GetString(value);
                        }
                    }))
                    {
                        error = $"bad options in the section header at byte {offset}";
                        return false;
                    }
                    break;
                case PcapngWriter.InterfaceDescriptionBlockType:
                    {
                        if (body.Length < 8)
                        {
                            error = $"interface block at byte {offset} is too short";
                            return false;
                        }
                        ushort linkType = BinaryPrimitives.ReadUInt16LittleEndian(body);
                        string name = string.Empty;
                        byte resolution = 6;
                        if (!ReadOptions(body[8..], (code, value) =>
                        {
                            if (code == PcapngWriter.OptionIfName)
                            {
                                name = Encoding.UTF8.GetString(value);
                            }
                            else if (code == PcapngWriter.OptionIfTsResolution && value.Length >= 1)
                            {
                                resolution = value[0];
                            }
                        }))
                        {
                            error = $"bad options in the interface block at byte {offset}";
                            return false;
                        }
                        interfaces.Add(new CapturedInterface(name, linkType, resolution));
                        break;
                    }
                case PcapngWriter.EnhancedPacketBlockType:
                    {
                        if (body.Length < 20)
                        {
                            error = $"packet block at byte {offset} is too short";
                            return false;
                        }
                        uint interfaceId = BinaryPrimitives.ReadUInt32LittleEndian(body);
                        ulong timestamp = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(body[4..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(body[8..]);
                        uint captured = BinaryPrimitives.ReadUInt32LittleEndian(body[12..]);
                        uint original = BinaryPrimitives.ReadUInt32LittleEndian(body[16..]);
                        if (interfaceId >= (uint)interfaces.Count)
                        {
                            error = $"packet block at byte {offset} names interface {interfaceId}, which was not described";
                            return false;
                        }
                        if (captured > (uint)(body.Length - 20) || (uint)PcapngWriter.Pad((int)captured) > (uint)(body.Length - 20))
                        {
                            error = $"packet block at byte {offset} claims {captured} captured bytes";
                            return false;
                        }
                        uint flags = 0;
                        if (!ReadOptions(body[(20 + PcapngWriter.Pad((int)captured))..], (code, value) =>
                        {
                            if (code == PcapngWriter.OptionEpbFlags && value.Length == 4)
                            {
                                flags = BinaryPrimitives.ReadUInt32LittleEndian(value);
                            }
                        }))
                        {
                            error = $"bad options in the packet block at byte {offset}";
                            return false;
                        }
                        packets.Add(new CapturedPacket((int)interfaceId, timestamp, original, flags, body.Slice(20, (int)captured).ToArray()));
                        break;
                    }
                default:
                    // Blocks the lab never writes (name resolution, statistics, ...) are legal and simply skipped.
                    break;
            }
            offset += (int)total;
        }
        if (!sawSection)
        {
            error = "empty input";
            return false;
        }
        file = new CaptureFile(application, interfaces, packets);
        error = string.Empty;
        return true;
    }

    private delegate void OptionHandler(ushort code, ReadOnlySpan<byte> value);

    /// <summary>Walks an option list; false when an option runs past the block.</summary>
    private static bool ReadOptions(ReadOnlySpan<byte> options, OptionHandler handle)
    {
        int offset = 0;
        while (offset + 4 <= options.Length)
        {
            ushort code = BinaryPrimitives.ReadUInt16LittleEndian(options[offset..]);
            ushort length = BinaryPrimitives.ReadUInt16LittleEndian(options[(offset + 2)..]);
            if (code == PcapngWriter.OptionEnd)
            {
                return true;
            }
            int padded = PcapngWriter.Pad(length);
            if (padded > options.Length - offset - 4)
            {
                return false;
            }
            handle(code, options.Slice(offset + 4, length));
            offset += 4 + padded;
        }
        // An option list may also end with the block itself, without opt_endofopt.
        return offset == options.Length;
    }
}
