// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios.Yaml;

namespace SharpSwitch.Lab.Scenarios;

public static partial class ScenarioReader
{
    /// <summary>The highest UDP rate a flow may ask for; the virtual clock ticks in milliseconds.</summary>
    public const int MaximumRatePps = 100_000;

    /// <summary>Smallest Ethernet frame (without FCS) the lab sends; shorter frames are padded to this on a real wire.</summary>
    public const int MinimumFrameBytes = 60;

    /// <summary>Largest Ethernet frame (without FCS) for a 1500-byte MTU.</summary>
    public const int MaximumFrameBytes = 1514;

    private static List<TrafficSpec> ReadTraffic(YamlTreeNode node, long durationMs, ScenarioDiagnostics d)
    {
        var flows = new List<TrafficSpec>();
        if (d.List(node, "traffic") is not { } items)
        {
            return flows;
        }
        foreach (YamlTreeNode item in items)
        {
            if (item is not YamlTreeMapping mapping || mapping.Entries.Count != 1)
            {
                d.Report(item.Position, "each traffic entry is '- ping: {...}', '- udp: {...}' or '- tcp: {...}'");
                continue;
            }
            KeyValuePair<YamlTreeScalar, YamlTreeNode> entry = mapping.Entries[0];
            TrafficSpec? flow = entry.Key.Text switch
            {
                "ping" => ReadPing(entry.Value, durationMs, flows.Count(f => f is PingSpec), d),
                "udp" => ReadUdp(entry.Value, durationMs, flows.Count(f => f is UdpStreamSpec), d),
                "tcp" => ReadTcp(entry.Value, durationMs, flows.Count(f => f is TcpStreamSpec), d),
                _ => ReportUnknownTraffic(entry.Key, d),
            };
            if (flow is not null)
            {
                flows.Add(flow);
            }
        }
        return flows;
    }

    private static TrafficSpec? ReportUnknownTraffic(YamlTreeScalar key, ScenarioDiagnostics d)
    {
        d.Report(key.Position, $"unknown traffic type '{ScenarioValues.Shorten(key.Text)}' (expected 'ping', 'udp' or 'tcp')");
        return null;
    }

    private static (string? From, string? To, string? Name, long StartMs, long StopMs) ReadFlowCommon(MappingFields fields, string what, long durationMs, ScenarioDiagnostics d)
    {
        string? from = fields.Required("from") is { } fromNode ? d.Name(fromNode, $"{what} from") : null;
        string? to = fields.Required("to") is { } toNode ? d.Name(toNode, $"{what} to") : null;
        string? name = fields.Optional("name") is { } nameNode ? d.Name(nameNode, $"{what} name") : null;
        long start = fields.Optional("start") is { } startNode ? d.Duration(startNode, $"{what} start") ?? 0 : 0;
        long stop = fields.Optional("stop") is { } stopNode ? d.Duration(stopNode, $"{what} stop") ?? durationMs : durationMs;
        if (fields.Optional("stop") is { } stopAt && stop > durationMs && durationMs > 0)
        {
            d.Report(stopAt.Position, $"{what} stop ({ScenarioValues.FormatSeconds(stop)}) is after the end of the scenario ({ScenarioValues.FormatSeconds(durationMs)})");
        }
        if (stop <= start && durationMs > 0)
        {
            d.Report(fields.KeyPosition("start") ?? fields.Position, $"{what} starts at {ScenarioValues.FormatSeconds(start)}, which is not before it stops ({ScenarioValues.FormatSeconds(stop)})");
        }
        return (from, to, name, start, stop);
    }

    private static PingSpec? ReadPing(YamlTreeNode node, long durationMs, int index, ScenarioDiagnostics d)
    {
        const string What = "ping";
        MappingFields? fields = d.Fields(node, What, "from", "to", "name", "interval", "size", "start", "stop");
        if (fields is null)
        {
            return null;
        }
        (string? from, string? to, string? name, long start, long stop) = ReadFlowCommon(fields, What, durationMs, d);
        long interval = 1000;
        if (fields.Optional("interval") is { } intervalNode && d.Duration(intervalNode, "ping interval") is { } parsedInterval)
        {
            if (parsedInterval < 1)
            {
                d.Report(intervalNode.Position, "ping interval must be at least 1ms");
            }
            interval = Math.Max(1, parsedInterval);
        }
        // Like ping's -s: the ICMP payload size, 56 bytes by default (a 98-byte frame).
        long payload = fields.Optional("size") is { } sizeNode ? d.Integer(sizeNode, "ping size (ICMP payload bytes)", 8, MaximumFrameBytes - 42) ?? 56 : 56;
        if (from is null || to is null)
        {
            return null;
        }
        return new PingSpec(name ?? $"ping-{index + 1}", from, to, start, stop, interval, (int)payload, fields.Position);
    }

