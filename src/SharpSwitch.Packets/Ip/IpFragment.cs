// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets;

/// <summary>
/// The fragment state of an IP packet, with OVS's bit values (its nw_frag: bit 0 "is a fragment",
/// bit 1 "is a later fragment").
/// </summary>
[Flags]
public enum IpFragment : byte
{
    /// <summary>Not a fragment (or not an IP packet).</summary>
    None = 0,

    /// <summary>A fragment; alone, it means the first fragment (offset 0), which still carries the L4 header.</summary>
    Any = 1,

    /// <summary>Set with <see cref="Any"/> for fragments at a nonzero offset, which carry no L4 header.</summary>
    Later = 2,
}
