// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Lab.RealOvs;

/// <summary>
/// Follows the classic pcap file a netdev-dummy interface writes every transmitted frame to
/// (<c>options:tx_pcap</c>). OVS writes and flushes each record inside the send itself, so once the switch has
/// processed a frame, everything it sent because of it is already in the file; the lab reads the new records after
/// each step instead of waiting for frames to trickle out of a stream, one per main-loop iteration.
/// </summary>
internal sealed class PcapTail : IDisposable
{
    private const int GlobalHeaderSize = 24;
    private const int RecordHeaderSize = 16;

    private readonly string _path;
    private FileStream? _stream;
    private byte[] _buffer = new byte[64 * 1024];
    private int _filled;
    private bool _headerSkipped;
    private bool _bigEndian;

    public PcapTail(string path)
    {
        _path = path;
    }

    /// <summary>Reads whatever was appended since the last call and hands every complete frame to <paramref name="onFrame"/>; returns how many.</summary>
    public int ReadNew(Action<ReadOnlySpan<byte>> onFrame)
    {
        if (_stream is null)
        {
            if (!File.Exists(_path))
            {
                return 0;
            }
            _stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        }
        int frames = 0;
        while (true)
        {
            if (_filled == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            int read = _stream.Read(_buffer, _filled, _buffer.Length - _filled);
            if (read <= 0)
            {
                return frames;
            }
            _filled += read;
            frames += TakeRecords(onFrame);
        }
    }

    private int TakeRecords(Action<ReadOnlySpan<byte>> onFrame)
    {
        int offset = 0;
        int frames = 0;
        if (!_headerSkipped)
        {
            if (_filled < GlobalHeaderSize)
            {
                return 0;
            }
            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(_buffer);
            _bigEndian = magic switch
            {
                0xa1b2c3d4 or 0xa1b23c4d => false,
                0xd4c3b2a1 or 0x4d3cb2a1 => true,
                _ => throw new RealOvsException($"{_path}: not a pcap file (magic {magic:x8})"),
            };
            _headerSkipped = true;
            offset = GlobalHeaderSize;
        }
        while (_filled - offset >= RecordHeaderSize)
        {
            ReadOnlySpan<byte> lengthField = _buffer.AsSpan(offset + 8, 4);
            int length = (int)(_bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(lengthField) : BinaryPrimitives.ReadUInt32LittleEndian(lengthField));
            if (_filled - offset - RecordHeaderSize < length)
            {
                break;
            }
            onFrame(_buffer.AsSpan(offset + RecordHeaderSize, length));
            frames++;
            offset += RecordHeaderSize + length;
        }
        Buffer.BlockCopy(_buffer, offset, _buffer, 0, _filled - offset);
        _filled -= offset;
        return frames;
    }

    /// <inheritdoc/>
    public void Dispose() => _stream?.Dispose();
}