    private static UdpStreamSpec? ReadUdp(YamlTreeNode node, long durationMs, int index, ScenarioDiagnostics d)
    {
        const string What = "udp";
        MappingFields? fields = d.Fields(node, What, "from", "to", "name", "rate", "size", "both-directions", "flows", "start", "stop");
        if (fields is null)
        {
            return null;
        }
        (string? from, string? to, string? name, long start, long stop) = ReadFlowCommon(fields, What, durationMs, d);
        long? rate = fields.Required("rate") is { } rateNode ? d.Integer(rateNode, "udp rate (packets per second)", 1, MaximumRatePps) : null;
        long size = fields.Optional("size") is { } sizeNode ? d.Integer(sizeNode, "udp size (Ethernet frame bytes)", MinimumFrameBytes, MaximumFrameBytes) ?? 0 : 128;
        bool both = fields.Optional("both-directions") is { } bothNode && (d.Boolean(bothNode, "udp both-directions") ?? false);
        long flowCount = fields.Optional("flows") is { } flowsNode ? d.Integer(flowsNode, "udp flows (distinct source ports)", 1, Traffic.TrafficSource.SubflowPortsPerLeg - 1) ?? 1 : 1;
        if (from is null || to is null || rate is null)
        {
            return null;
        }
        return new UdpStreamSpec(name ?? $"udp-{index + 1}", from, to, start, stop, (int)rate.Value, (int)size, both, fields.Position) { Flows = (int)flowCount };
    }

    /// <summary>Linux's minimum retransmission timeout (TCP_RTO_MIN), the default for TCP-like streams.</summary>
    public const long DefaultTcpRtoMs = 200;

    private static TcpStreamSpec? ReadTcp(YamlTreeNode node, long durationMs, int index, ScenarioDiagnostics d)
    {
        const string What = "tcp";
        MappingFields? fields = d.Fields(node, What, "from", "to", "name", "rate", "size", "window", "rto", "both-directions", "start", "stop");
        if (fields is null)
        {
            return null;
        }
        (string? from, string? to, string? name, long start, long stop) = ReadFlowCommon(fields, What, durationMs, d);
        long? rate = fields.Required("rate") is { } rateNode ? d.Integer(rateNode, "tcp rate (segments per second)", 1, MaximumRatePps) : null;
        // A full-sized segment by default: 1460 bytes of data in a 1514-byte frame.
        long size = fields.Optional("size") is { } sizeNode ? d.Integer(sizeNode, "tcp size (Ethernet frame bytes)", MinimumFrameBytes + 2, MaximumFrameBytes) ?? 0 : MaximumFrameBytes;
        long window = fields.Optional("window") is { } windowNode ? d.Integer(windowNode, "tcp window (segments)", 1, 65_535) ?? 0 : 64;
        long rto = DefaultTcpRtoMs;
        if (fields.Optional("rto") is { } rtoNode && d.Duration(rtoNode, "tcp rto") is { } parsedRto)
        {
            if (parsedRto < 1)
            {
                d.Report(rtoNode.Position, "tcp rto must be at least 1ms");
            }
            rto = Math.Max(1, parsedRto);
        }
        bool both = fields.Optional("both-directions") is { } bothNode && (d.Boolean(bothNode, "tcp both-directions") ?? false);
        if (from is null || to is null || rate is null)
        {
            return null;
        }
        return new TcpStreamSpec(name ?? $"tcp-{index + 1}", from, to, start, stop, (int)rate.Value, (int)size, (int)window, rto, fields.Position) { BothDirections = both };
    }

    /// <summary>The most cycles one flap may have; each is two events, and a flap is a test, not a soak.</summary>
    public const int MaximumFlapCount = 10_000;

    private static readonly string[] s_impairmentKeys = ["loss", "delay", "jitter", "corrupt", "duplicate", "rate", "limit", "seed"];

    private static readonly string[] s_flapKeys = ["period", "down", "up", "count"];

