// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>ARP and RARP operation codes.</summary>
public enum ArpOperation : ushort
{
    /// <summary>ARP request (who-has).</summary>
    Request = 1,

    /// <summary>ARP reply (is-at).</summary>
    Reply = 2,

    /// <summary>RARP request; OVS's bond learning packets use it.</summary>
    ReverseRequest = 3,

    /// <summary>RARP reply.</summary>
    ReverseReply = 4,
}

/// <summary>
/// A read-only view of an Ethernet/IPv4 ARP or RARP packet (hardware type 1, protocol 0x0800, lengths 6 and 4),
/// starting at the network header. <see cref="TryCreate"/> rejects every other form, so no accessor throws.
/// </summary>
public readonly ref struct ArpPacket
{
    /// <summary>Offset of the hardware type.</summary>
    public const int HardwareTypeOffset = 0;

    /// <summary>Offset of the protocol type.</summary>
    public const int ProtocolTypeOffset = 2;

    /// <summary>Offset of the hardware address length.</summary>
    public const int HardwareLengthOffset = 4;

    /// <summary>Offset of the protocol address length.</summary>
    public const int ProtocolLengthOffset = 5;

    /// <summary>Offset of the operation code.</summary>
    public const int OperationOffset = 6;

    /// <summary>Offset of the sender hardware address.</summary>
    public const int SenderHardwareAddressOffset = 8;

    /// <summary>Offset of the sender protocol address.</summary>
    public const int SenderProtocolAddressOffset = 14;

    /// <summary>Offset of the target hardware address.</summary>
    public const int TargetHardwareAddressOffset = 18;

    /// <summary>Offset of the target protocol address.</summary>
    public const int TargetProtocolAddressOffset = 24;

    /// <summary>The fixed part shared by every ARP variant (types, lengths, operation).</summary>
    public const int FixedLength = 8;

    /// <summary>The length of an Ethernet/IPv4 ARP packet.</summary>
    public const int EthernetIpv4Length = 28;

    /// <summary>The ARP hardware type for Ethernet.</summary>
    public const ushort HardwareTypeEthernet = 1;

    private readonly ReadOnlySpan<byte> _bytes;

    private ArpPacket(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
    }

    /// <summary>True when the fixed header (at least <see cref="FixedLength"/> bytes) announces Ethernet/IPv4 addresses.</summary>
    public static bool IsEthernetIpv4(ReadOnlySpan<byte> bytes)
    {
        return bytes.Length >= FixedLength
            && BinaryPrimitives.ReadUInt16BigEndian(bytes) == HardwareTypeEthernet
            && BinaryPrimitives.ReadUInt16BigEndian(bytes[ProtocolTypeOffset..]) == EtherType.Ipv4
            && bytes[HardwareLengthOffset] == MacAddress.Size
            && bytes[ProtocolLengthOffset] == 4;
    }

    /// <summary>Wraps <paramref name="bytes"/> when it starts with a complete Ethernet/IPv4 ARP packet.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> bytes, out ArpPacket packet)
    {
        packet = default;
        if (bytes.Length < EthernetIpv4Length || !IsEthernetIpv4(bytes))
        {
            return false;
        }
        packet = new ArpPacket(bytes[..EthernetIpv4Length]);
        return true;
    }

    /// <summary>The 28 bytes of the packet (trailing padding excluded).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The operation; other values than the four named ones are possible on the wire.</summary>
    public ArpOperation Operation => (ArpOperation)BinaryPrimitives.ReadUInt16BigEndian(_bytes[OperationOffset..]);

    /// <summary>The sender hardware address.</summary>
    public MacAddress SenderHardwareAddress => MacAddress.Read(_bytes[SenderHardwareAddressOffset..]);

    /// <summary>The sender IPv4 address in host order.</summary>
    public uint SenderProtocolAddress => BinaryPrimitives.ReadUInt32BigEndian(_bytes[SenderProtocolAddressOffset..]);

    /// <summary>The target hardware address.</summary>
    public MacAddress TargetHardwareAddress => MacAddress.Read(_bytes[TargetHardwareAddressOffset..]);

    /// <summary>The target IPv4 address in host order.</summary>
    public uint TargetProtocolAddress => BinaryPrimitives.ReadUInt32BigEndian(_bytes[TargetProtocolAddressOffset..]);
}
