// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets;

/// <summary>
/// Field-by-field equality, so that flow keys can index caches without the boxing and reflection of the default
/// value-type equality.
/// </summary>
public partial struct FlowKey : IEquatable<FlowKey>
{
    /// <inheritdoc/>
    public readonly bool Equals(FlowKey other)
    {
        return EthDst == other.EthDst && EthSrc == other.EthSrc
            && VlanTagCount == other.VlanTagCount && OuterTci == other.OuterTci && InnerTci == other.InnerTci
            && OuterTpid == other.OuterTpid && InnerTpid == other.InnerTpid
            && EthType == other.EthType && L3Offset == other.L3Offset && L4Offset == other.L4Offset
            && Ipv4Src == other.Ipv4Src && Ipv4Dst == other.Ipv4Dst && Ipv6Src == other.Ipv6Src && Ipv6Dst == other.Ipv6Dst
            && IpProto == other.IpProto && IpFragment == other.IpFragment && L4Src == other.L4Src && L4Dst == other.L4Dst
            && ArpSha == other.ArpSha && ArpTha == other.ArpTha && ParseStatus == other.ParseStatus;
    }

    /// <inheritdoc/>
    public override readonly bool Equals(object? obj) => obj is FlowKey other && Equals(other);

    /// <inheritdoc/>
    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(EthDst.Value);
        hash.Add(EthSrc.Value);
        hash.Add(((uint)OuterTci << 16) | InnerTci);
        hash.Add(((uint)EthType << 16) | ((uint)IpProto << 8) | VlanTagCount);
        hash.Add(Ipv4Src);
        hash.Add(Ipv4Dst);
        hash.Add(Ipv6Src);
        hash.Add(Ipv6Dst);
        hash.Add(((uint)L4Src << 16) | L4Dst);
        // Offsets, TPIDs, ARP hardware addresses and the status rarely tell keys apart; Equals still compares them.
        return hash.ToHashCode();
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(FlowKey left, FlowKey right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(FlowKey left, FlowKey right) => !left.Equals(right);
}
