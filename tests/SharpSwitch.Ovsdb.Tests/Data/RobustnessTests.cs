// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.Json;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Tests.Schema;
using SharpSwitch.Ovsdb.Transactions;

namespace SharpSwitch.Ovsdb.Tests.Data;

/// <summary>
/// Mutates the fuzz seed corpora many times (deterministically) and feeds the results to the datum parsers and the
/// transaction executor: bad input may fail only with <see cref="OvsdbException"/>.
/// </summary>
public sealed class RobustnessTests
{
    private static readonly DatabaseSchema s_schema = VswitchSchema.Load();

    private static IEnumerable<byte[]> Mutants(string corpus, int seed, int count)
    {
        string dir = Path.Combine(VswitchSchemaTests.RepositoryRoot(), "tests", "TestData", "corpus", corpus);
        byte[][] seeds = [.. Directory.GetFiles(dir).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];
        Assert.NotEmpty(seeds);
        var random = new Random(seed);
        const string interesting = "[]{}\",:=@ \\-0123456789.eE\"setmapuuidnamed-true";
        for (int i = 0; i < count; i++)
        {
            var bytes = new List<byte>(seeds[random.Next(seeds.Length)]);
            int edits = random.Next(1, 5);
            for (int e = 0; e < edits && bytes.Count > 0; e++)
            {
                int at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0:
                        bytes.RemoveAt(at);
                        break;
                    case 1:
                        bytes.Insert(at, (byte)interesting[random.Next(interesting.Length)]);
                        break;
                    case 2:
                        bytes[at] = (byte)random.Next(256);
                        break;
                    default:
                        bytes.RemoveRange(at, bytes.Count - at);
                        break;
                }
            }
            yield return [.. bytes];
        }
    }

    [Fact]
    public void Mutated_datums_fail_only_with_ovsdb_errors()
    {
        ColumnType[] types = [.. s_schema.Tables.SelectMany(t => t.Columns).Select(c => c.Type)];
        int parsed = 0;
        foreach (byte[] input in Mutants("ovsdb-datum", 7, 20_000))
        {
            if (input.Length == 0)
            {
                continue;
            }
            ColumnType type = types[input[0] % types.Length];
            try
            {
                Datum datum = Datum.ParseOvsString(type, Encoding.UTF8.GetString(input, 1, input.Length - 1), new SymbolTable());
                _ = datum.ToOvsString();
                parsed++;
            }
            catch (OvsdbException)
            {
                // Expected for bad input.
            }
            JsonElement json;
            try
            {
                json = JsonText.Parse(Encoding.UTF8.GetString(input, 1, input.Length - 1));
            }
            catch (JsonException)
            {
                continue;
            }
            try
            {
                Datum datum = Datum.FromJson(json, type, new SymbolTable());
                Assert.Equal(datum, Datum.FromJson(JsonText.ToElement(datum.ToJson()), type, new SymbolTable()));
                parsed++;
            }
            catch (OvsdbException)
            {
                // Expected for bad input.
            }
        }
        Assert.True(parsed > 100);
    }

    [Fact]
    public void Mutated_transactions_fail_only_with_ovsdb_errors()
    {
        int executed = 0;
        foreach (byte[] input in Mutants("ovsdb-transaction", 11, 5_000))
        {
            JsonElement ops;
            try
            {
                ops = JsonText.Parse(Encoding.UTF8.GetString(input));
            }
            catch (JsonException)
            {
                continue;
            }
            if (ops.ValueKind != JsonValueKind.Array)
            {
                continue;
            }
            var database = new Database(s_schema);
            TransactResult result = TransactionExecutor.Execute(database, [.. ops.EnumerateArray()], new TransactionContext(_ => false, 0, 0));
            if (result.Changes is { IsEmpty: false } changes)
            {
                database.Apply(changes);
            }
            executed++;
        }
        Assert.True(executed > 100);
    }
}
