// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Data;

namespace SharpSwitch.Ovsdb.Schema;

/// <summary>One column of a table: its name, type, and whether it is persisted and writable after insert.</summary>
public sealed class ColumnSchema
{
    /// <summary>Creates a column.</summary>
    public ColumnSchema(string name, ColumnType type, bool ephemeral = false, bool mutable = true, int ordinal = -1)
    {
        Name = name;
        Type = type;
        Ephemeral = ephemeral;
        Mutable = mutable;
        Ordinal = ordinal;
    }

    /// <summary>The column name.</summary>
    public string Name { get; }

    /// <summary>The column type.</summary>
    public ColumnType Type { get; }

    /// <summary>True when the column is never written to disk.</summary>
    public bool Ephemeral { get; }

    /// <summary>False when the column may only be set at insert time.</summary>
    public bool Mutable { get; }

    /// <summary>The column's position among its table's user columns; -1 for <c>_uuid</c> and <c>_version</c>.</summary>
    public int Ordinal { get; }

    /// <summary>True for the reserved <c>_uuid</c> and <c>_version</c> columns.</summary>
    public bool IsReserved => Ordinal < 0;

    /// <summary>The column's default value.</summary>
    public Datum Default => Type.Default;

    internal static ColumnSchema Parse(string name, JsonElement json, int ordinal)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Parsing column " + name + " failed: object expected.");
        }
        if (!json.TryGetProperty("type", out JsonElement typeJson))
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Parsing column " + name + " failed: Required 'type' member is missing.");
        }
        bool ephemeral = json.TryGetProperty("ephemeral", out JsonElement e) && ReadBoolean(e, json);
        bool mutable = !json.TryGetProperty("mutable", out JsonElement m) || ReadBoolean(m, json);
        return new ColumnSchema(name, ColumnType.Parse(typeJson), ephemeral, mutable, ordinal);
    }

    private static bool ReadBoolean(JsonElement value, JsonElement context)
    {
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw OvsdbException.SyntaxError(JsonText.Sorted(context), "boolean expected"),
        };
    }

    internal JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = Type.ToJson() };
        if (Ephemeral)
        {
            json["ephemeral"] = true;
        }
        if (!Mutable)
        {
            json["mutable"] = false;
        }
        return json;
    }
}
