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
                d.Report(item.Position, "each traffic entry is '- ping: {...}' or '- udp: {...}'");
                continue;
            }
            KeyValuePair<YamlTreeScalar, YamlTreeNode> entry = mapping.Entries[0];
            TrafficSpec? flow = entry.Key.Text switch
            {
                "ping" => ReadPing(entry.Value, durationMs, flows.Count(f => f is PingSpec), d),
                "udp" => ReadUdp(entry.Value, durationMs, flows.Count(f => f is UdpStreamSpec), d),
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
        d.Report(key.Position, $"unknown traffic type '{ScenarioValues.Shorten(key.Text)}' (expected 'ping' or 'udp')");
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
        MappingFields? fields = d.Fields(node, What, "from", "to", "name", "rate", "size", "both-directions", "start", "stop");
        if (fields is null)
        {
            return null;
        }
        (string? from, string? to, string? name, long start, long stop) = ReadFlowCommon(fields, What, durationMs, d);
        long? rate = fields.Required("rate") is { } rateNode ? d.Integer(rateNode, "udp rate (packets per second)", 1, MaximumRatePps) : null;
        long size = fields.Optional("size") is { } sizeNode ? d.Integer(sizeNode, "udp size (Ethernet frame bytes)", MinimumFrameBytes, MaximumFrameBytes) ?? 0 : 128;
        bool both = fields.Optional("both-directions") is { } bothNode && (d.Boolean(bothNode, "udp both-directions") ?? false);
        if (from is null || to is null || rate is null)
        {
            return null;
        }
        return new UdpStreamSpec(name ?? $"udp-{index + 1}", from, to, start, stop, (int)rate.Value, (int)size, both, fields.Position);
    }

    private static List<EventSpec> ReadEvents(YamlTreeNode node, ScenarioDiagnostics d)
    {
        var events = new List<EventSpec>();
        if (d.List(node, "events") is not { } items)
        {
            return events;
        }
        foreach (YamlTreeNode item in items)
        {
            MappingFields? fields = d.Fields(item, "an event", "at", "link-down", "link-up", "admin-down", "admin-up");
            if (fields is null)
            {
                continue;
            }
            long? at = fields.Required("at") is { } atNode ? d.Duration(atNode, "event time 'at'") : null;
            var actions = new List<(EventAction Action, YamlTreeNode Node)>();
            foreach ((string key, EventAction action) in s_eventActions)
            {
                if (fields.Optional(key) is { } actionNode)
                {
                    actions.Add((action, actionNode));
                }
            }
            if (actions.Count != 1)
            {
                d.Report(fields.Position, actions.Count == 0
                    ? "an event needs one action: link-down, link-up, admin-down or admin-up"
                    : "an event has one action; write a second event with the same 'at:' for another");
                continue;
            }
            Endpoint? target = d.Endpoint(actions[0].Node, "event target");
            if (at is not null && target is not null)
            {
                events.Add(new EventSpec(at.Value, actions[0].Action, target.Value, fields.Position));
            }
        }
        return events;
    }

    private static readonly (string Key, EventAction Action)[] s_eventActions =
    [
        ("link-down", EventAction.LinkDown),
        ("link-up", EventAction.LinkUp),
        ("admin-down", EventAction.AdminDown),
        ("admin-up", EventAction.AdminUp),
    ];
}
