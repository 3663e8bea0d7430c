// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Testing;

namespace SharpSwitch.Ovsdb.Tests.Schema;

public sealed class SchemaTests
{
    internal const string InstalledOvsSchema = "/usr/share/openvswitch/vswitch.ovsschema";

    [Fact]
    public void A_small_schema_parses_with_all_features()
    {
        DatabaseSchema schema = DatabaseSchema.Parse("""
            {"name":"T","version":"1.2.3","tables":{
              "A":{"columns":{"name":{"type":"string","mutable":false},"bs":{"type":{"key":{"type":"uuid","refTable":"B","refType":"weak"},"min":0,"max":"unlimited"}},
                               "n":{"type":{"key":{"type":"integer","minInteger":1,"maxInteger":9}},"ephemeral":true}},
                   "isRoot":true,"maxRows":5,"indexes":[["name"]]},
              "B":{"columns":{}}}}
            """);
        TableSchema a = schema.FindTable("A")!;
        Assert.True(a.IsRoot);
        Assert.False(schema.FindTable("B")!.IsRoot);
        Assert.Equal(5, a.MaxRows);
        Assert.False(a.FindColumn("name")!.Mutable);
        Assert.True(a.FindColumn("n")!.Ephemeral);
        Assert.Equal(RefType.Weak, a.FindColumn("bs")!.Type.Key.RefType);
        Assert.Equal("name", Assert.Single(Assert.Single(a.Indexes)).Name);
        Assert.NotNull(a.FindColumn("_uuid"));
        DatabaseSchema again = DatabaseSchema.Parse(schema.ToJsonString());
        Assert.Equal(schema.ToJsonString(), again.ToJsonString());
    }

    [Fact]
    public void Schemas_without_any_root_make_every_table_a_root()
    {
        DatabaseSchema schema = DatabaseSchema.Parse("""{"name":"T","version":"1.0.0","tables":{"A":{"columns":{}},"B":{"columns":{}}}}""");
        Assert.All(schema.Tables, t => Assert.True(t.IsRoot));
    }

    [Theory]
    [InlineData("""{"name":"T","version":"1.0.0","tables":{"A":{"columns":{"x":{"type":{"key":{"type":"uuid","refTable":"Nope"}}}}}}}""")]
    [InlineData("""{"name":"T","version":"1.0.0","tables":{"A":{"columns":{"_x":{"type":"string"}}}}}""")]
    [InlineData("""{"name":"T","version":"x","tables":{}}""")]
    [InlineData("""{"version":"1.0.0","tables":{}}""")]
    [InlineData("""{"name":"T","version":"1.0.0","tables":{"A":{"columns":{"x":{"type":"blob"}}}}}""")]
    [InlineData("not json")]
    public void Bad_schemas_are_rejected_with_an_ovsdb_error(string json)
    {
        Assert.Throws<OvsdbException>(() => DatabaseSchema.Parse(json));
    }

    [RequiresToolsFact("ovsdb-tool")]
    public void The_installed_ovs_schema_parses()
    {
        DatabaseSchema schema = DatabaseSchema.Parse(File.ReadAllText(InstalledOvsSchema));
        Assert.Equal("Open_vSwitch", schema.Name);
        Assert.Equal(19, schema.Tables.Count());
        Assert.True(schema.FindTable("Open_vSwitch")!.IsRoot);
        Assert.False(schema.FindTable("Bridge")!.IsRoot);
        Assert.Equal(1, schema.FindTable("Open_vSwitch")!.MaxRows);
    }
}
