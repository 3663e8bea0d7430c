// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.NetDev.Linux;

/// <summary>Netlink message types and link flags that the link monitor reads (from linux/netlink.h, rtnetlink.h, if.h).</summary>
public static class Rtnetlink
{
    public const ushort NLMSG_NOOP = 1;
    public const ushort NLMSG_ERROR = 2;
    public const ushort NLMSG_DONE = 3;
    public const ushort NLMSG_OVERRUN = 4;
    public const ushort RTM_NEWLINK = 16;
    public const ushort RTM_DELLINK = 17;
    public const ushort RTM_GETLINK = 18;
    public const ushort NLM_F_REQUEST = 0x1;
    public const ushort NLM_F_MULTI = 0x2;
    public const ushort NLM_F_DUMP = 0x300;

    public const ushort IFLA_ADDRESS = 1;
    public const ushort IFLA_IFNAME = 3;
    public const ushort IFLA_MTU = 4;
    public const ushort IFLA_OPERSTATE = 16;
    public const ushort IFLA_CARRIER = 33;

    public const uint IFF_UP = 0x1;
    public const uint IFF_RUNNING = 0x40;
    public const uint IFF_LOWER_UP = 0x10000;

    /// <summary>Size of <c>struct nlmsghdr</c>.</summary>
    public const int HeaderSize = 16;

    /// <summary>Size of <c>struct ifinfomsg</c>.</summary>
    public const int IfInfoSize = 16;

    /// <summary>Rounds up to netlink's 4-byte alignment.</summary>
    public static int Align(int length) => (length + 3) & ~3;

    /// <summary>Writes an <c>RTM_GETLINK</c> dump request (header and an empty <c>ifinfomsg</c>); returns its length.</summary>
    public static int WriteGetLinkDump(Span<byte> destination, uint sequence)
    {
        const int length = HeaderSize + IfInfoSize;
        destination[..length].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination, length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], RTM_GETLINK);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], NLM_F_REQUEST | NLM_F_DUMP);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], sequence);
        return length;
    }
}

/// <summary>Why reading a netlink buffer stopped.</summary>
public enum NetlinkParseStatus
{
    /// <summary>A message was read.</summary>
    Ok,

    /// <summary>The buffer is used up.</summary>
    End,

    /// <summary>A header claims a length shorter than the header or longer than what is left; the rest is unusable.</summary>
    Truncated,
}

/// <summary>
/// Walks the messages of one netlink datagram in place (<c>NLMSG_OK</c>/<c>NLMSG_NEXT</c>), never reading past the
/// buffer whatever the length fields say. Host byte order (little-endian on every platform .NET runs Linux on).
/// </summary>
public ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _rest;

    /// <summary>Starts at the first message of <paramref name="datagram"/>.</summary>
    public NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        _rest = datagram;
    }

    /// <summary>Reads the next message: its type, flags and payload (the bytes after the header).</summary>
    public NetlinkParseStatus Next(out ushort type, out ushort flags, out ReadOnlySpan<byte> payload)
    {
        type = 0;
        flags = 0;
        payload = default;
        if (_rest.IsEmpty)
        {
            return NetlinkParseStatus.End;
        }
        if (_rest.Length < Rtnetlink.HeaderSize)
        {
            _rest = default;
            return NetlinkParseStatus.Truncated;
        }
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(_rest);
        if (length < Rtnetlink.HeaderSize || length > (uint)_rest.Length)
        {
            _rest = default;
            return NetlinkParseStatus.Truncated;
        }
        type = BinaryPrimitives.ReadUInt16LittleEndian(_rest[4..]);
        flags = BinaryPrimitives.ReadUInt16LittleEndian(_rest[6..]);
        payload = _rest[Rtnetlink.HeaderSize..(int)length];
        int advance = Math.Min(_rest.Length, Rtnetlink.Align((int)length));
        _rest = _rest[advance..];
        return NetlinkParseStatus.Ok;
    }
}

/// <summary>
/// One <c>RTM_NEWLINK</c>/<c>RTM_DELLINK</c> payload read in place: the <c>ifinfomsg</c> and the attributes the switch
/// uses. Attributes that are absent, or too short for their type, read as absent; unknown ones are skipped.
/// </summary>
public readonly ref struct LinkMessage
{
    /// <summary>The interface index.</summary>
    public int IfIndex { get; init; }

    /// <summary>The <c>IFF_*</c> flags (<c>ifi_flags</c>).</summary>
    public uint Flags { get; init; }

    /// <summary>The name (<c>IFLA_IFNAME</c>) without its NUL, or empty when absent.</summary>
    public ReadOnlySpan<byte> Name { get; init; }

    /// <summary>The hardware address (<c>IFLA_ADDRESS</c>), or empty.</summary>
    public ReadOnlySpan<byte> Address { get; init; }

    /// <summary>The MTU (<c>IFLA_MTU</c>), or -1 when absent.</summary>
    public int Mtu { get; init; }

    /// <summary>The carrier (<c>IFLA_CARRIER</c>): 1 or 0, or -1 when absent.</summary>
    public int CarrierAttribute { get; init; }

    /// <summary>The RFC 2863 operational state (<c>IFLA_OPERSTATE</c>), or -1 when absent.</summary>
    public int OperState { get; init; }

    /// <summary>Administratively up (<c>IFF_UP</c>).</summary>
    public bool AdminUp => (Flags & Rtnetlink.IFF_UP) != 0;

    /// <summary>
    /// Carrier as OVS's netdev-linux reads it: <c>IFF_RUNNING</c> in the flags (which the kernel sets when the link is up
    /// and its operational state allows traffic).
    /// </summary>
    public bool Running => (Flags & Rtnetlink.IFF_RUNNING) != 0;

    /// <summary>Parses a link message payload; false when it is shorter than an <c>ifinfomsg</c>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out LinkMessage message)
    {
        message = default;
        if (payload.Length < Rtnetlink.IfInfoSize)
        {
            return false;
        }
        int ifIndex = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        ReadOnlySpan<byte> name = default;
        ReadOnlySpan<byte> address = default;
        int mtu = -1;
        int carrier = -1;
        int operState = -1;
        ReadOnlySpan<byte> attributes = payload[Rtnetlink.IfInfoSize..];
        while (attributes.Length >= 4)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            // The top two bits of the type are the nested and byte-order flags, not part of the type.
            ushort type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) & 0x3fff);
            if (length < 4 || length > attributes.Length)
            {
                break;
            }
            ReadOnlySpan<byte> value = attributes[4..length];
            switch (type)
            {
                case Rtnetlink.IFLA_IFNAME:
                    int nul = value.IndexOf((byte)0);
                    name = nul >= 0 ? value[..nul] : value;
                    break;
                case Rtnetlink.IFLA_ADDRESS:
                    address = value;
                    break;
                case Rtnetlink.IFLA_MTU when value.Length >= 4:
                    mtu = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(value));
                    break;
                case Rtnetlink.IFLA_CARRIER when value.Length >= 1:
                    carrier = value[0] != 0 ? 1 : 0;
                    break;
                case Rtnetlink.IFLA_OPERSTATE when value.Length >= 1:
                    operState = value[0];
                    break;
                default:
                    break;
            }
            int advance = Math.Min(attributes.Length, Rtnetlink.Align(length));
            attributes = attributes[advance..];
        }
        message = new LinkMessage
        {
            IfIndex = ifIndex,
            Flags = flags,
            Name = name,
            Address = address,
            Mtu = mtu,
            CarrierAttribute = carrier,
            OperState = operState,
        };
        return true;
    }
}
