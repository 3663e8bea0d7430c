// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>Extraction of a <see cref="FlowKey"/> from a received frame, following the rules of OVS's flow_extract.</summary>
public partial struct FlowKey
{
    /// <summary>OVS parses at most two VLAN tags; a third TPID is reported as the frame's EtherType.</summary>
    public const int MaxVlanTags = 2;

    /// <summary>
    /// Fills <paramref name="key"/> from <paramref name="frame"/>. Returns false, with the key zeroed except for
    /// <see cref="ParseStatus"/>, when the frame is too short for Ethernet or for an announced VLAN tag. A truncated
    /// or inconsistent L3/L4 header still returns true: its fields stay zero and <see cref="L3Malformed"/> is set.
    /// Never throws and never allocates.
    /// </summary>
    public static bool TryExtract(ReadOnlySpan<byte> frame, out FlowKey key)
    {
        return Classify(frame, out key).HasEthernetFields();
    }

    /// <summary>
    /// Fills <paramref name="key"/> like <see cref="TryExtract"/> and returns how the frame parsed, so the datapath
    /// can count malformed frames (everything but <see cref="FrameParseStatus.Ok"/>) as rx_errors.
    /// </summary>
    public static FrameParseStatus Classify(ReadOnlySpan<byte> frame, out FlowKey key)
    {
        key = default;
        key.ParseStatus = ExtractInto(frame, ref key);
        return key.ParseStatus;
    }

    private static FrameParseStatus ExtractInto(ReadOnlySpan<byte> frame, ref FlowKey key)
    {
        if (frame.Length < EthernetFrame.HeaderLength)
        {
            return FrameParseStatus.TooShort;
        }

        int typeOffset = EthernetFrame.EtherTypeOffset;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame[typeOffset..]);
        byte tags = 0;
        ushort outerTpid = 0, outerTci = 0, innerTpid = 0, innerTci = 0;
        while (EtherType.IsVlanTag(type) && tags < MaxVlanTags)
        {
            // A tag is the TPID already read, a 2-byte TCI and the 2-byte type that follows it.
            if (frame.Length < typeOffset + EthernetFrame.VlanTagLength + 2)
            {
                return FrameParseStatus.BadVlan;
            }
            ushort tci = BinaryPrimitives.ReadUInt16BigEndian(frame[(typeOffset + 2)..]);
            if (tags == 0)
            {
                outerTpid = type;
                outerTci = tci;
            }
            else
            {
                innerTpid = type;
                innerTci = tci;
            }
            tags++;
            typeOffset += EthernetFrame.VlanTagLength;
            type = BinaryPrimitives.ReadUInt16BigEndian(frame[typeOffset..]);
        }

        key.EthDst = MacAddress.Read(frame);
        key.EthSrc = MacAddress.Read(frame[EthernetFrame.SourceOffset..]);
        key.VlanTagCount = tags;
        key.OuterTpid = outerTpid;
        key.OuterTci = outerTci;
        key.InnerTpid = innerTpid;
        key.InnerTci = innerTci;

        int l3Offset = typeOffset + 2;
        if (type < EtherType.Minimum)
        {
            type = ReadSnapType(frame[l3Offset..], ref l3Offset);
        }
        key.EthType = type;
        key.L3Offset = (ushort)l3Offset;

