// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using System.Text;

namespace SharpSwitch.Lab.Capture;

/// <summary>Which way a captured frame crossed its interface, as the pcapng <c>epb_flags</c> option records it.</summary>
internal enum CaptureDirection
{
    /// <summary>The interface received the frame from its wire.</summary>
    Inbound = 1,

    /// <summary>The interface sent the frame on its wire.</summary>
    Outbound = 2,
}

/// <summary>
/// Writes a pcapng capture (one little-endian section): a Section Header Block, then one Interface Description
/// Block per interface with its name and timestamp resolution, then Enhanced Packet Blocks. Each block is laid out in
/// one reusable buffer with span writes and handed to the stream in a single call, so writing a packet allocates
/// nothing.
/// </summary>
internal sealed class PcapngWriter
{
    /// <summary>Block type of the Section Header Block.</summary>
    public const uint SectionHeaderBlockType = 0x0A0D0D0A;

    /// <summary>Block type of an Interface Description Block.</summary>
    public const uint InterfaceDescriptionBlockType = 0x00000001;

    /// <summary>Block type of an Enhanced Packet Block.</summary>
    public const uint EnhancedPacketBlockType = 0x00000006;

    /// <summary>The byte-order magic that tells a reader the section is little-endian.</summary>
    public const uint ByteOrderMagic = 0x1A2B3C4D;

    /// <summary>LINKTYPE_ETHERNET.</summary>
    public const ushort LinkTypeEthernet = 1;

    /// <summary>Option codes used here (opt_endofopt, shb_userappl / if_name / epb_flags, if_tsresol).</summary>
    public const ushort OptionEnd = 0;

    /// <summary>Option code of <c>shb_userappl</c> in the SHB.</summary>
    public const ushort OptionShbUserApplication = 4;

    /// <summary>Option code of <c>if_name</c> in an IDB.</summary>
    public const ushort OptionIfName = 2;

    /// <summary>Option code of <c>if_tsresol</c> in an IDB.</summary>
    public const ushort OptionIfTsResolution = 9;

    /// <summary>Option code of <c>epb_flags</c> in an EPB.</summary>
    public const ushort OptionEpbFlags = 2;

    /// <summary>The snapshot length announced for every interface; larger frames are cut to it.</summary>
    public const int SnapLength = 65535;

    private const int BlockOverheadBytes = 64;

    private readonly Stream _output;
    private readonly byte[] _block = new byte[SnapLength + BlockOverheadBytes + 16];
    private int _interfaceCount;

    /// <summary>Starts a capture on <paramref name="output"/> by writing the section header.</summary>
    public PcapngWriter(Stream output, string application)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        Span<byte> block = _block;
        int length = 8;
        BinaryPrimitives.WriteUInt32LittleEndian(block[length..], ByteOrderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(block[(length + 4)..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(block[(length + 6)..], 0);
        // A section length of -1 says "not given", so the file can be written in one pass.
        BinaryPrimitives.WriteInt64LittleEndian(block[(length + 8)..], -1);
        length += 16;
        length = WriteStringOption(block, length, OptionShbUserApplication, application);
        length = WriteEndOfOptions(block, length);
        Finish(SectionHeaderBlockType, length);
    }

    /// <summary>Interfaces described so far; the next one gets this number as its id.</summary>
    public int InterfaceCount => _interfaceCount;

    /// <summary>
    /// Describes an Ethernet interface named <paramref name="name"/> whose timestamps count units of
    /// 10^-<paramref name="resolutionExponent"/> s, and returns its interface id.
    /// </summary>
    public int AddInterface(string name, byte resolutionExponent)
    {
        Span<byte> block = _block;
        int length = 8;
        BinaryPrimitives.WriteUInt16LittleEndian(block[length..], LinkTypeEthernet);
        BinaryPrimitives.WriteUInt16LittleEndian(block[(length + 2)..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(block[(length + 4)..], SnapLength);
        length += 8;
        length = WriteStringOption(block, length, OptionIfName, name);
        BinaryPrimitives.WriteUInt16LittleEndian(block[length..], OptionIfTsResolution);
        BinaryPrimitives.WriteUInt16LittleEndian(block[(length + 2)..], 1);
        block.Slice(length + 4, 4).Clear();
        block[length + 4] = resolutionExponent;
        length += 8;
        length = WriteEndOfOptions(block, length);
        Finish(InterfaceDescriptionBlockType, length);
        return _interfaceCount++;
    }

    /// <summary>Writes one frame seen on interface <paramref name="interfaceId"/> at <paramref name="timestamp"/> (in that interface's units).</summary>
    public void WritePacket(int interfaceId, ulong timestamp, ReadOnlySpan<byte> frame, CaptureDirection direction)
    {
        if ((uint)interfaceId >= (uint)_interfaceCount)
        {
            throw new ArgumentOutOfRangeException(nameof(interfaceId), "no interface block was written for this id");
        }
        int captured = Math.Min(frame.Length, SnapLength);
        Span<byte> block = _block;
        int length = 8;
        BinaryPrimitives.WriteUInt32LittleEndian(block[length..], (uint)interfaceId);
        BinaryPrimitives.WriteUInt32LittleEndian(block[(length + 4)..], (uint)(timestamp >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(block[(length + 8)..], (uint)timestamp);
        BinaryPrimitives.WriteUInt32LittleEndian(block[(length + 12)..], (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(block[(length + 16)..], (uint)frame.Length);
        length += 20;
        frame[..captured].CopyTo(block[length..]);
        int padded = Pad(captured);
        block.Slice(length + captured, padded - captured).Clear();
        length += padded;
        BinaryPrimitives.WriteUInt16LittleEndian(block[length..], OptionEpbFlags);
        BinaryPrimitives.WriteUInt16LittleEndian(block[(length + 2)..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(block[(length + 4)..], (uint)direction);
        length += 8;
        length = WriteEndOfOptions(block, length);
        Finish(EnhancedPacketBlockType, length);
    }

    /// <summary>Pushes buffered blocks to the underlying stream.</summary>
    public void Flush() => _output.Flush();

    /// <summary>Rounds a field length up to the 32-bit boundary pcapng requires.</summary>
    internal static int Pad(int length) => (length + 3) & ~3;

    private static int WriteStringOption(Span<byte> block, int offset, ushort code, string value)
    {
        int byteCount = Encoding.UTF8.GetBytes(value, block[(offset + 4)..]);
        BinaryPrimitives.WriteUInt16LittleEndian(block[offset..], code);
        BinaryPrimitives.WriteUInt16LittleEndian(block[(offset + 2)..], (ushort)byteCount);
        block.Slice(offset + 4 + byteCount, Pad(byteCount) - byteCount).Clear();
        return offset + 4 + Pad(byteCount);
    }

    private static int WriteEndOfOptions(Span<byte> block, int offset)
    {
        block.Slice(offset, 4).Clear();
        return offset + 4;
    }

    /// <summary>Fills in the block type and both copies of the total length, then writes the block.</summary>
    private void Finish(uint blockType, int bodyEnd)
    {
        int total = bodyEnd + 4;
        Span<byte> block = _block;
        BinaryPrimitives.WriteUInt32LittleEndian(block, blockType);
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], (uint)total);
        BinaryPrimitives.WriteUInt32LittleEndian(block[bodyEnd..], (uint)total);
        _output.Write(block[..total]);
    }
}
