// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Net.Sockets;

namespace SharpSwitch.Lab.RealOvs;

/// <summary>
/// The lab's end of a netdev-dummy stream: a Unix socket connected to a dummy interface's <c>options:pstream</c>,
/// carrying one Ethernet frame per record, each prefixed with its length as 2 bytes big-endian (netdev-dummy's
/// framing). Reads never block; the caller decides how long to wait for the switch.
/// </summary>
internal sealed class FramedSocket : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private readonly byte[] _header = new byte[2];
    private int _filled;

    private FramedSocket(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>The underlying socket, for waiting on several at once.</summary>
    public Socket Socket => _socket;

    /// <summary>Connects to a listening dummy interface.</summary>
    public static FramedSocket Connect(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new FramedSocket(socket);
    }

    /// <summary>Sends one frame.</summary>
    public void Send(ReadOnlySpan<byte> frame)
    {
        _header[0] = (byte)(frame.Length >> 8);
        _header[1] = (byte)frame.Length;
        _socket.Send(_header);
        _socket.Send(frame);
    }

    /// <summary>Reads what has arrived without blocking and hands every complete frame to <paramref name="onFrame"/>; returns how many.</summary>
    public int ReadAvailable(Action<ReadOnlySpan<byte>> onFrame)
    {
        int frames = 0;
        while (_socket.Available > 0 && _filled < _buffer.Length)
        {
            int read = _socket.Receive(_buffer, _filled, _buffer.Length - _filled, SocketFlags.None);
            if (read <= 0)
            {
                break;
            }
            _filled += read;
            int offset = 0;
            while (_filled - offset >= 2)
            {
                int length = (_buffer[offset] << 8) | _buffer[offset + 1];
                if (_filled - offset - 2 < length)
                {
                    break;
                }
                onFrame(_buffer.AsSpan(offset + 2, length));
                frames++;
                offset += 2 + length;
            }
            Buffer.BlockCopy(_buffer, offset, _buffer, 0, _filled - offset);
            _filled -= offset;
        }
        return frames;
    }

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();
}
