// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Runtime.InteropServices;
using System.Text;
using SharpSwitch.Packets;

namespace SharpSwitch.NetDev.Linux;

/// <summary>What the kernel last said about one interface.</summary>
public sealed record LinkInfo(int IfIndex, string Name, uint Flags, int Mtu, MacAddress Mac)
{
    /// <summary>Administratively up.</summary>
    public bool AdminUp => (Flags & Rtnetlink.IFF_UP) != 0;

    /// <summary>Carrier, as OVS reads it (<c>IFF_RUNNING</c>).</summary>
    public bool Running => (Flags & Rtnetlink.IFF_RUNNING) != 0;
}

/// <summary>
/// The kernel's interface table, kept current from rtnetlink: one dump at start, then <c>RTMGRP_LINK</c>
/// notifications as they arrive (event-driven, as OVS's netdev-linux uses them for carrier). The socket is
/// non-blocking; <see cref="Drain"/> reads whatever is queued and is called from the daemon's loop when the poller
/// reports the socket readable.
/// </summary>
public sealed unsafe class LinkMonitor : IDisposable
{
    private const int ReceiveBufferSize = 64 * 1024;

    private readonly Dictionary<string, LinkInfo> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, LinkInfo> _byIndex = [];
    private readonly byte[] _buffer = new byte[ReceiveBufferSize];
    private int _fd;
    private uint _sequence;
    private bool _dumpPending;

    private LinkMonitor(int fd)
    {
        _fd = fd;
    }

    /// <summary>The netlink socket (for the poller), or -1 once disposed.</summary>
    public int Fd => _fd;

    /// <summary>Raised for every interface whose state arrives (new or changed), and with null info when one is deleted.</summary>
    public event Action<string, LinkInfo?>? LinkChanged;

    /// <summary>Opens the socket, subscribes to link notifications and asks for a full dump; the error text on failure.</summary>
    public static LinkMonitor? TryOpen(out string? error)
    {
        int fd = LinuxInterop.socket(LinuxInterop.AF_NETLINK, LinuxInterop.SOCK_RAW | LinuxInterop.SOCK_NONBLOCK | LinuxInterop.SOCK_CLOEXEC, LinuxInterop.NETLINK_ROUTE);
        if (fd < 0)
        {
            error = LinuxInterop.ErrorText(Marshal.GetLastPInvokeError());
            return null;
        }
        // sockaddr_nl: family, pad, pid (0 = let the kernel choose), groups (RTMGRP_LINK = 1).
        byte* address = stackalloc byte[12];
        new Span<byte>(address, 12).Clear();
        *(ushort*)address = LinuxInterop.AF_NETLINK;
        *(uint*)(address + 8) = 1;
        if (LinuxInterop.bind(fd, address, 12) < 0)
        {
            error = LinuxInterop.ErrorText(Marshal.GetLastPInvokeError());
            LinuxInterop.close(fd);
            return null;
        }
        int size = 1 << 20;
        // A larger queue makes an overrun (and the re-dump it forces) unlikely during bursts of link changes.
        LinuxInterop.setsockopt(fd, LinuxInterop.SOL_SOCKET, LinuxInterop.SO_RCVBUF, &size, sizeof(int));
        var monitor = new LinkMonitor(fd);
        monitor.RequestDump();
        monitor.Drain();
        error = null;
        return monitor;
    }

    /// <summary>The last known state of <paramref name="name"/>, or null when the kernel has no such interface.</summary>
    public LinkInfo? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads every queued message and applies it; returns how many link messages were applied.</summary>
    public int Drain()
    {
        int applied = 0;
        if (_fd < 0)
        {
            return 0;
        }
        fixed (byte* buffer = _buffer)
        {
            while (true)
            {
                nint received = LinuxInterop.recv(_fd, buffer, (nuint)_buffer.Length, LinuxInterop.MSG_DONTWAIT);
                if (received < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == LinuxInterop.ENOBUFS)
                    {
                        // The kernel dropped notifications: only a fresh dump tells the truth again.
                        RequestDump();
                        continue;
                    }
                    if (errno == LinuxInterop.EINTR)
                    {
                        continue;
                    }
                    break;
                }
                if (received == 0)
                {
                    break;
                }
                applied += Apply(new ReadOnlySpan<byte>(buffer, (int)received));
            }
        }
        return applied;
    }

    /// <summary>Applies the messages of one datagram; public so that tests and the fuzz target can feed bytes.</summary>
    public int Apply(ReadOnlySpan<byte> datagram)
    {
        int applied = 0;
        var reader = new NetlinkMessageReader(datagram);
        while (reader.Next(out ushort type, out _, out ReadOnlySpan<byte> payload) == NetlinkParseStatus.Ok)
        {
            if (type == Rtnetlink.NLMSG_DONE || type == Rtnetlink.NLMSG_ERROR)
            {
                _dumpPending = false;
                continue;
            }
            if (type != Rtnetlink.RTM_NEWLINK && type != Rtnetlink.RTM_DELLINK)
            {
                continue;
            }
            if (!LinkMessage.TryParse(payload, out LinkMessage message))
            {
                continue;
            }
            applied++;
            if (type == Rtnetlink.RTM_DELLINK)
            {
                if (_byIndex.Remove(message.IfIndex, out LinkInfo? gone))
                {
                    _byName.Remove(gone.Name);
                    LinkChanged?.Invoke(gone.Name, null);
                }
                continue;
            }
            _byIndex.TryGetValue(message.IfIndex, out LinkInfo? previous);
            string name = message.Name.IsEmpty ? previous?.Name ?? "" : Encoding.UTF8.GetString(message.Name);
            if (name.Length == 0)
            {
                continue;
            }
            MacAddress mac = message.Address.Length == 6 ? MacAddress.Read(message.Address) : previous?.Mac ?? default;
            int mtu = message.Mtu >= 0 ? message.Mtu : previous?.Mtu ?? 1500;
            var info = new LinkInfo(message.IfIndex, name, message.Flags, mtu, mac);
            if (previous is not null && previous.Name != name)
            {
                // A rename: the old name is gone as far as the switch is concerned.
                _byName.Remove(previous.Name);
                LinkChanged?.Invoke(previous.Name, null);
            }
            if (info == previous)
            {
                continue;
            }
            _byIndex[message.IfIndex] = info;
            _byName[name] = info;
            LinkChanged?.Invoke(name, info);
        }
        return applied;
    }

    private void RequestDump()
    {
        if (_dumpPending)
        {
            return;
        }
        byte* request = stackalloc byte[Rtnetlink.HeaderSize + Rtnetlink.IfInfoSize];
        int length = Rtnetlink.WriteGetLinkDump(new Span<byte>(request, Rtnetlink.HeaderSize + Rtnetlink.IfInfoSize), ++_sequence);
        if (LinuxInterop.send(_fd, request, (nuint)length, 0) == length)
        {
            _dumpPending = true;
        }
    }

    /// <summary>Closes the socket.</summary>
    public void Dispose()
    {
        if (_fd >= 0)
        {
            LinuxInterop.close(_fd);
            _fd = -1;
        }
    }

    /// <summary>A monitor over no socket, fed only through <see cref="Apply"/> (tests and fuzzing).</summary>
    public static LinkMonitor CreateDetachedForTests() => new(-1);
}
