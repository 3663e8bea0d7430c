// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.Json;
using SharpSwitch.Ovsdb;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Transactions;

namespace SharpSwitch.Fuzz.Targets;

/// <summary>
/// Fuzz targets for the OVSDB engine. Both may only ever fail with <see cref="OvsdbException"/> (bad input) or, for
/// input that is not JSON at all, the JSON reader's own <see cref="JsonException"/>; anything else is a bug.
/// "ovsdb-datum": the first byte picks a column type of the vswitch schema, the rest is parsed as JSON and as OVS
/// string syntax, and whatever parses must survive a round trip. "ovsdb-transaction": the input is the operation
/// array of a transact request, run against a database with a bridge, port and interface.
/// </summary>
internal static class OvsdbFuzzTargets
{
    private static readonly DatabaseSchema s_schema = VswitchSchema.Load();

    private static readonly ColumnType[] s_types = [.. s_schema.Tables.SelectMany(t => t.Columns).Select(c => c.Type).DistinctBy(t => JsonSerializer.Serialize(t.ToJson()))];

    [FuzzTarget("ovsdb-datum")]
    public static void FuzzDatum(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0)
        {
            return;
        }
        ColumnType type = s_types[input[0] % s_types.Length];
        string text = Encoding.UTF8.GetString(input[1..]);
        JsonElement? json = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(input[1..].ToArray());
            json = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Not JSON: only the string syntax applies.
        }
        if (json is JsonElement element)
        {
            try
            {
                Datum datum = Datum.FromJson(element, type, new SymbolTable());
                Datum again = Datum.FromJson(JsonText.ToElement(datum.ToJson()), type, new SymbolTable());
                Check(datum.Equals(again), $"JSON round trip changed {datum}");
            }
            catch (OvsdbException)
            {
                // Bad input is allowed to fail, but only this way.
            }
        }
        try
        {
            Datum parsed = Datum.ParseOvsString(type, text, new SymbolTable());
            bool exact = type.Key.Type != AtomType.Real && type.Value?.Type != AtomType.Real;
            if (exact)
            {
                Datum reparsed = Datum.ParseOvsString(type, parsed.ToOvsString());
                Check(parsed.Equals(reparsed), $"string round trip changed {parsed} into {reparsed}");
            }
        }
        catch (OvsdbException)
        {
            // Bad input is allowed to fail, but only this way.
        }
    }

    [FuzzTarget("ovsdb-transaction")]
    public static void FuzzTransaction(ReadOnlySpan<byte> input)
    {
        JsonElement operations;
        try
        {
            using JsonDocument document = JsonDocument.Parse(input.ToArray());
            operations = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return;
        }
        if (operations.ValueKind != JsonValueKind.Array)
        {
            return;
        }
        Database database = SeededDatabase();
        TransactResult result = TransactionExecutor.Execute(database, [.. operations.EnumerateArray()], new TransactionContext(name => name == "held", 1000, 0));
        Check(result.MustWait || result.Reply is not null, "a finished transaction must have a reply");
        if (result.Reply is not null)
        {
            Check(result.Reply.Count == operations.GetArrayLength() || result.Reply.Count == operations.GetArrayLength() + 1, "the reply is not aligned with the operations");
        }
        if (result.Changes is { IsEmpty: false } changes)
        {
            database.Apply(changes);
        }
    }

    private static Database SeededDatabase()
    {
        var database = new Database(s_schema);
        JsonElement seed = JsonText.Parse("""
            [{"op":"insert","table":"Interface","uuid-name":"i","row":{"name":"p0","type":"dummy"}},
             {"op":"insert","table":"Port","uuid-name":"p","row":{"name":"p0","interfaces":["named-uuid","i"],"tag":10}},
             {"op":"insert","table":"Bridge","uuid-name":"b","row":{"name":"br0","ports":["named-uuid","p"]}},
             {"op":"insert","table":"Open_vSwitch","row":{"bridges":["named-uuid","b"]}}]
            """);
        TransactResult result = TransactionExecutor.Execute(database, [.. seed.EnumerateArray()], new TransactionContext(_ => false, 0, 0));
        database.Apply(result.Changes!);
        return database;
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
