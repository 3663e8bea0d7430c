// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Ovsdb.Tests.Server;

/// <summary>Update notification contents for each monitor version, driven through the engine.</summary>
public sealed class MonitorTests
{
    private static EngineHarness Fixture()
    {
        var harness = new EngineHarness();
        harness.LoadCaptureFixture(withExternalIds: false);
        return harness;
    }

    private const string Br0 = "32eeb5d6-1580-4cd0-af74-dbb999be8e6f";

    [Fact]
    public void Update2_modify_carries_diffs_new_values_for_optionals_and_symmetric_differences_for_sets()
    {
        EngineHarness h = Fixture();
        h.Request("A", """{"id":1,"method":"monitor_cond","params":["Open_vSwitch",null,{"Bridge":[{"columns":["flood_vlans","external_ids","fail_mode"]}],"Port":[{"columns":["tag"]}]}]}""");
        h.Send("B", """{"id":1,"method":"transact","params":["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","br0"]],"row":{"flood_vlans":["set",[10,20]],"external_ids":["map",[["a","1"],["b","2"]]],"fail_mode":"secure"}}]}""");
        Assert.Equal("""{"id":null,"method":"update2","params":[null,{"Bridge":{"BR0":{"modify":{"flood_vlans":["set",[10,20]],"external_ids":["map",[["a","1"],["b","2"]]],"fail_mode":"secure"}}}}]}""".Replace("BR0", Br0, StringComparison.Ordinal), h.Next("A"));
        h.Send("B", """{"id":2,"method":"transact","params":["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","br0"]],"row":{"flood_vlans":20,"external_ids":["map",[["a","9"],["b","2"]]],"fail_mode":["set",[]]}}]}""");
        Assert.Equal("""{"id":null,"method":"update2","params":[null,{"Bridge":{"BR0":{"modify":{"flood_vlans":10,"external_ids":["map",[["a","9"]]],"fail_mode":["set",[]]}}}}]}""".Replace("BR0", Br0, StringComparison.Ordinal), h.Next("A"));
        h.Send("B", """{"id":3,"method":"transact","params":["Open_vSwitch",{"op":"update","table":"Port","where":[["name","==","p0"]],"row":{"tag":10}}]}""");
        Assert.Equal("""{"id":null,"method":"update2","params":[null,{"Port":{"5545b644-2e19-44e3-83ed-8e910beb9e8f":{"modify":{"tag":10}}}}]}""", h.Next("A"));
        Assert.Equal(3, h.Inbox("B").Count);
    }

    [Fact]
    public void Writes_that_change_nothing_monitored_send_nothing()
    {
        EngineHarness h = Fixture();
        h.Request("A", """{"id":1,"method":"monitor_cond_since","params":["Open_vSwitch",["monid","Open_vSwitch"],{"Bridge":[{"columns":["name"]}],"Open_vSwitch":[{"columns":[]}]},"00000000-0000-0000-0000-000000000000"]}""");
        h.Request("B", """{"id":1,"method":"transact","params":["Open_vSwitch",{"op":"update","table":"Bridge","where":[],"row":{"datapath_type":"netdev"}}]}""");
        h.Request("B", """{"id":2,"method":"transact","params":["Open_vSwitch",{"op":"update","table":"Bridge","where":[],"row":{"external_ids":["map",[["x","y"]]]}}]}""");
        h.Request("B", """{"id":3,"method":"transact","params":["Open_vSwitch",{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","+=",1]]}]}""");
        Assert.Empty(h.Inbox("A"));
    }

    [Fact]
    public void Garbage_collected_rows_are_reported_as_deletes_before_the_writers_reply()
    {
        EngineHarness h = Fixture();
        h.Request("A", """{"id":1,"method":"monitor_cond_since","params":["Open_vSwitch",["monid","Open_vSwitch"],{"Port":[{"columns":["name"]}],"Interface":[{"columns":["name"]}],"Open_vSwitch":[{"columns":["bridges"]}]},"00000000-0000-0000-0000-000000000000"]}""");
        h.Send("A", """{"id":2,"method":"transact","params":["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","br0"]],"row":{"ports":["set",[]]}}]}""");
        string update = h.Next("A");
        Assert.StartsWith("""{"id":null,"method":"update3","params":[["monid","Open_vSwitch"],"00000000-0000-0000-0000-000000000000",{""", update);
        Assert.Contains("\"5545b644-2e19-44e3-83ed-8e910beb9e8f\":{\"delete\":null}", update);
        Assert.Contains("\"Interface\":{", update);
        Assert.DoesNotContain("Open_vSwitch\":{", update);
        Assert.Equal("""{"id":2,"result":[{"count":1}],"error":null}""", h.Next("A"));
    }

