// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SharpSwitch.JsonRpc;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Server;
using SharpSwitch.Ovsdb.Transactions;

namespace SharpSwitch.Ovsdb.Tests.Server;

/// <summary>
/// Drives the server engine directly with named sessions and a virtual clock, the way tests of a sans-I/O engine
/// should: no sockets, no sleeping; time moves only when a test (or a transcript) needs a timeout to fire.
/// </summary>
internal sealed partial class EngineHarness
{
    private readonly Dictionary<string, (OvsdbSession Session, Queue<JsonRpcMessage> Inbox)> _sessions = [];

    public EngineHarness(Database? database = null)
    {
        Database = database ?? new Database(VswitchSchema.Load());
        Engine = new OvsdbServerEngine([new ServedDatabase(Database)]);
    }

    public Database Database { get; }

    public OvsdbServerEngine Engine { get; }

    public long Now { get; private set; } = 1_000_000;

    public Queue<JsonRpcMessage> Inbox(string name) => Session(name).Inbox;

    private (OvsdbSession Session, Queue<JsonRpcMessage> Inbox) Session(string name)
    {
        if (!_sessions.TryGetValue(name, out var entry))
        {
            var inbox = new Queue<JsonRpcMessage>();
            var session = new OvsdbSession(name, inbox.Enqueue);
            Engine.Connect(session);
            entry = (session, inbox);
            _sessions[name] = entry;
        }
        return entry;
    }

    public void Send(string name, string json) => Engine.Receive(Session(name).Session, JsonRpcMessage.Parse(Encoding.UTF8.GetBytes(json)), Now);

    public void Close(string name)
    {
        Engine.Disconnect(Session(name).Session);
        _sessions.Remove(name);
    }

    /// <summary>Sends and returns the next message the session receives.</summary>
    public string Request(string name, string json)
    {
        Send(name, json);
        return Next(name);
    }

    /// <summary>The next message for a session, advancing virtual time to the next deadline if nothing is queued.</summary>
    public string Next(string name)
    {
        Queue<JsonRpcMessage> inbox = Session(name).Inbox;
        if (inbox.Count == 0 && Engine.NextDeadlineMs is long deadline)
        {
            Now = Math.Max(Now, deadline + 1);
            Engine.Tick(Now);
        }
        Assert.True(inbox.Count > 0, $"session {name} received nothing");
        return inbox.Dequeue().ToString();
    }

    public void Advance(long ms)
    {
        Now += ms;
        Engine.Tick(Now);
    }

    /// <summary>Loads the fixture the 09/10/21 captures ran against, with the captured row UUIDs.</summary>
    public void LoadCaptureFixture(bool withExternalIds)
    {
        string externalIds = withExternalIds ? """["map",[["during-steal","1"],["fallback","noserver_no_mcs_no_mc_no_aware"]]]""" : """["map",[]]""";
        string reply = Request("setup", $$$"""
            {"id":"setup","method":"transact","params":["Open_vSwitch",
             {"op":"insert","table":"Interface","uuid-name":"id1","row":{"name":"d1","type":"dummy","ofport":4}},
             {"op":"insert","table":"Port","uuid-name":"d1","row":{"name":"d1","interfaces":["named-uuid","id1"]}},
             {"op":"insert","table":"Interface","uuid-name":"ip0","uuid":"541920d0-1646-42c3-a78a-3c688ccc9ea2","row":{"name":"p0","type":"dummy","ofport":3}},
             {"op":"insert","table":"Port","uuid-name":"p0","uuid":"5545b644-2e19-44e3-83ed-8e910beb9e8f","row":{"name":"p0","interfaces":["named-uuid","ip0"]}},
             {"op":"insert","table":"Bridge","uuid-name":"brB","uuid":"42b76b67-118b-425a-a990-3fabd4b788f6","row":{"name":"brB","datapath_type":"netdev"}},
             {"op":"insert","table":"Bridge","uuid-name":"brA","uuid":"10d73180-9b51-497c-9ff4-b9b0f3a1a31b","row":{"name":"brA","datapath_type":"netdev"}},
             {"op":"insert","table":"Bridge","uuid-name":"br0","uuid":"32eeb5d6-1580-4cd0-af74-dbb999be8e6f","row":{"name":"br0","datapath_type":"netdev","external_ids":{{{externalIds}}},"ports":["set",[["named-uuid","p0"],["named-uuid","d1"]]]}},
             {"op":"insert","table":"Open_vSwitch","uuid":"4f1fb425-f8d1-42c6-b620-9e288491b118","row":{"cur_cfg":21,"next_cfg":21,"bridges":["set",[["named-uuid","br0"],["named-uuid","brA"],["named-uuid","brB"]]]}}]}
            """);
        Assert.True(!reply.Contains("\"details\"", StringComparison.Ordinal), reply);
        Close("setup");
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    public static partial Regex UuidPattern();

    /// <summary>Canonical JSON text: members sorted, and the row lists of select results sorted (their order is unspecified).</summary>
    public static string Canonical(string json)
    {
        JsonNode? node = JsonNode.Parse(json);
        return JsonText.Sorted(JsonText.ToElement(SortRows(node)));
    }

    private static JsonNode? SortRows(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (string key in obj.Select(p => p.Key).ToList())
                {
                    JsonNode? child = SortRows(obj[key]?.DeepClone());
                    if (key == "rows" && child is JsonArray rows)
                    {
                        child = new JsonArray([.. rows.Select(r => r?.DeepClone()).OrderBy(r => JsonText.Sorted(JsonText.ToElement(r)), StringComparer.Ordinal)]);
                    }
                    obj[key] = child;
                }
                return obj;
            case JsonArray array:
                for (int i = 0; i < array.Count; i++)
                {
                    array[i] = SortRows(array[i]?.DeepClone());
                }
                return array;
            default:
                return node;
        }
    }
}

/// <summary>Replaces UUIDs not known in advance by placeholders, numbered in order of appearance.</summary>
internal sealed class UuidNormalizer(ISet<string> known)
{
    private readonly Dictionary<string, string> _names = [];

    public string Normalize(string text) => EngineHarness.UuidPattern().Replace(text, m =>
    {
        if (known.Contains(m.Value))
        {
            return m.Value;
        }
        if (!_names.TryGetValue(m.Value, out string? name))
        {
            name = $"<uuid{_names.Count}>";
            _names[m.Value] = name;
        }
        return name;
    });
}
