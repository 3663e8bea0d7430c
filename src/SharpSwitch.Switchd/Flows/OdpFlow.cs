// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Switchd.Flows;

/// <summary>How an IPv4 packet is fragmented, as the datapath flow syntax's <c>frag=</c> names it.</summary>
internal enum OdpFragment
{
    /// <summary><c>frag=no</c>: not a fragment.</summary>
    No,

    /// <summary><c>frag=first</c>: the first fragment (more-fragments set, offset zero).</summary>
    First,

    /// <summary><c>frag=later</c>: a later fragment (nonzero offset, so it carries no transport header).</summary>
    Later,
}

/// <summary>
/// A datapath flow key, as <c>netdev-dummy/receive</c> accepts it (OVS's <c>odp_flow_from_string</c> syntax):
/// the fields a test frame is built from. Fields the text leaves out are zero, as they are in OVS.
/// </summary>
internal sealed class OdpFlow
{
    /// <summary>The datapath input port, when given; SharpSwitch accepts it and, as OVS does here, ignores it.</summary>
    public uint? InPort { get; set; }

    /// <summary>Whether an <c>eth()</c> attribute was given; without one the packet is not an Ethernet frame.</summary>
    public bool HasEthernet { get; set; }

    /// <summary>Ethernet source address.</summary>
    public MacAddress EthernetSource { get; set; }

    /// <summary>Ethernet destination address.</summary>
    public MacAddress EthernetDestination { get; set; }

    /// <summary>The outermost <c>eth_type()</c>, when given.</summary>
    public ushort? EtherType { get; set; }

    /// <summary>The <c>vlan()</c> TCI including the CFI bit as parsed (it defaults to set), when given.</summary>
    public ushort? VlanTci { get; set; }

    /// <summary>Whether an <c>encap()</c> attribute followed the VLAN.</summary>
    public bool HasEncap { get; set; }

    /// <summary>The <c>eth_type()</c> inside <c>encap()</c>, when given.</summary>
    public ushort? InnerEtherType { get; set; }

    /// <summary>Whether an <c>ipv4()</c> attribute was given.</summary>
    public bool HasIpv4 { get; set; }

    /// <summary>IPv4 source address (host order).</summary>
    public uint Ipv4Source { get; set; }

    /// <summary>IPv4 destination address (host order).</summary>
    public uint Ipv4Destination { get; set; }

    /// <summary>IP protocol number.</summary>
    public byte IpProtocol { get; set; }

    /// <summary>IPv4 type of service byte.</summary>
    public byte IpTos { get; set; }

    /// <summary>IPv4 time to live.</summary>
    public byte IpTtl { get; set; }

    /// <summary>IPv4 fragment state.</summary>
    public OdpFragment Fragment { get; set; }

    /// <summary>Transport source port (TCP or UDP) or ICMP type, as OVS's flow keeps them in one field.</summary>
    public ushort TransportSource { get; set; }

    /// <summary>Transport destination port (TCP or UDP) or ICMP code.</summary>
    public ushort TransportDestination { get; set; }

    /// <summary>TCP flags (low 12 bits).</summary>
    public ushort TcpFlags { get; set; }

    /// <summary>Whether an <c>arp()</c> attribute was given.</summary>
    public bool HasArp { get; set; }

    /// <summary>ARP sender protocol address.</summary>
    public uint ArpSenderIp { get; set; }

    /// <summary>ARP target protocol address.</summary>
    public uint ArpTargetIp { get; set; }

    /// <summary>ARP operation as given (the frame carries its low 8 bits, as OVS's flow does).</summary>
    public ushort ArpOperation { get; set; }

    /// <summary>ARP sender hardware address.</summary>
    public MacAddress ArpSenderMac { get; set; }

    /// <summary>ARP target hardware address.</summary>
    public MacAddress ArpTargetMac { get; set; }

    /// <summary>The Ethernet type of the payload after any VLAN tag, as OVS derives it from the key.</summary>
    public ushort? PayloadEtherType
    {
        get
        {
            if (VlanTci is not null)
            {
                // A tagged key names the payload's type inside encap(); a tag without encap() carries type 0.
                return HasEncap ? InnerEtherType : (ushort)0;
            }
            if (EtherType is ushort type)
            {
                return type;
            }
            if (HasIpv4)
            {
                return Packets.EtherType.Ipv4;
            }
            return HasArp ? Packets.EtherType.Arp : null;
        }
    }
}
