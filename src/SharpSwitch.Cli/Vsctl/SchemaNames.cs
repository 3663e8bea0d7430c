// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>
/// Resolves table and column names the way ovs-vsctl does: an exact name wins, otherwise a unique
/// case-insensitive prefix is accepted, and ambiguity or absence is an error with ovs-vsctl's wording.
/// </summary>
internal static class SchemaNames
{
    public static TableSchema FindTable(DatabaseSchema schema, string name)
    {
        List<TableSchema> tables = [.. schema.Tables];
        TableSchema? exact = tables.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
        if (exact is not null)
        {
            return exact;
        }
        List<TableSchema> matches = [.. tables.Where(t => t.Name.StartsWith(name, StringComparison.OrdinalIgnoreCase))];
        if (matches.Count == 1)
        {
            return matches[0];
        }
        if (matches.Count > 1)
        {
            throw new VsctlException($"\"{name}\" matches multiple table names: {string.Join(", ", matches.Select(t => t.Name).Order(StringComparer.Ordinal))}");
        }
        throw new VsctlException($"unknown table \"{name}\"");
    }

    public static ColumnSchema FindColumn(TableSchema table, string name)
    {
        List<ColumnSchema> columns = [TableSchema.UuidColumn, .. table.Columns.Where(c => !c.IsReserved)];
        ColumnSchema? exact = columns.FirstOrDefault(c => c.Name == name);
        if (exact is not null)
        {
            return exact;
        }
        List<ColumnSchema> matches = [.. columns.Where(c => c.Name.StartsWith(name, StringComparison.OrdinalIgnoreCase))];
        if (matches.Count == 1)
        {
            return matches[0];
        }
        if (matches.Count > 1)
        {
            throw new VsctlException($"{table.Name} contains more than one column whose name matches \"{name}\": {string.Join(", ", matches.Select(c => c.Name).Order(StringComparer.Ordinal))}");
        }
        throw new VsctlException($"{table.Name} does not contain a column whose name matches \"{name}\"");
    }

    /// <summary>The columns ovs-vsctl shows for a whole row: <c>_uuid</c>, then the schema's columns by name.</summary>
    public static IReadOnlyList<ColumnSchema> AllColumns(TableSchema table)
    {
        return [TableSchema.UuidColumn, .. table.Columns.Where(c => !c.IsReserved).OrderBy(c => c.Name, StringComparer.Ordinal)];
    }
}