    private static readonly string[] s_eventKeys =
    [
        "at", "link-down", "link-up", "admin-down", "admin-up", "flap", "impair", "clear-impairments",
        .. s_flapKeys, "from", "for", .. s_impairmentKeys,
    ];

    private static readonly (string Key, EventAction? Action)[] s_eventActions =
    [
        ("link-down", EventAction.LinkDown),
        ("link-up", EventAction.LinkUp),
        ("admin-down", EventAction.AdminDown),
        ("admin-up", EventAction.AdminUp),
        ("flap", null),
        ("impair", EventAction.Impair),
        ("clear-impairments", EventAction.ClearImpairments),
    ];

    private static List<EventSpec> ReadEvents(YamlTreeNode node, long durationMs, ScenarioDiagnostics d)
    {
        var events = new List<EventSpec>();
        if (d.List(node, "events") is not { } items)
        {
            return events;
        }
        foreach (YamlTreeNode item in items)
        {
            MappingFields? fields = d.Fields(item, "an event", s_eventKeys);
            if (fields is null)
            {
                continue;
            }
            long? at = fields.Required("at") is { } atNode ? d.Duration(atNode, "event time 'at'") : null;
            var actions = new List<(string Key, EventAction? Action, YamlTreeNode Node)>();
            foreach ((string key, EventAction? action) in s_eventActions)
            {
                if (fields.Optional(key) is { } actionNode)
                {
                    actions.Add((key, action, actionNode));
                }
            }
            if (actions.Count != 1)
            {
                d.Report(fields.Position, actions.Count == 0
                    ? "an event needs one action: link-down, link-up, admin-down, admin-up, flap, impair or clear-impairments"
                    : "an event has one action; write a second event with the same 'at:' for another");
                continue;
            }
            (string actionKey, EventAction? simpleAction, YamlTreeNode targetNode) = actions[0];
            bool parametersFit = CheckEventParameters(fields, actionKey, d);
            Endpoint? target = d.Endpoint(targetNode, $"{actionKey} target");
            if (at is null || target is null || !parametersFit)
            {
                continue;
            }
            switch (simpleAction)
            {
                case null:
                    events.AddRange(ReadFlap(fields, at.Value, target.Value, durationMs, d));
                    break;
                case EventAction.Impair:
                    {
                        Endpoint? from = fields.Optional("from") is { } fromNode ? d.Endpoint(fromNode, "impair from") : null;
                        long? forMs = fields.Optional("for") is { } forNode ? ReadImpairmentWindow(forNode, at.Value, durationMs, d) : null;
                        if (ReadImpairment(fields, "impair", d) is { } impairment && (forMs is not null || fields.Optional("for") is null))
                        {
                            var impair = new EventSpec(at.Value, EventAction.Impair, target.Value, fields.Position) { Impairment = impairment, From = from, ForMs = forMs };
                            events.Add(impair);
                            if (forMs is { } window)
                            {
                                events.Add(new EventSpec(at.Value + window, EventAction.ImpairmentEnds, target.Value, fields.Position) { From = from, EndsImpairment = impair });
                            }
                        }
                        break;
                    }
                case EventAction.ClearImpairments:
                    {
                        Endpoint? from = fields.Optional("from") is { } fromNode ? d.Endpoint(fromNode, "clear-impairments from") : null;
                        events.Add(new EventSpec(at.Value, EventAction.ClearImpairments, target.Value, fields.Position) { From = from });
                        break;
                    }
                default:
                    events.Add(new EventSpec(at.Value, simpleAction.Value, target.Value, fields.Position));
                    break;
            }
        }
        return events;
    }

    /// <summary>Reports every key that belongs to another kind of event (a 'period' on a link-down, a 'loss' on a flap).</summary>
    private static bool CheckEventParameters(MappingFields fields, string actionKey, ScenarioDiagnostics d)
    {
        string[] allowed = actionKey switch
        {
            "flap" => s_flapKeys,
            "impair" => ["from", "for", .. s_impairmentKeys],
            "clear-impairments" => ["from"],
            _ => [],
        };
        bool fit = true;
        foreach (KeyValuePair<YamlTreeScalar, YamlTreeNode> entry in fields.Mapping.Entries)
        {
            string key = entry.Key.Text;
            if (key == "at" || key == actionKey || allowed.Contains(key, StringComparer.Ordinal) || !s_eventKeys.Contains(key, StringComparer.Ordinal))
            {
                continue;
            }
            if (s_eventActions.Any(a => a.Key == key))
            {
                // Two actions in one event are reported once, by the caller.
                continue;
            }
            string owner = s_flapKeys.Contains(key, StringComparer.Ordinal) ? "flap events" : key == "from" ? "impair and clear-impairments events" : "impair events";
            d.Report(entry.Key.Position, $"'{key}' does not belong to a {actionKey} event (it is for {owner})");
            fit = false;
        }
        return fit;
    }