    [Fact]
    public void V1_updates_carry_new_and_changed_old_columns_and_select_flags_filter()
    {
        EngineHarness h = Fixture();
        Assert.Equal("""{"id":1,"result":{},"error":null}""",
            h.Request("A", """{"id":1,"method":"monitor","params":["Open_vSwitch","m",{"Bridge":[{"columns":["name","external_ids"],"select":{"initial":false,"insert":true,"delete":false,"modify":true}}]}]}"""));
        h.Request("B", """{"id":1,"method":"transact","params":["Open_vSwitch",{"op":"mutate","table":"Bridge","where":[["name","==","br0"]],"mutations":[["external_ids","insert",["map",[["mon","1"]]]]]}]}""");
        Assert.Equal("""{"id":null,"method":"update","params":["m",{"Bridge":{"BR0":{"new":{"name":"br0","external_ids":["map",[["mon","1"]]]},"old":{"external_ids":["map",[]]}}}}]}""".Replace("BR0", Br0, StringComparison.Ordinal), h.Next("A"));
        h.Request("B", """{"id":2,"method":"transact","params":["Open_vSwitch",{"op":"update","table":"Open_vSwitch","where":[],"row":{"bridges":["set",[["uuid","10d73180-9b51-497c-9ff4-b9b0f3a1a31b"],["uuid","42b76b67-118b-425a-a990-3fabd4b788f6"]]]}}]}""");
        Assert.Empty(h.Inbox("A"));
    }

    [Fact]
    public void Monitor_cond_rows_entering_and_leaving_the_condition_become_inserts_and_deletes()
    {
        EngineHarness h = Fixture();
        Assert.Equal("""{"id":1,"result":{},"error":null}""",
            h.Request("A", """{"id":1,"method":"monitor_cond","params":["Open_vSwitch","c",{"Bridge":[{"columns":["name","fail_mode"],"where":[["fail_mode","==","secure"]]}]}]}"""));
        h.Request("B", """{"id":1,"method":"transact","params":["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","br0"]],"row":{"fail_mode":"secure"}}]}""");
        Assert.Equal("""{"id":null,"method":"update2","params":["c",{"Bridge":{"BR0":{"insert":{"name":"br0","fail_mode":"secure"}}}}]}""".Replace("BR0", Br0, StringComparison.Ordinal), h.Next("A"));
        h.Request("B", """{"id":2,"method":"transact","params":["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","br0"]],"row":{"fail_mode":"standalone"}}]}""");
        Assert.Equal("""{"id":null,"method":"update2","params":["c",{"Bridge":{"BR0":{"delete":null}}}]}""".Replace("BR0", Br0, StringComparison.Ordinal), h.Next("A"));
    }

    [Fact]
    public void Server_database_carries_the_schema_for_the_c_idl_and_refuses_writes()
    {
        EngineHarness h = Fixture();
        string reply = h.Request("A", """{"id":2,"method":"monitor_cond","params":["_Server",["monid","_Server"],{"Database":[{"columns":["name","model","connected","leader","schema","cid","index"]}]}]}""");
        Assert.Contains("\"model\":\"standalone\"", reply);
        Assert.Contains("\"name\":\"Open_vSwitch\"", reply);
        Assert.Contains("\\\"name\\\":\\\"Open_vSwitch\\\"", reply);
        Assert.Contains("\"name\":\"_Server\"", reply);
        Assert.Contains("not allowed", h.Request("A", """{"id":3,"method":"transact","params":["_Server",{"op":"delete","table":"Database","where":[]}]}"""));
    }

    [Fact]
    public void A_blocked_wait_with_no_timeout_is_released_by_a_later_commit_and_a_disconnect_drops_it()
    {
        EngineHarness h = Fixture();
        h.Send("A", """{"id":1,"method":"transact","params":["Open_vSwitch",{"op":"wait","table":"Bridge","where":[["name","==","br0"]],"columns":["fail_mode"],"until":"==","rows":[{"fail_mode":"secure"}]}]}""");
        h.Send("C", """{"id":1,"method":"transact","params":["Open_vSwitch",{"op":"wait","table":"Bridge","where":[["name","==","br0"]],"columns":["fail_mode"],"until":"==","rows":[{"fail_mode":"secure"}]}]}""");
        h.Close("C");
        Assert.Null(h.Engine.NextDeadlineMs);
        h.Advance(3_600_000);
        Assert.Empty(h.Inbox("A"));
        h.Request("B", """{"id":1,"method":"transact","params":["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","br0"]],"row":{"fail_mode":"secure"}}]}""");
        Assert.Equal("""{"id":1,"result":[{}],"error":null}""", h.Next("A"));
    }
}