        return type switch
        {
            EtherType.Ipv4 => ExtractIpv4(frame, l3Offset, ref key),
            EtherType.Ipv6 => ExtractIpv6(frame, l3Offset, ref key),
            EtherType.Arp or EtherType.Rarp => ExtractArp(frame[l3Offset..], ref key),
            _ => FrameParseStatus.Ok,
        };
    }

    /// <summary>
    /// An 802.3 frame carries a length instead of a type. Like OVS, accept an LLC/SNAP header with the zero OUI as
    /// carrying a real EtherType, and report everything else as <see cref="EtherType.None"/>.
    /// </summary>
    private static ushort ReadSnapType(ReadOnlySpan<byte> llc, ref int l3Offset)
    {
        const int LlcSnapLength = 8;
        if (llc.Length < LlcSnapLength
            || llc[0] != 0xAA || llc[1] != 0xAA || llc[2] != 0x03
            || llc[3] != 0 || llc[4] != 0 || llc[5] != 0)
        {
            return EtherType.None;
        }
        ushort snapType = BinaryPrimitives.ReadUInt16BigEndian(llc[6..]);
        if (snapType < EtherType.Minimum)
        {
            return EtherType.None;
        }
        l3Offset += LlcSnapLength;
        return snapType;
    }

    private static FrameParseStatus ExtractIpv4(ReadOnlySpan<byte> frame, int l3Offset, ref FlowKey key)
    {
        ReadOnlySpan<byte> ip = frame[l3Offset..];
        if (ip.Length < Ipv4Header.MinimumLength)
        {
            return FrameParseStatus.TruncatedL3;
        }
        int headerLength = (ip[Ipv4Header.VersionAndLengthOffset] & 0x0F) * 4;
        if (ip[Ipv4Header.VersionAndLengthOffset] >> 4 != 4 || headerLength < Ipv4Header.MinimumLength)
        {
            return FrameParseStatus.BadL3;
        }
        if (headerLength > ip.Length)
        {
            return FrameParseStatus.TruncatedL3;
        }
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[Ipv4Header.TotalLengthOffset..]);
        if (totalLength < headerLength)
        {
            return FrameParseStatus.BadL3;
        }
        if (totalLength > ip.Length)
        {
            return FrameParseStatus.TruncatedL3;
        }

        key.Ipv4Src = BinaryPrimitives.ReadUInt32BigEndian(ip[Ipv4Header.SourceOffset..]);
        key.Ipv4Dst = BinaryPrimitives.ReadUInt32BigEndian(ip[Ipv4Header.DestinationOffset..]);
        key.IpProto = ip[Ipv4Header.ProtocolOffset];
        ushort fragmentField = BinaryPrimitives.ReadUInt16BigEndian(ip[Ipv4Header.FlagsAndFragmentOffset..]);
        if ((fragmentField & Ipv4Header.FragmentOffsetMask) != 0)
        {
            key.IpFragment = IpFragment.Any | IpFragment.Later;
        }
        else if ((fragmentField & Ipv4Header.MoreFragmentsFlag) != 0)
        {
            key.IpFragment = IpFragment.Any;
        }

        if ((key.IpFragment & IpFragment.Later) != 0)
        {
            // Later fragments carry no transport header, so OVS leaves the ports zero.
            return FrameParseStatus.Ok;
        }
        // Ethernet padding after the IP total length is not part of the datagram.
        return ExtractTransport(frame[..(l3Offset + totalLength)], l3Offset + headerLength, ref key);
    }

    private static FrameParseStatus ExtractIpv6(ReadOnlySpan<byte> frame, int l3Offset, ref FlowKey key)
    {
        ReadOnlySpan<byte> ip = frame[l3Offset..];
        if (ip.Length < Ipv6Header.Length)
        {
            return FrameParseStatus.TruncatedL3;
        }
        if (ip[Ipv6Header.VersionOffset] >> 4 != 6)
        {
            return FrameParseStatus.BadL3;
        }
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[Ipv6Header.PayloadLengthOffset..]);
        if (Ipv6Header.Length + payloadLength > ip.Length)
        {
            return FrameParseStatus.TruncatedL3;
        }
        ip = ip[..(Ipv6Header.Length + payloadLength)];

        // Walk the extension headers to find the upper-layer protocol, as OVS does for nw_proto.
        byte next = ip[Ipv6Header.NextHeaderOffset];
        int position = Ipv6Header.Length;
        IpFragment fragment = IpFragment.None;
        while (true)
        {
            if (next is IpProtocol.HopByHopOptions or IpProtocol.Ipv6Routing or IpProtocol.Ipv6DestinationOptions or IpProtocol.AuthenticationHeader)
            {
                if (ip.Length - position < 2)
                {
                    return FrameParseStatus.TruncatedL3;
                }
                int extensionLength = next == IpProtocol.AuthenticationHeader
                    ? (ip[position + 1] + 2) * 4
                    : (ip[position + 1] + 1) * 8;
                if (ip.Length - position < extensionLength)
                {
                    return FrameParseStatus.TruncatedL3;
                }
                next = ip[position];
                position += extensionLength;
            }
            else if (next == IpProtocol.Ipv6Fragment)
            {
                const int FragmentHeaderLength = 8;
                if (ip.Length - position < FragmentHeaderLength)
                {
                    return FrameParseStatus.TruncatedL3;
                }
                ushort offsetField = BinaryPrimitives.ReadUInt16BigEndian(ip[(position + 2)..]);
                fragment = (offsetField & 0xFFF8) != 0 ? IpFragment.Any | IpFragment.Later : IpFragment.Any;
                next = ip[position];
                position += FragmentHeaderLength;
                if ((fragment & IpFragment.Later) != 0)
                {
                    break;
                }
            }
            else
            {
                break;
            }
        }

        key.Ipv6Src = BinaryPrimitives.ReadUInt128BigEndian(ip[Ipv6Header.SourceOffset..]);
        key.Ipv6Dst = BinaryPrimitives.ReadUInt128BigEndian(ip[Ipv6Header.DestinationOffset..]);
        key.IpProto = next;
        key.IpFragment = fragment;
        if ((fragment & IpFragment.Later) != 0)
        {
            return FrameParseStatus.Ok;
        }
        return ExtractTransport(frame[..(l3Offset + ip.Length)], l3Offset + position, ref key);
    }

    /// <summary>Reads ports (or ICMP type and code) from the transport header at <paramref name="l4Offset"/>; <paramref name="datagram"/> ends where the IP packet ends.</summary>
    private static FrameParseStatus ExtractTransport(ReadOnlySpan<byte> datagram, int l4Offset, ref FlowKey key)
    {
        ReadOnlySpan<byte> l4 = datagram[l4Offset..];
        switch (key.IpProto)
        {
            case IpProtocol.Tcp:
                if (l4.Length < TcpHeader.MinimumLength)
                {
                    return FrameParseStatus.TruncatedL4;
                }
                int tcpHeaderLength = (l4[TcpHeader.DataOffsetOffset] >> 4) * 4;
                if (tcpHeaderLength < TcpHeader.MinimumLength || tcpHeaderLength > l4.Length)
                {
                    return FrameParseStatus.TruncatedL4;
                }
                break;
            case IpProtocol.Udp:
                if (l4.Length < UdpHeader.Length)
                {
                    return FrameParseStatus.TruncatedL4;
                }
                break;
            case IpProtocol.Sctp:
                const int SctpCommonHeaderLength = 12;
                if (l4.Length < SctpCommonHeaderLength)
                {
                    return FrameParseStatus.TruncatedL4;
                }
                break;
            case IpProtocol.Icmp:
            case IpProtocol.IcmpV6:
                if (l4.Length < IcmpHeader.MinimumLength)
                {
                    return FrameParseStatus.TruncatedL4;
                }
                // OVS keeps the ICMP type and code in the port fields.
                key.L4Offset = (ushort)l4Offset;
                key.L4Src = l4[IcmpHeader.TypeOffset];
                key.L4Dst = l4[IcmpHeader.CodeOffset];
                return FrameParseStatus.Ok;
            default:
                return FrameParseStatus.Ok;
        }
        // TCP, UDP and SCTP all start with the 16-bit source and destination ports.
        key.L4Offset = (ushort)l4Offset;
        key.L4Src = BinaryPrimitives.ReadUInt16BigEndian(l4);
        key.L4Dst = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
        return FrameParseStatus.Ok;
    }

    private static FrameParseStatus ExtractArp(ReadOnlySpan<byte> arp, ref FlowKey key)
    {
        if (arp.Length < ArpPacket.FixedLength)
        {
            return FrameParseStatus.TruncatedL3;
        }
        if (!ArpPacket.IsEthernetIpv4(arp))
        {
            // OVS only extracts fields from Ethernet/IPv4 ARP; other hardware or protocol types are legal but opaque.
            return FrameParseStatus.Ok;
        }
        if (arp.Length < ArpPacket.EthernetIpv4Length)
        {
            return FrameParseStatus.TruncatedL3;
        }
        ushort operation = BinaryPrimitives.ReadUInt16BigEndian(arp[ArpPacket.OperationOffset..]);
        // OVS stores the opcode in nw_proto only when it fits in a byte.
        key.IpProto = operation <= 0xFF ? (byte)operation : (byte)0;
        key.ArpSha = MacAddress.Read(arp[ArpPacket.SenderHardwareAddressOffset..]);
        key.Ipv4Src = BinaryPrimitives.ReadUInt32BigEndian(arp[ArpPacket.SenderProtocolAddressOffset..]);
        key.ArpTha = MacAddress.Read(arp[ArpPacket.TargetHardwareAddressOffset..]);
        key.Ipv4Dst = BinaryPrimitives.ReadUInt32BigEndian(arp[ArpPacket.TargetProtocolAddressOffset..]);
        return FrameParseStatus.Ok;
    }
}
