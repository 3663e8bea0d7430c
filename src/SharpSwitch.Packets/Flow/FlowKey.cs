// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets;

/// <summary>
/// The header fields of one frame that forwarding and bonding decide on, extracted once per packet.
/// A plain value type: extracting it never allocates.
/// </summary>
public partial struct FlowKey
{
    /// <summary>Destination Ethernet address.</summary>
    public MacAddress EthDst;

    /// <summary>Source Ethernet address.</summary>
    public MacAddress EthSrc;

    /// <summary>Number of 802.1Q/802.1ad tags present (0, 1 or 2).</summary>
    public byte VlanTagCount;

    /// <summary>Outer tag's TCI (PCP, DEI and VID) when <see cref="VlanTagCount"/> is at least 1, else 0.</summary>
    public ushort OuterTci;

    /// <summary>Inner tag's TCI when <see cref="VlanTagCount"/> is 2, else 0.</summary>
    public ushort InnerTci;

    /// <summary>The EtherType after any VLAN tags (0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP, 0x8035 RARP, 0x8809 slow protocols).</summary>
    public ushort EthType;

    /// <summary>Byte offset of the network header within the frame (after Ethernet and VLAN headers).</summary>
    public ushort L3Offset;

    /// <summary>
    /// IPv4 source, or the ARP sender protocol address, in host order (10.0.0.1 is 0x0A000001); IPv6 sources use
    /// <see cref="Ipv6Src"/>.
    /// </summary>
    public uint Ipv4Src;

    /// <summary>IPv4 destination, or the ARP target protocol address.</summary>
    public uint Ipv4Dst;

    /// <summary>IPv6 source address, most significant byte first in the high bits.</summary>
    public UInt128 Ipv6Src;

    /// <summary>IPv6 destination address.</summary>
    public UInt128 Ipv6Dst;

    /// <summary>IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6), or the ARP opcode's low byte for ARP/RARP.</summary>
    public byte IpProto;

    /// <summary>TCP/UDP source port, or the ICMP type.</summary>
    public ushort L4Src;

    /// <summary>TCP/UDP destination port, or the ICMP code.</summary>
    public ushort L4Dst;

    /// <summary>Outer tag's protocol identifier (0x8100 or 0x88a8) when <see cref="VlanTagCount"/> is at least 1, else 0.</summary>
    public ushort OuterTpid;

    /// <summary>Inner tag's protocol identifier when <see cref="VlanTagCount"/> is 2, else 0.</summary>
    public ushort InnerTpid;

    /// <summary>Byte offset of the transport header (TCP, UDP, SCTP, ICMP, ICMPv6), or 0 when there is none.</summary>
    public ushort L4Offset;

    /// <summary>ARP/RARP sender hardware address; zero for other frames.</summary>
    public MacAddress ArpSha;

    /// <summary>ARP/RARP target hardware address; zero for other frames.</summary>
    public MacAddress ArpTha;

    /// <summary>Whether the IP packet is a fragment, and whether it is the first one (which still carries L4 ports).</summary>
    public IpFragment IpFragment;

    /// <summary>How the frame parsed; see <see cref="FrameParseStatus"/>.</summary>
    public FrameParseStatus ParseStatus;

    /// <summary>True when an L3 or L4 header was truncated or inconsistent, so the datapath can count the frame as an rx_error.</summary>
    public readonly bool L3Malformed => ParseStatus.IsL3Malformed();

    /// <summary>The VLAN ID (low 12 bits of the outer TCI), 0 when untagged.</summary>
    public readonly int OuterVlanId => VlanTagCount > 0 ? OuterTci & 0x0FFF : 0;
}
