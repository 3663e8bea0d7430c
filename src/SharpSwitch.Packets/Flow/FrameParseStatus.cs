// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets;

/// <summary>
/// How well a frame parsed. The datapath counts every value other than <see cref="Ok"/> as an rx_error and
/// drops the frame; nothing in the parser throws on bad input.
/// </summary>
public enum FrameParseStatus : byte
{
    /// <summary>Every header the parser understands was complete and consistent.</summary>
    Ok,

    /// <summary>Shorter than an Ethernet header (14 bytes); nothing was extracted.</summary>
    TooShort,

    /// <summary>A VLAN TPID announced a tag that the frame is too short to hold; nothing was extracted.</summary>
    BadVlan,

    /// <summary>The network header (IPv4, IPv6 or ARP/RARP) is cut short; Ethernet fields are valid, L3 and L4 fields are zero.</summary>
    TruncatedL3,

    /// <summary>The network header is complete but inconsistent (wrong IP version, header or total length); L3 and L4 fields are zero.</summary>
    BadL3,

    /// <summary>The TCP, UDP, SCTP or ICMP header is cut short; Ethernet and L3 fields are valid, L4 fields are zero.</summary>
    TruncatedL4,
}

/// <summary>Helpers for <see cref="FrameParseStatus"/>.</summary>
public static class FrameParseStatusExtensions
{
    /// <summary>True when the key holds at least valid Ethernet fields (every status except TooShort and BadVlan).</summary>
    public static bool HasEthernetFields(this FrameParseStatus status) => status is not (FrameParseStatus.TooShort or FrameParseStatus.BadVlan);

    /// <summary>True when a network or transport header was malformed.</summary>
    public static bool IsL3Malformed(this FrameParseStatus status) => status is FrameParseStatus.TruncatedL3 or FrameParseStatus.BadL3 or FrameParseStatus.TruncatedL4;

    /// <summary>The short lower-case name used in counters and logs (for example <c>truncated-l3</c>).</summary>
    public static string ToCounterName(this FrameParseStatus status) => status switch
    {
        FrameParseStatus.Ok => "ok",
        FrameParseStatus.TooShort => "too-short",
        FrameParseStatus.BadVlan => "bad-vlan",
        FrameParseStatus.TruncatedL3 => "truncated-l3",
        FrameParseStatus.BadL3 => "bad-l3",
        FrameParseStatus.TruncatedL4 => "truncated-l4",
        _ => "unknown",
    };
}
