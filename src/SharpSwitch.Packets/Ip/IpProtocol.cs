// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets;

/// <summary>IP protocol numbers (the IPv4 Protocol field and the IPv6 Next Header field) that the switch knows.</summary>
public static class IpProtocol
{
    /// <summary>IPv6 Hop-by-Hop Options extension header.</summary>
    public const byte HopByHopOptions = 0;

    /// <summary>Internet Control Message Protocol (IPv4).</summary>
    public const byte Icmp = 1;

    /// <summary>Transmission Control Protocol.</summary>
    public const byte Tcp = 6;

    /// <summary>User Datagram Protocol.</summary>
    public const byte Udp = 17;

    /// <summary>IPv6 Routing extension header.</summary>
    public const byte Ipv6Routing = 43;

    /// <summary>IPv6 Fragment extension header.</summary>
    public const byte Ipv6Fragment = 44;

    /// <summary>Authentication Header (IPsec), which is also an IPv6 extension header.</summary>
    public const byte AuthenticationHeader = 51;

    /// <summary>ICMP for IPv6.</summary>
    public const byte IcmpV6 = 58;

    /// <summary>IPv6 "no next header".</summary>
    public const byte Ipv6NoNextHeader = 59;

    /// <summary>IPv6 Destination Options extension header.</summary>
    public const byte Ipv6DestinationOptions = 60;

    /// <summary>Stream Control Transmission Protocol.</summary>
    public const byte Sctp = 132;
}
