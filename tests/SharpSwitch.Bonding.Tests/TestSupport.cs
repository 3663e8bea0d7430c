// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding.Tests;

/// <summary>Collects every event a bond reports, in order.</summary>
internal sealed class RecordingSink : IBondEventSink
{
    public List<BondEvent> Events { get; } = new();

    public void OnEvent(in BondEvent e) => Events.Add(e);

    /// <summary>The OVS log lines among the events, in order.</summary>
    public List<string> OvsLog => Events.Where(e => e.IsOvsLogLine).Select(e => e.Message).ToList();

    public List<BondEvent> OfKind(BondEventKind kind) => Events.Where(e => e.Kind == kind).ToList();

    public void Clear() => Events.Clear();
}

/// <summary>Builds bonds for tests and drives their links under virtual time.</summary>
internal static class TestBonds
{
    /// <summary>A locally administered MAC whose last octet is <paramref name="n"/>.</summary>
    public static MacAddress Mac(int n) => new(0x0200_0000_0000UL | (uint)n);

    /// <summary>Creates a bond, registers the members with carrier up (MACs 02:00:00:00:00:01, …) and runs it once.</summary>
    public static Bond Create(BondSettings settings, RecordingSink sink, long nowMs, params string[] members)
    {
        var bond = new Bond("bond0", settings, sink);
        for (int i = 0; i < members.Length; i++)
        {
            bond.AddMember(members[i], Mac(i + 1), MemberSettings.Default, carrier: true, nowMs);
        }
        bond.Run(nowMs);
        return bond;
    }

    /// <summary>The member loses carrier at <paramref name="nowMs"/> and the bond runs.</summary>
    public static void LinkDown(this Bond bond, string member, long nowMs)
    {
        bond.SetMemberLink(member, carrier: false, mayEnable: true, nowMs);
        bond.Run(nowMs);
    }

    /// <summary>The member regains carrier at <paramref name="nowMs"/> and the bond runs.</summary>
    public static void LinkUp(this Bond bond, string member, long nowMs)
    {
        bond.SetMemberLink(member, carrier: true, mayEnable: true, nowMs);
        bond.Run(nowMs);
    }

    /// <summary>Runs the bond at every millisecond from <paramref name="fromMs"/> to <paramref name="toMs"/> inclusive.</summary>
    public static void RunEachMs(this Bond bond, long fromMs, long toMs)
    {
        for (long t = fromMs; t <= toMs; t++)
        {
            bond.Run(t);
        }
    }

    public static string? ActiveName(this Bond bond) => bond.ActiveMember?.Name;

    public static BondMember Member(this Bond bond, string name) => bond.FindMember(name) ?? throw new InvalidOperationException(name);
}