    /// <summary>
    /// Expands a <c>flap</c> into its link-down and link-up events: cycle <c>i</c> pulls the cable at
    /// <c>at + i * (down + up)</c> and plugs it back <c>down</c> later, so the flap ends with the cable in.
    /// </summary>
    private static List<EventSpec> ReadFlap(MappingFields fields, long atMs, Endpoint target, long durationMs, ScenarioDiagnostics d)
    {
        var events = new List<EventSpec>();
        long? count = fields.Required("count") is { } countNode ? d.Integer(countNode, "flap count", 1, MaximumFlapCount) : null;
        YamlTreeNode? periodNode = fields.Optional("period");
        YamlTreeNode? downNode = fields.Optional("down");
        YamlTreeNode? upNode = fields.Optional("up");
        long? downMs = null;
        long? upMs = null;
        if (periodNode is not null)
        {
            if (downNode is not null || upNode is not null)
            {
                d.Report(periodNode.Position, "a flap takes either 'period' (half down, half up) or 'down' and 'up', not both");
                return events;
            }
            if (d.Duration(periodNode, "flap period") is { } period)
            {
                if (period < 2)
                {
                    d.Report(periodNode.Position, "flap period must be at least 2ms (1ms down, 1ms up)");
                    return events;
                }
                downMs = period / 2;
                upMs = period - downMs;
            }
        }
        else if (downNode is null || upNode is null)
        {
            d.Report(fields.Position, "a flap needs 'period' (one down-and-up cycle) or both 'down' and 'up' durations");
            return events;
        }
        else
        {
            downMs = ReadPositiveDuration(downNode, "flap down", d);
            upMs = ReadPositiveDuration(upNode, "flap up", d);
        }
        if (count is null || downMs is null || upMs is null)
        {
            return events;
        }
        long cycle = downMs.Value + upMs.Value;
        long lastUpMs = atMs + ((count.Value - 1) * cycle) + downMs.Value;
        if (durationMs > 0 && lastUpMs >= durationMs)
        {
            d.Report(fields.Position, $"the flap's last link-up would be at {ScenarioValues.FormatSeconds(lastUpMs)}, which is not before the end of the scenario ({ScenarioValues.FormatSeconds(durationMs)})");
            return events;
        }
        for (int i = 0; i < count.Value; i++)
        {
            long downAt = atMs + (i * cycle);
            var origin = new FlapOrigin(i + 1, (int)count.Value, downMs.Value, upMs.Value);
            events.Add(new EventSpec(downAt, EventAction.LinkDown, target, fields.Position) { Flap = origin, OpensPhase = i == 0 });
            events.Add(new EventSpec(downAt + downMs.Value, EventAction.LinkUp, target, fields.Position) { Flap = origin, OpensPhase = i == count.Value - 1 });
        }
        return events;
    }

    /// <summary>
    /// Reads an impair's <c>for:</c>, how long the impairment lasts: at least 1 ms, and ending before the scenario
    /// does (an impairment meant to last to the end needs no <c>for:</c>).
    /// </summary>
    private static long? ReadImpairmentWindow(YamlTreeNode node, long atMs, long durationMs, ScenarioDiagnostics d)
    {
        long? window = ReadPositiveDuration(node, "impair for", d);
        if (window is { } ms && durationMs > 0 && atMs + ms >= durationMs)
        {
            d.Report(node.Position, $"the impairment would end at {ScenarioValues.FormatSeconds(atMs + ms)}, which is not before the end of the scenario ({ScenarioValues.FormatSeconds(durationMs)}); leave out 'for' to keep it to the end");
            return null;
        }
        return window;
    }

    private static long? ReadPositiveDuration(YamlTreeNode node, string what, ScenarioDiagnostics d)
    {
        long? value = d.Duration(node, what);
        if (value == 0)
        {
            d.Report(node.Position, $"{what} must be at least 1ms");
            return null;
        }
        return value;
    }

