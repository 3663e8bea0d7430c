// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Data;

namespace SharpSwitch.Ovsdb.Schema;

/// <summary>One table of a schema: its columns, row limit, root flag and unique indexes.</summary>
public sealed class TableSchema
{
    private readonly Dictionary<string, ColumnSchema> _byName;

    /// <summary>The reserved column holding each row's identity.</summary>
    public static readonly ColumnSchema UuidColumn = new("_uuid", ColumnType.Scalar(AtomType.Uuid), ephemeral: false, mutable: false);

    /// <summary>The reserved column that changes on every modification of a row.</summary>
    public static readonly ColumnSchema VersionColumn = new("_version", ColumnType.Scalar(AtomType.Uuid), ephemeral: false, mutable: false);

    internal TableSchema(string name, IReadOnlyList<ColumnSchema> columns, long? maxRows, bool isRoot, IReadOnlyList<IReadOnlyList<ColumnSchema>> indexes, bool isRootExplicit)
    {
        Name = name;
        Columns = columns;
        MaxRows = maxRows;
        IsRoot = isRoot;
        Indexes = indexes;
        IsRootExplicit = isRootExplicit;
        _byName = columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        _byName["_uuid"] = UuidColumn;
        _byName["_version"] = VersionColumn;
    }

    /// <summary>The table name.</summary>
    public string Name { get; }

    /// <summary>The user columns, in the order of their <see cref="ColumnSchema.Ordinal"/>.</summary>
    public IReadOnlyList<ColumnSchema> Columns { get; }

    /// <summary>The maximum number of rows, or null for no limit.</summary>
    public long? MaxRows { get; }

    /// <summary>True when rows survive without being referenced (no garbage collection).</summary>
    public bool IsRoot { get; internal set; }

    internal bool IsRootExplicit { get; }

    /// <summary>Each unique index as the list of columns it covers.</summary>
    public IReadOnlyList<IReadOnlyList<ColumnSchema>> Indexes { get; }

    /// <summary>Finds a column (including <c>_uuid</c> and <c>_version</c>) by name.</summary>
    public ColumnSchema? FindColumn(string name) => _byName.TryGetValue(name, out ColumnSchema? column) ? column : null;

    internal static TableSchema Parse(string name, JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Parsing table " + name + " failed: object expected.");
        }
        if (!json.TryGetProperty("columns", out JsonElement columnsJson) || columnsJson.ValueKind != JsonValueKind.Object)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Parsing table schema for table " + name + " failed: Required 'columns' member is missing.");
        }
        var columns = new List<ColumnSchema>();
        foreach (JsonProperty column in columnsJson.EnumerateObject())
        {
            if (column.Name.StartsWith('_'))
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Parsing table " + name + ": names beginning with \"_\" are reserved");
            }
            if (!Identifiers.IsId(column.Name))
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Parsing table " + name + ": name must be a valid id");
            }
            if (columns.Any(c => c.Name == column.Name))
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Parsing table " + name + ": duplicate column " + column.Name);
            }
            columns.Add(ColumnSchema.Parse(column.Name, column.Value, columns.Count));
        }
        long? maxRows = null;
        if (json.TryGetProperty("maxRows", out JsonElement maxRowsJson))
        {
            if (!JsonText.IsIntegerToken(maxRowsJson) || !maxRowsJson.TryGetInt64(out long limit) || limit < 1)
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(json), "maxRows must be at least 1");
            }
            maxRows = limit;
        }
        bool isRootExplicit = json.TryGetProperty("isRoot", out JsonElement isRootJson);
        bool isRoot = isRootExplicit && isRootJson.ValueKind == JsonValueKind.True;
        if (isRootExplicit && isRootJson.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "isRoot must be a boolean");
        }
        var byName = columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var indexes = new List<IReadOnlyList<ColumnSchema>>();
        if (json.TryGetProperty("indexes", out JsonElement indexesJson))
        {
            if (indexesJson.ValueKind != JsonValueKind.Array)
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(json), "indexes must be an array");
            }
            foreach (JsonElement index in indexesJson.EnumerateArray())
            {
                if (index.ValueKind != JsonValueKind.Array || index.GetArrayLength() == 0)
                {
                    throw OvsdbException.SyntaxError(JsonText.Sorted(index), "index must have at least one column");
                }
                var indexColumns = new List<ColumnSchema>();
                foreach (JsonElement columnName in index.EnumerateArray())
                {
                    if (columnName.ValueKind != JsonValueKind.String || !byName.TryGetValue(columnName.GetString()!, out ColumnSchema? column))
                    {
                        throw OvsdbException.SyntaxError(JsonText.Sorted(index), "table " + name + " has no column " + JsonText.Compact(columnName));
                    }
                    if (column.Ephemeral)
                    {
                        throw OvsdbException.SyntaxError(JsonText.Sorted(index), "ephemeral columns (such as " + column.Name + ") may not be indexed");
                    }
                    indexColumns.Add(column);
                }
                indexes.Add(indexColumns);
            }
        }
        return new TableSchema(name, columns, maxRows, isRoot, indexes, isRootExplicit);
    }

    internal JsonObject ToJson(bool defaultIsRoot)
    {
        var columns = new JsonObject();
        foreach (ColumnSchema column in Columns.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            columns[column.Name] = column.ToJson();
        }
        var json = new JsonObject { ["columns"] = columns };
        if (MaxRows is long maxRows)
        {
            json["maxRows"] = maxRows;
        }
        if (IsRoot != defaultIsRoot)
        {
            json["isRoot"] = IsRoot;
        }
        if (Indexes.Count > 0)
        {
            var indexes = new JsonArray();
            foreach (IReadOnlyList<ColumnSchema> index in Indexes)
            {
                indexes.Add((JsonNode)new JsonArray([.. index.Select(c => (JsonNode)JsonValue.Create(c.Name))]));
            }
            json["indexes"] = indexes;
        }
        return json;
    }
}

/// <summary>OVSDB's rule for identifiers (table, column and uuid-names): <c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
public static class Identifiers
{
    /// <summary>True when <paramref name="name"/> is a valid OVSDB <c>&lt;id&gt;</c>.</summary>
    public static bool IsId(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }
}
