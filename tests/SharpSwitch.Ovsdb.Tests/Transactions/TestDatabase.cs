// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Transactions;

namespace SharpSwitch.Ovsdb.Tests.Transactions;

/// <summary>A database plus helpers that run transact requests and commit them, as the server would.</summary>
internal sealed class TestDatabase
{
    public const string SmallSchema = """
        {"name":"Small","version":"1.0.0","tables":{
          "Root":{"isRoot":true,"maxRows":1,"columns":{
             "bridges":{"type":{"key":{"type":"uuid","refTable":"Bridge"},"min":0,"max":"unlimited"}},
             "next_cfg":{"type":"integer"},
             "ratio":{"type":"real"}}},
          "Bridge":{"indexes":[["name"]],"columns":{
             "name":{"type":"string","mutable":false},
             "ports":{"type":{"key":{"type":"uuid","refTable":"Port"},"min":0,"max":"unlimited"}},
             "mirrors":{"type":{"key":{"type":"uuid","refTable":"Mirror"},"min":0,"max":"unlimited"}},
             "fail_mode":{"type":{"key":{"type":"string","enum":["set",["standalone","secure"]]},"min":0,"max":1}},
             "external_ids":{"type":{"key":"string","value":"string","min":0,"max":"unlimited"}},
             "flood_vlans":{"type":{"key":{"type":"integer","minInteger":0,"maxInteger":4095},"min":0,"max":4096}},
             "status":{"type":{"key":"string","value":"string","min":0,"max":"unlimited"},"ephemeral":true}}},
          "Port":{"indexes":[["name"]],"columns":{
             "name":{"type":"string","mutable":false},
             "interfaces":{"type":{"key":{"type":"uuid","refTable":"Interface"},"min":1,"max":"unlimited"}},
             "tag":{"type":{"key":{"type":"integer","minInteger":0,"maxInteger":4095},"min":0,"max":1}}}},
          "Interface":{"indexes":[["name"]],"columns":{
             "name":{"type":"string","mutable":false},
             "type":{"type":"string"},
             "ofport":{"type":{"key":"integer","min":0,"max":1}}}},
          "Mirror":{"columns":{
             "name":{"type":"string"},
             "select_src_port":{"type":{"key":{"type":"uuid","refTable":"Port","refType":"weak"},"min":0,"max":"unlimited"}}}},
          "QoS":{"isRoot":true,"columns":{"type":{"type":"string"}}}}}
        """;

    public TestDatabase(string schemaJson = SmallSchema)
    {
        Database = new Database(DatabaseSchema.Parse(schemaJson));
    }

    public Database Database { get; }

    public List<ChangeSet> Commits { get; } = [];

    public Func<string, bool> Locks { get; set; } = _ => false;

    public TransactResult Run(string operationsJson, long nowMs = 0, long startedMs = 0)
    {
        JsonElement ops = JsonText.Parse(operationsJson);
        TransactResult result = TransactionExecutor.Execute(Database, [.. ops.EnumerateArray()], new TransactionContext(Locks, nowMs, startedMs));
        if (result.Changes is { IsEmpty: false } changes)
        {
            Database.Apply(changes);
            Commits.Add(changes);
        }
        return result;
    }

    public JsonArray Reply(string operationsJson) => Run(operationsJson).Reply ?? throw new InvalidOperationException("transaction is waiting");

    public string ReplyText(string operationsJson) => JsonText.Compact(Reply(operationsJson));

    public Guid InsertedUuid(JsonArray reply, int index) => Guid.Parse(reply[index]!["uuid"]![1]!.GetValue<string>());

    public int Count(string table) => Database.Rows(table).Count;

    public Row Single(string table, string name) => Database.Rows(table).Values.Single(r => r.Get("name").Keys[0].String == name);

    /// <summary>Creates the root row, a bridge br0 with port p0 (interface p0), and returns their uuids.</summary>
    public (Guid Root, Guid Bridge, Guid Port, Guid Interface) Populate()
    {
        JsonArray reply = Reply("""
            [{"op":"insert","table":"Root","row":{"bridges":["named-uuid","b"]}},
             {"op":"insert","table":"Bridge","uuid-name":"b","row":{"name":"br0","ports":["named-uuid","p"]}},
             {"op":"insert","table":"Port","uuid-name":"p","row":{"name":"p0","interfaces":["named-uuid","i"]}},
             {"op":"insert","table":"Interface","uuid-name":"i","row":{"name":"p0","type":"dummy"}}]
            """);
        return (InsertedUuid(reply, 0), InsertedUuid(reply, 1), InsertedUuid(reply, 2), InsertedUuid(reply, 3));
    }
}
