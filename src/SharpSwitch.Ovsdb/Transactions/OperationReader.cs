// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Transactions;

/// <summary>
/// Reads the members of one operation object and reports problems the way OVS's parser does:
/// "Parsing ovsdb operation N of M failed: ..." with the whole operation (members sorted) as the syntax.
/// It remembers which members were read so that unexpected ones can be rejected at the end.
/// </summary>
internal sealed class OperationReader
{
    private readonly JsonElement _operation;
    private readonly string _context;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public OperationReader(JsonElement operation, int number, int count)
    {
        _operation = operation;
        _context = $"ovsdb operation {number} of {count}";
    }

    public JsonElement Operation => _operation;

    public OvsdbException Error(string details, string tag = "syntax error") =>
        new(tag, $"Parsing {_context} failed: {details}", JsonText.Sorted(_operation));

    public JsonElement? Optional(string name, params JsonValueKind[] kinds)
    {
        _used.Add(name);
        if (!_operation.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }
        if (kinds.Length > 0 && !kinds.Contains(value.ValueKind))
        {
            throw Error($"Type mismatch for member '{name}'.");
        }
        return value;
    }

    public JsonElement Required(string name, params JsonValueKind[] kinds) =>
        Optional(name, kinds) ?? throw Error($"Required '{name}' member is missing.");

    public string RequiredString(string name) => Required(name, JsonValueKind.String).GetString()!;

    public string RequiredId(string name)
    {
        string value = RequiredString(name);
        if (!Identifiers.IsId(value))
        {
            throw Error($"Type mismatch for member '{name}'.");
        }
        return value;
    }

    public TableSchema Table(DatabaseSchema schema)
    {
        string name = RequiredString("table");
        return schema.FindTable(name) ?? throw Error($"No table named {name}.");
    }

    /// <summary>Rejects members the operation does not define, as OVS does.</summary>
    public void Finish()
    {
        foreach (JsonProperty property in _operation.EnumerateObject())
        {
            if (!_used.Contains(property.Name))
            {
                throw Error($"Member '{property.Name}' is present but not allowed here.");
            }
        }
    }
}
