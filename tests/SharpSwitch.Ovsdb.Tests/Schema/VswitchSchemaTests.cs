// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Testing;

namespace SharpSwitch.Ovsdb.Tests.Schema;

/// <summary>Checks our own vswitch schema against the facts real OVS 3.1 clients rely on.</summary>
public sealed class VswitchSchemaTests
{
    internal static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "SharpSwitch.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        return dir ?? throw new InvalidOperationException("repository root not found");
    }

    internal static string OurSchemaPath => Path.Combine(RepositoryRoot(), "schemas", "vswitch.ovsschema");

    internal static DatabaseSchema Ours() => DatabaseSchema.Parse(File.ReadAllText(OurSchemaPath));

    [Fact]
    public void Our_schema_parses_and_has_the_nineteen_tables()
    {
        DatabaseSchema schema = Ours();
        Assert.Equal("Open_vSwitch", schema.Name);
        Assert.Equal("8.3.1", schema.Version);
        Assert.Equal(19, schema.Tables.Count());
        string[] roots = [.. schema.Tables.Where(t => t.IsRoot).Select(t => t.Name).Order(StringComparer.Ordinal)];
        Assert.Equal(["Flow_Sample_Collector_Set", "Open_vSwitch", "QoS", "Queue"], roots);
        Assert.False(schema.FindTable("Bridge")!.FindColumn("name")!.Mutable);
        Assert.True(schema.FindTable("Interface")!.FindColumn("statistics")!.Ephemeral);
        Assert.False(schema.FindTable("Port")!.FindColumn("bond_active_slave")!.Ephemeral);
    }

    /// <summary>
    /// Every table and column of the installed OVS 3.1 schema (which real ovs-vsctl's show/list and ovs-vswitchd
    /// use) must exist in ours with the same type, ephemerality, mutability, indexes and root flag.
    /// </summary>
    [RequiresToolsFact("ovs-vsctl", "ovsdb-tool")]
    public void Every_table_and_column_of_the_installed_ovs_schema_exists_in_ours_with_the_same_type()
    {
        DatabaseSchema installed = DatabaseSchema.Parse(File.ReadAllText(SchemaTests.InstalledOvsSchema));
        DatabaseSchema ours = Ours();
        foreach (TableSchema table in installed.Tables)
        {
            TableSchema? mine = ours.FindTable(table.Name);
            Assert.True(mine is not null, "missing table " + table.Name);
            Assert.Equal(table.IsRoot, mine!.IsRoot);
            Assert.Equal(table.MaxRows, mine.MaxRows);
            Assert.Equal(table.Indexes.Select(i => string.Join(",", i.Select(c => c.Name))), mine.Indexes.Select(i => string.Join(",", i.Select(c => c.Name))));
            foreach (ColumnSchema column in table.Columns)
            {
                ColumnSchema? myColumn = mine.FindColumn(column.Name);
                Assert.True(myColumn is not null, $"missing column {table.Name}.{column.Name}");
                Assert.Equal(Canonical(column.Type.ToJson()), Canonical(myColumn!.Type.ToJson()));
                Assert.True(column.Ephemeral == myColumn.Ephemeral, $"ephemeral differs for {table.Name}.{column.Name}");
                Assert.True(column.Mutable == myColumn.Mutable, $"mutable differs for {table.Name}.{column.Name}");
            }
            Assert.Equal(table.Columns.Count, mine.Columns.Count);
        }
    }

    private static string Canonical(JsonNode node) => JsonText.Sorted(JsonText.ToElement(node));
}
