// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Runtime.InteropServices;

namespace SharpSwitch.Lab.RealInterfaces;

/// <summary>
/// A non-blocking AF_PACKET socket bound to one interface of the lab's own namespace, through which the lab puts
/// frames on a veth and reads what the switch sent. It ignores its own transmissions, so what it reads is only what
/// arrived from the other end of the veth.
/// </summary>
internal sealed partial class PacketSocket : IDisposable
{
    private const int AfPacket = 17;
    private const int SockRaw = 3;
    private const int SockNonBlock = 0x800;
    private const int SockCloexec = 0x80000;
    private const int SolPacket = 263;
    private const int PacketIgnoreOutgoing = 23;
    private const ushort EthPAllNetworkOrder = 0x0300;

    private readonly int _fd;
    private readonly byte[] _buffer = new byte[65536];

    private PacketSocket(int fd)
    {
        _fd = fd;
    }

    /// <summary>Opens a socket on the interface named <paramref name="device"/> in the caller's namespace.</summary>
    public static unsafe PacketSocket Open(string device)
    {
        uint index = if_nametoindex(device);
        if (index == 0)
        {
            throw new RealInterfacesException($"interface {device} does not exist (errno {Marshal.GetLastPInvokeError()})");
        }
        int fd = socket(AfPacket, SockRaw | SockNonBlock | SockCloexec, EthPAllNetworkOrder);
        if (fd < 0)
        {
            throw new RealInterfacesException($"cannot open a packet socket on {device} (errno {Marshal.GetLastPInvokeError()})");
        }
        // struct sockaddr_ll: family, protocol (network order), ifindex, then fields bind ignores.
        byte* address = stackalloc byte[20];
        new Span<byte>(address, 20).Clear();
        *(ushort*)address = AfPacket;
        *(ushort*)(address + 2) = EthPAllNetworkOrder;
        *(int*)(address + 4) = (int)index;
        int one = 1;
        if (bind(fd, address, 20) != 0 || setsockopt(fd, SolPacket, PacketIgnoreOutgoing, &one, sizeof(int)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            close(fd);
            throw new RealInterfacesException($"cannot bind a packet socket to {device} (errno {errno})");
        }
        return new PacketSocket(fd);
    }

    /// <summary>Sends one frame; a frame the kernel refuses (the veth is down) is lost, as on a pulled cable.</summary>
    public unsafe bool Send(ReadOnlySpan<byte> frame)
    {
        fixed (byte* data = frame)
        {
            return send(_fd, data, (nuint)frame.Length, 0) == frame.Length;
        }
    }

    /// <summary>Hands every frame that has arrived to <paramref name="onFrame"/> without blocking; returns how many.</summary>
    public unsafe int ReadAvailable(Action<ReadOnlySpan<byte>> onFrame)
    {
        int frames = 0;
        fixed (byte* buffer = _buffer)
        {
            while (true)
            {
                nint read = recv(_fd, buffer, (nuint)_buffer.Length, 0);
                if (read < 0)
                {
                    // EAGAIN: nothing more has arrived. ENETDOWN: the veth went down, so nothing can arrive either.
                    return frames;
                }
                onFrame(_buffer.AsSpan(0, (int)read));
                frames++;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => close(_fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int bind(int fd, void* address, int addressLength);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int setsockopt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint send(int fd, void* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint recv(int fd, void* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);
}

/// <summary>Why <c>--real</c> cannot run a scenario (no root, missing tools, an interface that could not be made).</summary>
public sealed class RealInterfacesException(string message) : Exception(message);

/// <summary>What a front end needs from the real-interface mode beyond running it.</summary>
public static class RealInterfacesCleanup
{
    /// <summary>
    /// Stops every switch daemon and deletes every namespace (with its veths) that running real-interface switches
    /// made; for a command interrupted with Ctrl-C, which would otherwise leave them behind.
    /// </summary>
    public static void RemoveAll() => VethSwitch.DisposeAll();

    /// <summary>
    /// Asks a running real-interface run to stop: it throws <see cref="OperationCanceledException"/> from its own
    /// thread at its next step, and unwinding removes its daemons, namespaces and veths. Returns false when a stop
    /// was already asked for (a second Ctrl-C), for a front end that then calls <see cref="RemoveAll"/> and exits.
    /// </summary>
    public static bool Interrupt() => VethSwitch.RequestStop();
}
