// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>ARP, RARP and the OVS bond learning packet.</summary>
public static partial class FrameBuilder
{
    /// <summary>
    /// Writes an Ethernet/IPv4 ARP or RARP frame. The Ethernet source is the sender hardware address. Returns 42,
    /// or 46 with a VLAN tag.
    /// </summary>
    public static int WriteArp(
        Span<byte> destination,
        ushort etherType,
        MacAddress ethernetDestination,
        ArpOperation operation,
        MacAddress senderMac,
        uint senderIp,
        MacAddress targetMac,
        uint targetIp,
        ushort? vlanTci = null)
    {
        var addressing = new EthernetAddressing(ethernetDestination, senderMac, vlanTci);
        int offset = addressing.HeaderLength;
        EnsureRoom(destination, offset + ArpPacket.EthernetIpv4Length, "ARP frame");
        WriteEthernetHeader(destination, addressing, etherType);
        Span<byte> arp = destination.Slice(offset, ArpPacket.EthernetIpv4Length);
        BinaryPrimitives.WriteUInt16BigEndian(arp, ArpPacket.HardwareTypeEthernet);
        BinaryPrimitives.WriteUInt16BigEndian(arp[ArpPacket.ProtocolTypeOffset..], EtherType.Ipv4);
        arp[ArpPacket.HardwareLengthOffset] = MacAddress.Size;
        arp[ArpPacket.ProtocolLengthOffset] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[ArpPacket.OperationOffset..], (ushort)operation);
        senderMac.Write(arp[ArpPacket.SenderHardwareAddressOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[ArpPacket.SenderProtocolAddressOffset..], senderIp);
        targetMac.Write(arp[ArpPacket.TargetHardwareAddressOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[ArpPacket.TargetProtocolAddressOffset..], targetIp);
        return offset + ArpPacket.EthernetIpv4Length;
    }

    /// <summary>Writes a broadcast ARP request "who has <paramref name="targetIp"/>, tell <paramref name="senderIp"/>" (target MAC zero).</summary>
    public static int WriteArpRequest(Span<byte> destination, MacAddress senderMac, uint senderIp, uint targetIp, ushort? vlanTci = null)
    {
        return WriteArp(destination, EtherType.Arp, MacAddress.Broadcast, ArpOperation.Request, senderMac, senderIp, MacAddress.Zero, targetIp, vlanTci);
    }

    /// <summary>Writes a unicast ARP reply "<paramref name="senderIp"/> is at <paramref name="senderMac"/>" to the requester.</summary>
    public static int WriteArpReply(Span<byte> destination, MacAddress senderMac, uint senderIp, MacAddress targetMac, uint targetIp, ushort? vlanTci = null)
    {
        return WriteArp(destination, EtherType.Arp, targetMac, ArpOperation.Reply, senderMac, senderIp, targetMac, targetIp, vlanTci);
    }

    /// <summary>Writes a gratuitous ARP: a broadcast request whose sender and target IP are both <paramref name="ip"/>.</summary>
    public static int WriteGratuitousArp(Span<byte> destination, MacAddress mac, uint ip, ushort? vlanTci = null)
    {
        return WriteArp(destination, EtherType.Arp, MacAddress.Broadcast, ArpOperation.Request, mac, ip, MacAddress.Zero, ip, vlanTci);
    }

    /// <summary>
    /// Writes OVS's bond learning packet for <paramref name="mac"/> (bonding-spec.md §C.7): a broadcast RARP
    /// reverse request from the MAC, with sender and target hardware address both the MAC and both IPs zero.
    /// 42 bytes, or 46 when the learned entry's VLAN is nonzero and a tag with TCI = VLAN ID is added.
    /// </summary>
    public static int WriteLearningPacket(Span<byte> destination, MacAddress mac, ushort? vlanTci = null)
    {
        return WriteArp(destination, EtherType.Rarp, MacAddress.Broadcast, ArpOperation.ReverseRequest, mac, 0, mac, 0, vlanTci);
    }
}