    /// <summary>
    /// Reads netem-style settings from <paramref name="fields"/>: <c>loss: 5%</c> (or <c>5% 25%</c> with a
    /// correlation), <c>delay</c>, <c>jitter</c>, <c>corrupt</c>, <c>duplicate</c>, <c>rate</c>, <c>limit</c>, <c>seed</c>.
    /// At least one impairment must be given; an impair with nothing in it is almost certainly a mistake.
    /// </summary>
    private static ImpairmentSpec? ReadImpairment(MappingFields fields, string what, ScenarioDiagnostics d)
    {
        bool ok = true;
        decimal loss = 0;
        decimal lossCorrelation = 0;
        if (fields.Optional("loss") is { } lossNode && d.String(lossNode, $"{what} loss") is { } lossText)
        {
            string[] parts = lossText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is 0 or > 2)
            {
                d.Report(lossNode.Position, $"{what} loss is a percentage with an optional correlation (examples: 5%, '5% 25%'), not '{ScenarioValues.Shorten(lossText)}'");
                ok = false;
            }
            else
            {
                ok &= ReadPercent(lossNode, parts[0], $"{what} loss", d, out loss);
                if (parts.Length == 2)
                {
                    ok &= ReadPercent(lossNode, parts[1], $"{what} loss correlation", d, out lossCorrelation);
                }
            }
        }
        long delay = 0;
        if (fields.Optional("delay") is { } delayNode)
        {
            delay = d.Duration(delayNode, $"{what} delay") ?? -1;
            ok &= delay >= 0;
        }
        long jitter = 0;
        if (fields.Optional("jitter") is { } jitterNode)
        {
            jitter = d.Duration(jitterNode, $"{what} jitter") ?? -1;
            ok &= jitter >= 0;
        }
        decimal corrupt = ReadSimplePercent(fields, "corrupt", what, d, ref ok);
        decimal duplicate = ReadSimplePercent(fields, "duplicate", what, d, ref ok);
        long rate = 0;
        if (fields.Optional("rate") is { } rateNode && d.String(rateNode, $"{what} rate") is { } rateText)
        {
            if (!ScenarioValues.TryParseRate(rateText, out rate, out string error))
            {
                d.Report(rateNode.Position, $"{what} rate: {error}");
                ok = false;
            }
        }
        long limit = ImpairmentSpec.DefaultLimitFrames;
        if (fields.Optional("limit") is { } limitNode)
        {
            long? parsed = d.Integer(limitNode, $"{what} limit (frames)", 1, 1_000_000);
            ok &= parsed is not null;
            limit = parsed ?? limit;
        }
        long? seed = null;
        if (fields.Optional("seed") is { } seedNode)
        {
            seed = d.Integer(seedNode, $"{what} seed", 0, long.MaxValue);
            ok &= seed is not null;
        }
        if (!ok)
        {
            return null;
        }

        // A misspelt key was already reported; saying that nothing is impaired as well would only repeat it.
        bool misspelt = fields.Mapping.Entries.Any(e => !s_eventKeys.Contains(e.Key.Text, StringComparer.Ordinal));
        if (loss == 0 && delay == 0 && jitter == 0 && corrupt == 0 && duplicate == 0 && rate == 0 && !misspelt)
        {
            d.Report(fields.Position, $"{what} names no impairment: give loss, delay, jitter, corrupt, duplicate or rate (use clear-impairments to remove them)");
            return null;
        }
        return new ImpairmentSpec(loss, lossCorrelation, delay, jitter, corrupt, duplicate, rate, (int)limit, seed);
    }

    private static decimal ReadSimplePercent(MappingFields fields, string key, string what, ScenarioDiagnostics d, ref bool ok)
    {
        if (fields.Optional(key) is not { } node)
        {
            return 0;
        }
        if (d.String(node, $"{what} {key}") is not { } text)
        {
            ok = false;
            return 0;
        }
        if (text.Trim().Contains(' ', StringComparison.Ordinal))
        {
            d.Report(node.Position, $"{what} {key} takes one percentage; the lab models correlation for loss only");
            ok = false;
            return 0;
        }
        ok &= ReadPercent(node, text, $"{what} {key}", d, out decimal value);
        return value;
    }

    private static bool ReadPercent(YamlTreeNode node, string text, string what, ScenarioDiagnostics d, out decimal percent)
    {
        if (ScenarioValues.TryParsePercent(text, out percent, out string error))
        {
            return true;
        }
        d.Report(node.Position, $"{what}: {error}");
        return false;
    }
}
