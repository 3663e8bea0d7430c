// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using SharpSwitch.Bonding;
using SharpSwitch.Lab.RealOvs;

namespace SharpSwitch.Fuzz.Targets;

/// <summary>
/// Fuzz target "ovs-bond-log": the reader of ovs-vswitchd's log (used by <c>vsw lab run --switch ovs</c>) on arbitrary
/// text. It must never throw, must give the same events whether the text arrives whole or cut anywhere (the log is
/// read while OVS writes it), and every event must name a bond and a member the lab told it about.
/// </summary>
internal static class OvsBondLogFuzzTarget
{
    private static readonly Dictionary<string, string> s_members = new(StringComparer.Ordinal) { ["eno1"] = "bond0", ["eno2"] = "bond0" };

    [FuzzTarget("ovs-bond-log")]
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0)
        {
            return;
        }
        string text = Encoding.UTF8.GetString(input[1..]);
        int cut = Math.Min(input[0], text.Length);

        var whole = new List<BondEvent>();
        new OvsBondLog("unused", s_members).Feed(text, 7, whole);
        var pieces = new List<BondEvent>();
        var reader = new OvsBondLog("unused", s_members);
        reader.Feed(text[..cut], 7, pieces);
        reader.Feed(text[cut..], 7, pieces);

        Check(whole.SequenceEqual(pieces), "cutting the text changed the events");
        foreach (BondEvent e in whole)
        {
            Check(e.TimeMs == 7, "event not stamped with the given time");
            Check(e.Member is null || s_members.ContainsKey(e.Member) || e.Kind == BondEventKind.ActiveChanged, $"unknown member {e.Member}");
            Check(e.Kind != BondEventKind.ActiveChanged || !string.IsNullOrEmpty(e.Member), "active member change without a member");
            Check(!e.Message.Contains('\n', StringComparison.Ordinal), "event message spans lines");
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("ovs-bond-log fuzz target: " + message);
        }
    }
}
