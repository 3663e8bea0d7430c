// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.RegularExpressions;

namespace SharpSwitch.Lab.RealOvs;

/// <summary>
/// Reads <c>bond/show</c> text, which real ovs-vswitchd and <c>vsw vswitchd</c> print alike, so the real-OVS and veth
/// lab backends learn a bond's state from the same words.
/// </summary>
internal static partial class BondShowText
{
    [GeneratedRegex(@"^active member mac: \S+\((?<member>[^)]*)\)$", RegexOptions.Multiline)]
    private static partial Regex ActiveMemberLine();

    /// <summary>The member named on the <c>active member mac</c> line, or null when it names none.</summary>
    public static string? ActiveMember(string bondShow)
    {
        Match match = ActiveMemberLine().Match(bondShow);
        return match.Success && match.Groups["member"].Value is { Length: > 0 } member && member != "none" ? member : null;
    }
}
