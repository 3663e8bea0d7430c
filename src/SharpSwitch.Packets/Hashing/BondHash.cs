// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>
/// The hashes OVS 3.1 uses to spread traffic over the 256 buckets of a balance-slb or balance-tcp bond, reproduced
/// bit for bit for OVS builds without SSE4.2 (bonding-spec.md §C.8, §C.9). Builds with SSE4.2 use CRC32C mixing and
/// give other buckets; this class implements the portable form only.
/// </summary>
public static class BondHash
{
    /// <summary>A bond has 256 hash buckets; a hash selects one by its low 8 bits.</summary>
    public const int BucketCount = 256;

    /// <summary>The mask that turns a hash into a bucket index.</summary>
    public const uint BucketMask = BucketCount - 1;

    /// <summary>
    /// The balance-slb hash: the 64-bit value (VLAN ID in bits 48..63, MAC in bits 0..47) hashed with the basis.
    /// <paramref name="vlan"/> is the packet's logical VLAN ID without priority bits; only its low 16 bits count, as in
    /// OVS where it is a 16-bit value.
    /// </summary>
    public static uint SlbHash(MacAddress mac, int vlan, uint basis)
    {
        ulong value = ((ulong)(ushort)vlan << 48) | mac.Value;
        return MurmurHash.HashUInt64(value, basis);
    }

    /// <summary>The balance-slb bucket (0..255), the number <c>ovs-appctl bond/hash MAC VLAN BASIS</c> prints.</summary>
    public static int SlbBucket(MacAddress mac, int vlan, uint basis) => (int)(SlbHash(mac, vlan, basis) & BucketMask);

    /// <summary>
    /// OVS's 5-tuple hash of a flow (its flow_hash_5tuple). IPv4 and ARP contribute the two IPv4 addresses, IPv6 the
    /// two 128-bit addresses; then the IP protocol (for ARP, the opcode); then, for TCP, UDP, SCTP, ICMP and ICMPv6,
    /// both ports as one word (ICMP type and code stand in for ports). Other EtherTypes hash only the basis.
    /// Addresses and ports enter as OVS reads them from its in-memory flow on a little-endian host: network-order
    /// bytes taken as little-endian words.
    /// </summary>
    public static uint FiveTupleHash(in FlowKey key, uint basis)
    {
        uint hash = basis;
        if (key.EthType == EtherType.Ipv6)
        {
            hash = AddIpv6Address(hash, key.Ipv6Src);
            hash = AddIpv6Address(hash, key.Ipv6Dst);
        }
        else if (key.EthType is EtherType.Ipv4 or EtherType.Arp)
        {
            hash = MurmurHash.Add(hash, BinaryPrimitives.ReverseEndianness(key.Ipv4Src));
            hash = MurmurHash.Add(hash, BinaryPrimitives.ReverseEndianness(key.Ipv4Dst));
        }
        else
        {
            return MurmurHash.Finish(hash, FiveTupleFinal);
        }

        hash = MurmurHash.Add(hash, key.IpProto);
        if (key.IpProto is IpProtocol.Tcp or IpProtocol.Udp or IpProtocol.Sctp or IpProtocol.Icmp or IpProtocol.IcmpV6)
        {
            // The two 16-bit ports sit side by side in network order and are absorbed as one little-endian word.
            uint ports = BinaryPrimitives.ReverseEndianness(key.L4Src) | ((uint)BinaryPrimitives.ReverseEndianness(key.L4Dst) << 16);
            hash = MurmurHash.Add(hash, ports);
        }
        return MurmurHash.Finish(hash, FiveTupleFinal);
    }

    /// <summary>
    /// The balance-tcp hash as OVS 3.1's userspace datapath computes it in the default recirculation path: the
    /// action <c>hash(l4(basis))</c> takes the packet's 5-tuple hash with basis 0 (its software RSS hash) and
    /// hashes it again as an integer with the bond's basis. The bucket is the low 8 bits. (OVS's own
    /// translation-time hash, used when recirculation is off, is <see cref="FiveTupleHash"/> with the basis; the
    /// lb_output action uses <see cref="FiveTupleHash"/> with basis 0 and ignores the basis.)
    /// </summary>
    public static uint TcpHash(in FlowKey key, uint basis) => MurmurHash.HashInt(FiveTupleHash(key, 0), basis);

    /// <summary>The balance-tcp bucket (0..255) of <see cref="TcpHash"/>.</summary>
    public static int TcpBucket(in FlowKey key, uint basis) => (int)(TcpHash(key, basis) & BucketMask);

    // OVS finishes the 5-tuple hash with an arbitrary constant of its choosing.
    private const uint FiveTupleFinal = 42;

    private static uint AddIpv6Address(uint hash, UInt128 address)
    {
        // OVS walks the address as two 64-bit words; each adds its low then high 32 bits, which on a little-endian
        // host means the four 4-byte groups in wire order, each read little-endian.
        for (int shift = 96; shift >= 0; shift -= 32)
        {
            hash = MurmurHash.Add(hash, BinaryPrimitives.ReverseEndianness((uint)(address >> shift)));
        }
        return hash;
    }
}
