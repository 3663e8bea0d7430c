// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SharpSwitch.Ovsdb.Data;

namespace SharpSwitch.Ovsdb.Schema;

/// <summary>
/// A parsed OVSDB schema (RFC 7047 section 3.2 plus OVS's extensions: indexes, ephemeral and mutable columns,
/// isRoot, maxRows). Parse any schema file with <see cref="Parse(string)"/>.
/// </summary>
public sealed partial class DatabaseSchema
{
    private readonly Dictionary<string, TableSchema> _tables;

    private DatabaseSchema(string name, string version, string? cksum, IEnumerable<TableSchema> tables)
    {
        Name = name;
        Version = version;
        Cksum = cksum;
        _tables = tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The database name, e.g. <c>Open_vSwitch</c>.</summary>
    public string Name { get; }

    /// <summary>The schema version, e.g. <c>8.3.1</c>.</summary>
    public string Version { get; }

    /// <summary>The informational checksum, or null when the schema has none.</summary>
    public string? Cksum { get; }

    /// <summary>The tables, sorted by name.</summary>
    public IEnumerable<TableSchema> Tables => _tables.Values.OrderBy(t => t.Name, StringComparer.Ordinal);

    /// <summary>Finds a table by name.</summary>
    public TableSchema? FindTable(string name) => _tables.TryGetValue(name, out TableSchema? table) ? table : null;

    /// <summary>Parses schema JSON text.</summary>
    public static DatabaseSchema Parse(string json)
    {
        JsonElement element;
        try
        {
            element = JsonText.Parse(json);
        }
        catch (JsonException e)
        {
            throw new OvsdbException("syntax error", "schema is not valid JSON: " + e.Message);
        }
        return Parse(element);
    }

    /// <summary>Parses a schema from JSON.</summary>
    public static DatabaseSchema Parse(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Parsing database schema failed: Object expected.");
        }
        string name = RequiredString(json, "name");
        if (!Identifiers.IsId(name))
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Parsing database schema failed: name must be a valid id");
        }
        string version = json.TryGetProperty("version", out _) ? RequiredString(json, "version") : "";
        if (version.Length > 0 && !VersionPattern().IsMatch(version))
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "schema version \"" + version + "\" not in format x.y.z");
        }
        string? cksum = json.TryGetProperty("cksum", out _) ? RequiredString(json, "cksum") : null;
        if (!json.TryGetProperty("tables", out JsonElement tablesJson) || tablesJson.ValueKind != JsonValueKind.Object)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Parsing database schema failed: Required 'tables' member is missing.");
        }
        var tables = new List<TableSchema>();
        foreach (JsonProperty table in tablesJson.EnumerateObject())
        {
            if (table.Name.StartsWith('_'))
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(json), "names beginning with \"_\" are reserved");
            }
            if (!Identifiers.IsId(table.Name))
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(json), "table name must be a valid id");
            }
            if (tables.Any(t => t.Name == table.Name))
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(json), "duplicate table " + table.Name);
            }
            tables.Add(TableSchema.Parse(table.Name, table.Value));
        }
        // A schema that marks no table as a root is an old-style schema in which every table is a root.
        if (!tables.Any(t => t.IsRoot))
        {
            foreach (TableSchema table in tables)
            {
                table.IsRoot = true;
            }
        }
        var schema = new DatabaseSchema(name, version, cksum, tables);
        foreach (TableSchema table in tables)
        {
            foreach (ColumnSchema column in table.Columns)
            {
                foreach (BaseType? baseType in new[] { column.Type.Key, column.Type.Value })
                {
                    if (baseType?.RefTable is string refTable && schema.FindTable(refTable) is null)
                    {
                        throw OvsdbException.SyntaxError(null, $"table {table.Name} column {column.Name} refers to undefined table {refTable}");
                    }
                }
            }
        }
        return schema;
    }

    /// <summary>The schema as JSON, as <c>get_schema</c> returns it.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        if (Cksum is not null)
        {
            json["cksum"] = Cksum;
        }
        json["name"] = Name;
        json["version"] = Version;
        bool defaultIsRoot = _tables.Values.All(t => t.IsRoot);
        var tables = new JsonObject();
        foreach (TableSchema table in Tables)
        {
            tables[table.Name] = table.ToJson(defaultIsRoot);
        }
        json["tables"] = tables;
        return json;
    }

    /// <summary>The schema as compact JSON text.</summary>
    public string ToJsonString() => JsonText.Compact(ToJson());

    private static string RequiredString(JsonElement json, string member)
    {
        if (!json.TryGetProperty(member, out JsonElement value) || value.ValueKind != JsonValueKind.String)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), $"Parsing database schema failed: Required '{member}' member is missing or not a string.");
        }
        return value.GetString()!;
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+$")]
    private static partial Regex VersionPattern();
}
