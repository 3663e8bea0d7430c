// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SharpSwitch.Packets;

namespace SharpSwitch.NetDev.Linux;

/// <summary>
/// Interface settings changed or read through the classic <c>ioctl</c>s on a control socket: administrative state,
/// MTU and the ethtool link settings. These need CAP_NET_ADMIN (except the reads).
/// </summary>
internal static unsafe class LinkControl
{
    /// <summary>Sets or clears <c>IFF_UP</c>; returns 0 or an errno.</summary>
    public static int SetAdminUp(string name, bool up)
    {
        return WithSocket(fd =>
        {
            byte* ifreq = stackalloc byte[LinuxInterop.IfreqSize];
            var span = new Span<byte>(ifreq, LinuxInterop.IfreqSize);
            span.Clear();
            LinuxInterop.WriteIfreqName(span, name);
            if (LinuxInterop.ioctl(fd, LinuxInterop.SIOCGIFFLAGS, ifreq) < 0)
            {
                return Marshal.GetLastPInvokeError();
            }
            short flags = BinaryPrimitives.ReadInt16LittleEndian(span[16..]);
            flags = up ? (short)(flags | LinuxInterop.IFF_UP) : (short)(flags & ~LinuxInterop.IFF_UP);
            BinaryPrimitives.WriteInt16LittleEndian(span[16..], flags);
            return LinuxInterop.ioctl(fd, LinuxInterop.SIOCSIFFLAGS, ifreq) < 0 ? Marshal.GetLastPInvokeError() : 0;
        });
    }

    /// <summary>Sets the MTU; returns 0 or an errno.</summary>
    public static int SetMtu(string name, int mtu)
    {
        return WithSocket(fd =>
        {
            byte* ifreq = stackalloc byte[LinuxInterop.IfreqSize];
            var span = new Span<byte>(ifreq, LinuxInterop.IfreqSize);
            span.Clear();
            LinuxInterop.WriteIfreqName(span, name);
            BinaryPrimitives.WriteInt32LittleEndian(span[16..], mtu);
            return LinuxInterop.ioctl(fd, LinuxInterop.SIOCSIFMTU, ifreq) < 0 ? Marshal.GetLastPInvokeError() : 0;
        });
    }

    /// <summary>Sets the Ethernet address (<c>SIOCSIFHWADDR</c>); returns 0 or an errno.</summary>
    public static int SetMac(string name, MacAddress mac)
    {
        return WithSocket(fd =>
        {
            byte* ifreq = stackalloc byte[LinuxInterop.IfreqSize];
            var span = new Span<byte>(ifreq, LinuxInterop.IfreqSize);
            span.Clear();
            LinuxInterop.WriteIfreqName(span, name);
            // ifr_hwaddr is a struct sockaddr: the hardware type, then the address in sa_data.
            BinaryPrimitives.WriteUInt16LittleEndian(span[16..], LinuxInterop.ARPHRD_ETHER);
            mac.Write(span.Slice(18, MacAddress.Size));
            return LinuxInterop.ioctl(fd, LinuxInterop.SIOCSIFHWADDR, ifreq) < 0 ? Marshal.GetLastPInvokeError() : 0;
        });
    }

    /// <summary>
    /// Reads speed (Mb/s) and duplex with <c>ETHTOOL_GSET</c>, as OVS's netdev-linux does for <c>link_speed</c> and
    /// <c>duplex</c>; null when the driver reports no speed (SPEED_UNKNOWN) or does not answer.
    /// </summary>
    public static (long SpeedMbps, bool FullDuplex)? ReadSpeed(string name)
    {
        (long, bool)? result = null;
        WithSocket(fd =>
        {
            // struct ethtool_cmd is 44 bytes; ifreq's union holds a pointer to it.
            byte* command = stackalloc byte[44];
            var cmd = new Span<byte>(command, 44);
            cmd.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(cmd, LinuxInterop.ETHTOOL_GSET);
            byte* ifreq = stackalloc byte[LinuxInterop.IfreqSize];
            var span = new Span<byte>(ifreq, LinuxInterop.IfreqSize);
            span.Clear();
            LinuxInterop.WriteIfreqName(span, name);
            *(nint*)(ifreq + 16) = (nint)command;
            if (LinuxInterop.ioctl(fd, LinuxInterop.SIOCETHTOOL, ifreq) < 0)
            {
                return Marshal.GetLastPInvokeError();
            }
            uint speed = BinaryPrimitives.ReadUInt16LittleEndian(cmd[12..]) | ((uint)BinaryPrimitives.ReadUInt16LittleEndian(cmd[28..]) << 16);
            byte duplex = cmd[14];
            if (speed is not 0 and not 0xffff and not 0xffffffff)
            {
                result = (speed, duplex == 1);
            }
            return 0;
        });
        return result;
    }

    private static int WithSocket(Func<int, int> action)
    {
        int fd = LinuxInterop.socket(LinuxInterop.AF_INET, LinuxInterop.SOCK_DGRAM | LinuxInterop.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }
        try
        {
            return action(fd);
        }
        finally
        {
            LinuxInterop.close(fd);
        }
    }
}
