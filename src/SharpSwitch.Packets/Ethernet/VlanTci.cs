// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets;

/// <summary>One VLAN tag as it sits on the wire: the tag protocol identifier and the tag control information.</summary>
/// <param name="Tpid">0x8100 for 802.1Q, 0x88a8 for 802.1ad.</param>
/// <param name="Tci">Priority (3 bits), DEI (1 bit) and VLAN ID (12 bits).</param>
public readonly record struct VlanTag(ushort Tpid, ushort Tci);

/// <summary>Packs and unpacks the 16-bit tag control information of a VLAN tag.</summary>
public static class VlanTci
{
    /// <summary>The mask of the 12-bit VLAN ID.</summary>
    public const ushort VlanIdMask = 0x0FFF;

    /// <summary>The drop eligible indicator bit (formerly CFI).</summary>
    public const ushort DropEligibleBit = 0x1000;

    /// <summary>How far the 3-bit priority code point is shifted.</summary>
    public const int PriorityShift = 13;

    /// <summary>The highest valid VLAN ID.</summary>
    public const int MaxVlanId = 4095;

    /// <summary>Builds a TCI. Throws <see cref="ArgumentOutOfRangeException"/> when the VLAN ID or priority does not fit.</summary>
    public static ushort Create(int vlanId, int priority = 0, bool dropEligible = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(vlanId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(vlanId, MaxVlanId);
        ArgumentOutOfRangeException.ThrowIfNegative(priority);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(priority, 7);
        return (ushort)((priority << PriorityShift) | (dropEligible ? DropEligibleBit : 0) | vlanId);
    }

    /// <summary>The VLAN ID of a TCI.</summary>
    public static int VlanId(ushort tci) => tci & VlanIdMask;

    /// <summary>The priority code point of a TCI.</summary>
    public static int Priority(ushort tci) => tci >> PriorityShift;

    /// <summary>The drop eligible indicator of a TCI.</summary>
    public static bool IsDropEligible(ushort tci) => (tci & DropEligibleBit) != 0;
}
