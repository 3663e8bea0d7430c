// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Runtime.InteropServices;

namespace SharpSwitch.NetDev.Linux;

/// <summary>
/// The few Linux system calls the real-interface devices need, bound with source-generated P/Invoke. Names follow the
/// C declarations so that a reader can look each one up in the man pages.
/// </summary>
internal static partial class LinuxInterop
{
    public const int AF_UNIX = 1;
    public const int AF_INET = 2;
    public const int AF_NETLINK = 16;
    public const int AF_PACKET = 17;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_RAW = 3;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_ROUTE = 0;
    public const int SOL_SOCKET = 1;
    public const int SO_RCVBUF = 8;
    public const int SOL_PACKET = 263;
    public const int SOL_NETLINK = 270;
    public const int NETLINK_ADD_MEMBERSHIP = 1;
    public const int RTNLGRP_LINK = 1;
    public const ushort ETH_P_ALL = 0x0003;

    public const int PACKET_ADD_MEMBERSHIP = 1;
    public const int PACKET_RX_RING = 5;
    public const int PACKET_VERSION = 10;
    public const int PACKET_TX_RING = 13;
    public const int PACKET_QDISC_BYPASS = 20;
    public const int PACKET_IGNORE_OUTGOING = 23;
    public const int PACKET_MR_PROMISC = 1;
    public const int TPACKET_V2 = 1;
    public const byte PACKET_OUTGOING = 4;

    public const uint TP_STATUS_KERNEL = 0;
    public const uint TP_STATUS_USER = 1;
    public const uint TP_STATUS_COPY = 2;
    public const uint TP_STATUS_LOSING = 4;
    public const uint TP_STATUS_VLAN_VALID = 0x10;
    public const uint TP_STATUS_VLAN_TPID_VALID = 0x40;
    public const uint TP_STATUS_AVAILABLE = 0;
    public const uint TP_STATUS_SEND_REQUEST = 1;
    public const uint TP_STATUS_SENDING = 2;
    public const uint TP_STATUS_WRONG_FORMAT = 4;

    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int MAP_SHARED = 1;

    public const int MSG_DONTWAIT = 0x40;

    public const int O_RDWR = 2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    public const uint SIOCGIFFLAGS = 0x8913;
    public const uint SIOCSIFFLAGS = 0x8914;
    public const uint SIOCGIFMTU = 0x8921;
    public const uint SIOCSIFMTU = 0x8922;
    public const uint SIOCGIFHWADDR = 0x8927;
    public const uint SIOCSIFHWADDR = 0x8924;
    public const ushort ARPHRD_ETHER = 1;
    public const uint SIOCETHTOOL = 0x8946;
    public const uint TUNSETIFF = 0x400454ca;
    public const short IFF_UP = 0x1;
    public const short IFF_TAP = 0x0002;
    public const short IFF_NO_PI = 0x1000;
    public const uint ETHTOOL_GSET = 1;

    public const int EPOLLIN = 0x001;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;

    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOBUFS = 105;
    public const int EPERM = 1;
    public const int EACCES = 13;
    public const int ENODEV = 19;
    public const int EIO = 5;

    /// <summary>The size of <c>struct ifreq</c>: a 16-byte name and a 24-byte union.</summary>
    public const int IfreqSize = 40;

    /// <summary>The size of <c>struct sockaddr_ll</c>.</summary>
    public const int SockaddrLlSize = 20;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int bind(int fd, void* address, int addressLength);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int setsockopt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int getsockopt(int fd, int level, int name, void* value, int* length);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int munmap(nint address, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint send(int fd, void* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint recv(int fd, void* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint read(int fd, void* buffer, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint write(int fd, void* buffer, nuint length);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int epoll_ctl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int epoll_wait(int epfd, EpollEvent* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int eventfd(uint initval, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint if_nametoindex(string name);

    /// <summary><c>struct epoll_event</c>, packed on x86-64 as the kernel declares it there.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    /// <summary>The text <c>strerror</c> gives for the common errors, as OVS prints them in <c>Interface.error</c>.</summary>
    public static string ErrorText(int errno) => errno switch
    {
        EPERM => "Operation not permitted",
        EACCES => "Permission denied",
        ENODEV => "No such device",
        EIO => "Input/output error",
        EAGAIN => "Resource temporarily unavailable",
        ENOBUFS => "No buffer space available",
        97 => "Address family not supported by protocol",
        16 => "Device or resource busy",
        22 => "Invalid argument",
        _ => Marshal.GetPInvokeErrorMessage(errno),
    };

    /// <summary>Writes an interface name into the first 16 bytes of an <c>ifreq</c> (NUL-terminated, truncated as the kernel would refuse longer).</summary>
    public static void WriteIfreqName(Span<byte> ifreq, string name)
    {
        ifreq[..16].Clear();
        int length = Math.Min(name.Length, 15);
        for (int i = 0; i < length; i++)
        {
            ifreq[i] = (byte)name[i];
        }
    }
}
