// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.RegularExpressions;
using SharpSwitch.Bonding;

namespace SharpSwitch.Lab.RealOvs;

/// <summary>
/// Reads the bond lines of a real <c>ovs-vswitchd</c>'s log file as it grows and turns each into the
/// <see cref="BondEvent"/> SharpSwitch would have raised for it, so that the same timeline, verdict and report code
/// serve both switches. OVS names only the member in member lines; the lab knows which bond each member is in.
/// </summary>
internal sealed partial class OvsBondLog : IDisposable
{
    private readonly string _path;
    private readonly IReadOnlyDictionary<string, string> _bondOfMember;
    private FileStream? _stream;
    private StreamReader? _reader;
    private string _partial = "";

    public OvsBondLog(string path, IReadOnlyDictionary<string, string> bondOfMember)
    {
        _path = path;
        _bondOfMember = bondOfMember;
    }

    [GeneratedRegex(@"^member (?<member>\S+): (?<what>link state up|link state down|enabled|disabled|will be enabled if it stays up for (?<ms>\d+) ms|will be disabled if it stays down for (?<ms2>\d+) ms)$")]
    private static partial Regex MemberLine();

    [GeneratedRegex(@"^bond (?<bond>\S+): (?:active member is now (?<member>[^,\s]+)|(?<none>all members disabled)|(?<shift>shift \S+ of load))")]
    private static partial Regex BondLine();

    /// <summary>Returns the bond events logged since the last call, each stamped with <paramref name="nowMs"/>.</summary>
    public List<BondEvent> ReadNew(long nowMs)
    {
        var events = new List<BondEvent>();
        if (_reader is null)
        {
            if (!File.Exists(_path))
            {
                return events;
            }
            // The file stays open for the whole run: the lab reads it after every step of the switch.
            _stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _reader = new StreamReader(_stream);
        }
        Feed(_reader.ReadToEnd(), nowMs, events);
        return events;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _reader?.Dispose();
        _stream?.Dispose();
    }

    /// <summary>
    /// Takes the next piece of the log as it was read (possibly ending in the middle of a line, which is kept for the
    /// next piece) and adds an event for every complete bond line.
    /// </summary>
    internal void Feed(string text, long nowMs, List<BondEvent> events)
    {
        text = _partial + text;
        int lastNewline = text.LastIndexOf('\n');
        _partial = text[(lastNewline + 1)..];
        foreach (string line in text[..(lastNewline + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // TIME|SEQUENCE|MODULE|LEVEL|MESSAGE
            string[] fields = line.Split('|', 5);
            if (fields.Length == 5 && fields[2] == "bond" && Parse(nowMs, fields[4]) is BondEvent e)
            {
                events.Add(e);
            }
        }
    }

    private BondEvent? Parse(long nowMs, string message)
    {
        const string Reason = "ovs-vswitchd log";
        Match member = MemberLine().Match(message);
        if (member.Success)
        {
            string name = member.Groups["member"].Value;
            if (!_bondOfMember.TryGetValue(name, out string? bond))
            {
                return null;
            }
            string what = member.Groups["what"].Value;
            BondEventKind kind = what switch
            {
                "link state up" => BondEventKind.LinkUp,
                "link state down" => BondEventKind.LinkDown,
                "enabled" => BondEventKind.Enabled,
                "disabled" => BondEventKind.Disabled,
                _ when what.StartsWith("will be enabled", StringComparison.Ordinal) => BondEventKind.WillBeEnabled,
                _ => BondEventKind.WillBeDisabled,
            };
            return new BondEvent(nowMs, bond, name, kind, message, Reason);
        }
        Match bondLine = BondLine().Match(message);
        if (bondLine.Success)
        {
            string bond = bondLine.Groups["bond"].Value;
            if (bondLine.Groups["shift"].Success)
            {
                // balance-slb's rebalancing, which moves one hash bucket between members.
                return new BondEvent(nowMs, bond, null, BondEventKind.LoadShifted, message, Reason);
            }
            return bondLine.Groups["none"].Success
                ? new BondEvent(nowMs, bond, null, BondEventKind.AllMembersDisabled, message, Reason)
                : new BondEvent(nowMs, bond, bondLine.Groups["member"].Value, BondEventKind.ActiveChanged, message, Reason);
        }
        return null;
    }
}
