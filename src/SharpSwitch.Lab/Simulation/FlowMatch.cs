// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Lab.Simulation;

/// <summary>
/// How to recognise the frames of one flow leg on the wire, so that placement is counted from the frames the bond
/// members actually carried rather than predicted from hashes. A UDP leg is its datagrams from the sender to the
/// receiver's port; a ping leg is its echo requests and replies (either direction) with its identifier; a TCP leg is
/// its segments and their acknowledgements, told apart by the sender's source port.
/// </summary>
/// <param name="Protocol">IPv4 protocol number (<see cref="IpProtocol.Udp"/>, <see cref="IpProtocol.Tcp"/> or <see cref="IpProtocol.Icmp"/>).</param>
/// <param name="Source">Sender's IPv4 address (for a ping, the pinger).</param>
/// <param name="Destination">Receiver's IPv4 address (for a ping, the target).</param>
/// <param name="PortOrIdentifier">UDP destination port, TCP sender's source port, or ICMP echo identifier.</param>
internal readonly record struct FlowMatch(byte Protocol, uint Source, uint Destination, ushort PortOrIdentifier)
{
    /// <summary>UDP datagrams from <paramref name="source"/> to <paramref name="destination"/>:<paramref name="port"/>.</summary>
    public static FlowMatch Udp(uint source, uint destination, ushort port) => new(IpProtocol.Udp, source, destination, port);

    /// <summary>
    /// A TCP-like stream: segments from <paramref name="sender"/>:<paramref name="sourcePort"/> to the receiver and the
    /// receiver's acknowledgements back to that port.
    /// </summary>
    public static FlowMatch Tcp(uint sender, uint receiver, ushort sourcePort) => new(IpProtocol.Tcp, sender, receiver, sourcePort);

    /// <summary>Echo requests from <paramref name="pinger"/> and the target's replies, with <paramref name="identifier"/>.</summary>
    public static FlowMatch Ping(uint pinger, uint target, ushort identifier) => new(IpProtocol.Icmp, pinger, target, identifier);

    /// <summary>True when <paramref name="frame"/> (any VLAN tags allowed) belongs to this leg.</summary>
    public bool Matches(ReadOnlySpan<byte> frame)
    {
        if (!EthernetFrame.TryCreate(frame, out EthernetFrame ethernet) || ethernet.EtherType != EtherType.Ipv4)
        {
            return false;
        }
        if (!Ipv4Header.TryCreate(ethernet.Payload, out Ipv4Header ip) || ip.Protocol != Protocol)
        {
            return false;
        }
        if (Protocol == IpProtocol.Udp)
        {
            return ip.Source == Source && ip.Destination == Destination
                && UdpHeader.TryCreate(ip.Payload, out UdpHeader udp) && udp.DestinationPort == PortOrIdentifier;
        }
        if (Protocol == IpProtocol.Tcp)
        {
            if (!TcpHeader.TryCreate(ip.Payload, out TcpHeader tcp))
            {
                return false;
            }
            return (ip.Source == Source && ip.Destination == Destination && tcp.SourcePort == PortOrIdentifier)
                || (ip.Source == Destination && ip.Destination == Source && tcp.DestinationPort == PortOrIdentifier);
        }
        if (!IcmpHeader.TryCreate(ip.Payload, out IcmpHeader icmp) || icmp.Identifier != PortOrIdentifier)
        {
            return false;
        }
        return (icmp.Type == IcmpType.EchoRequest && ip.Source == Source && ip.Destination == Destination)
            || (icmp.Type == IcmpType.EchoReply && ip.Source == Destination && ip.Destination == Source);
    }
}
