// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Tests.Server;

/// <summary>The counters behind <c>memory/show</c>, and the get_schema reply that is built once.</summary>
public sealed class MemoryReportTests
{
    private static Dictionary<string, long> Report(EngineHarness h) => h.Engine.MemoryReport().ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public void Cells_are_rows_times_user_columns_and_atoms_count_map_pairs_twice()
    {
        var h = new EngineHarness();
        Dictionary<string, long> before = Report(h);
        TableSchema table = h.Database.Schema.FindTable("Open_vSwitch")!;

        // One root row with a two-pair map (4 atoms) and a set integer (1 atom, replacing its default); every other
        // column keeps its default, which holds one atom for scalars such as cur_cfg and none for empty sets.
        h.Request("A", """{"id":1,"method":"transact","params":["Open_vSwitch",{"op":"insert","table":"Open_vSwitch","row":{"next_cfg":7,"external_ids":["map",[["a","1"],["b","2"]]]}}]}""");
        Dictionary<string, long> after = Report(h);

        // _uuid and _version are a cell and an atom each, as OVS counts them.
        Assert.Equal(before["cells"] + table.Columns.Count + 2, after["cells"]);
        long defaults = table.Columns.Sum(c => (long)c.Default.Count);
        Assert.Equal(before["atoms"] + defaults + 4 + 2, after["atoms"]);
        Assert.Equal(1, after["sessions"]);
        Assert.Equal(0, after["monitors"]);
        Assert.Equal(0, after["n-weak-refs"]);

        h.Request("A", """{"id":2,"method":"monitor_cond","params":["Open_vSwitch",null,{"Bridge":[{"columns":["name"]}]}]}""");
        Assert.Equal(1, Report(h)["monitors"]);
        h.Close("A");
        Assert.False(Report(h).ContainsKey("sessions"));
        Assert.Equal(0, Report(h)["monitors"]);
    }

    [Fact]
    public void Weak_references_are_counted()
    {
        var h = new EngineHarness();
        // Mirror.select_src_port is a set of weak references to Port rows.
        h.Request("A", """
            {"id":1,"method":"transact","params":["Open_vSwitch",
             {"op":"insert","table":"Interface","uuid-name":"i1","row":{"name":"p1"}},
             {"op":"insert","table":"Port","uuid-name":"p1","row":{"name":"p1","interfaces":["named-uuid","i1"]}},
             {"op":"insert","table":"Mirror","uuid-name":"m","row":{"name":"m","select_src_port":["named-uuid","p1"]}},
             {"op":"insert","table":"Bridge","uuid-name":"b","row":{"name":"br0","ports":["named-uuid","p1"],"mirrors":["named-uuid","m"]}},
             {"op":"insert","table":"Open_vSwitch","row":{"bridges":["named-uuid","b"]}}]}
            """);
        Assert.Equal(1, Report(h)["n-weak-refs"]);
    }

    [Fact]
    public void Get_schema_answers_the_same_schema_every_time()
    {
        var h = new EngineHarness();
        string first = h.Request("A", """{"id":1,"method":"get_schema","params":["Open_vSwitch"]}""");
        string second = h.Request("B", """{"id":1,"method":"get_schema","params":["Open_vSwitch"]}""");
        Assert.Equal(first, second);
        Assert.StartsWith("""{"id":1,"result":{""", first, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"Open_vSwitch\"", first, StringComparison.Ordinal);
        Assert.EndsWith(""","error":null}""", first, StringComparison.Ordinal);
        string server = h.Request("A", """{"id":2,"method":"get_schema","params":["_Server"]}""");
        Assert.Contains("\"name\":\"_Server\"", server, StringComparison.Ordinal);
    }
}
