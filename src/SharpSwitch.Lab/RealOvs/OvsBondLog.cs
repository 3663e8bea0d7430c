// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using SharpSwitch.Bonding;

namespace SharpSwitch.Lab.RealOvs;

/// <summary>
/// Reads the bond lines a real <c>ovs-vswitchd</c> logs and turns each into the <see cref="BondEvent"/> SharpSwitch
/// would have raised for it, so that the same timeline, verdict and report code serve both switches. OVS names only
/// the member in member lines; the lab knows which bond each member is in. The lines come either from the log file
/// (read as it grows) or from a Unix datagram socket the daemon sends its syslog lines to
/// (<c>--syslog-method=unix:PATH</c>): ovs-vswitchd writes its log file through a background writer once it has
/// started, so a line may reach the file well after the switch has moved on, while a syslog datagram is sent from the
/// thread that logs it, before the switch does anything else.
/// </summary>
internal sealed partial class OvsBondLog : IDisposable
{
    private readonly string _path;
    private readonly IReadOnlyDictionary<string, string> _bondOfMember;
    private readonly Socket? _syslog;
    private readonly byte[] _datagram = new byte[64 * 1024];
    private FileStream? _stream;
    private StreamReader? _reader;
    private string _partial = "";

    /// <summary>Reads the log file at <paramref name="path"/>.</summary>
    public OvsBondLog(string path, IReadOnlyDictionary<string, string> bondOfMember)
    {
        _path = path;
        _bondOfMember = bondOfMember;
    }

    private OvsBondLog(Socket syslog, string path, IReadOnlyDictionary<string, string> bondOfMember)
        : this(path, bondOfMember)
    {
        _syslog = syslog;
    }

    /// <summary>Listens at <paramref name="socketPath"/> for the syslog datagrams of a daemon yet to be started.</summary>
    public static OvsBondLog ListenForSyslog(string socketPath, IReadOnlyDictionary<string, string> bondOfMember)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(socketPath));
            // Bond lines are few, but a start-up or a flap logs a burst; the lab reads after every step.
            socket.ReceiveBufferSize = 1024 * 1024;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new OvsBondLog(socket, socketPath, bondOfMember);
    }

    [GeneratedRegex(@"^member (?<member>\S+): (?<what>link state up|link state down|enabled|disabled|will be enabled if it stays up for (?<ms>\d+) ms|will be disabled if it stays down for (?<ms2>\d+) ms)$")]
    private static partial Regex MemberLine();

    [GeneratedRegex(@"^bond (?<bond>\S+): (?:active member is now (?<member>[^,\s]+)|(?<none>all members disabled)|(?<shift>shift \S+ of load(?: \(with hash \d+\) from \S+ to (?<to>[^\s(]+))?))")]
    private static partial Regex BondLine();

    /// <summary>Returns the bond events logged since the last call, each stamped with <paramref name="nowMs"/>.</summary>
    public List<BondEvent> ReadNew(long nowMs)
    {
        var events = new List<BondEvent>();
        if (_syslog is not null)
        {
            while (_syslog.Available > 0)
            {
                int length = _syslog.Receive(_datagram);
                // One line per datagram, "<PRI>ovs|SEQUENCE|MODULE|LEVEL|MESSAGE", the fields of a log file line.
                Feed(Encoding.UTF8.GetString(_datagram, 0, length).TrimEnd('\n') + "\n", nowMs, events);
            }
            return events;
        }
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
        _syslog?.Dispose();
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
                // balance-slb's rebalancing, which moves one hash bucket between members; SharpSwitch names the member
                // the bucket moved to.
                string? to = bondLine.Groups["to"].Success ? bondLine.Groups["to"].Value : null;
                return new BondEvent(nowMs, bond, to, BondEventKind.LoadShifted, message, Reason);
            }
            return bondLine.Groups["none"].Success
                ? new BondEvent(nowMs, bond, null, BondEventKind.AllMembersDisabled, message, Reason)
                : new BondEvent(nowMs, bond, bondLine.Groups["member"].Value, BondEventKind.ActiveChanged, message, Reason);
        }
        return null;
    }
}
