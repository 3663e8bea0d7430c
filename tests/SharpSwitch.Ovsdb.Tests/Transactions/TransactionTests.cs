// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Transactions;

namespace SharpSwitch.Ovsdb.Tests.Transactions;

public sealed class TransactionTests
{
    [Fact]
    public void Forward_named_uuid_references_resolve_across_the_transaction()
    {
        var db = new TestDatabase();
        (Guid root, Guid bridge, Guid port, Guid iface) = db.Populate();
        Assert.Equal(bridge, db.Database.Rows("Root")[root].Get("bridges").Keys[0].Uuid);
        Assert.Equal(port, db.Database.Rows("Bridge")[bridge].Get("ports").Keys[0].Uuid);
        Assert.Equal(iface, db.Database.Rows("Port")[port].Get("interfaces").Keys[0].Uuid);
        Assert.Single(db.Commits);
    }

    [Fact]
    public void Empty_and_comment_only_transactions_reply_but_commit_nothing()
    {
        var db = new TestDatabase();
        Assert.Equal("[]", db.ReplyText("[]"));
        TransactResult result = db.Run("""[{"op":"comment","comment":"hello"}]""");
        Assert.Equal("[{}]", JsonText.Compact(result.Reply));
        Assert.True(result.Changes!.IsEmpty);
        Assert.Empty(db.Commits);
    }

    [Fact]
    public void Unreferenced_non_root_rows_are_garbage_collected_but_the_insert_still_reports_its_uuid()
    {
        var db = new TestDatabase();
        JsonArray reply = db.Reply("""[{"op":"insert","table":"Bridge","row":{"name":"orphan"}}]""");
        Assert.NotNull(reply[0]!["uuid"]);
        Assert.Equal(0, db.Count("Bridge"));
        Assert.Empty(db.Commits);
    }

    [Fact]
    public void Dropping_the_last_reference_collects_the_whole_subtree()
    {
        var db = new TestDatabase();
        (Guid root, _, _, _) = db.Populate();
        db.Reply($$$"""[{"op":"update","table":"Root","where":[["_uuid","==",["uuid","{{{root}}}"]]],"row":{"bridges":["set",[]]}}]""");
        Assert.Equal(0, db.Count("Bridge"));
        Assert.Equal(0, db.Count("Port"));
        Assert.Equal(0, db.Count("Interface"));
        Assert.Equal(4, db.Commits[^1].Changes.Count);
    }

    [Fact]
    public void Deleting_a_referenced_row_fails_at_commit_with_an_extra_result_element()
    {
        var db = new TestDatabase();
        (_, _, Guid port, _) = db.Populate();
        JsonArray reply = db.Reply("""[{"op":"delete","table":"Port","where":[["name","==","p0"]]}]""");
        Assert.Equal(2, reply.Count);
        Assert.Equal("""{"count":1}""", JsonText.Compact(reply[0]));
        Assert.Equal($$"""{"details":"cannot delete Port row {{port}} because of 1 remaining reference(s)","error":"referential integrity violation"}""", JsonText.Compact(reply[1]));
    }

    [Fact]
    public void Dangling_references_fail_at_commit()
    {
        var db = new TestDatabase();
        (Guid root, _, _, _) = db.Populate();
        JsonArray reply = db.Reply($$"""[{"op":"mutate","table":"Root","where":[],"mutations":[["bridges","insert",["set",[["uuid","11111111-2222-3333-4444-555555555555"]]]]]}]""");
        Assert.Equal($"Table Root column bridges row {root} references nonexistent row 11111111-2222-3333-4444-555555555555 in table Bridge.", reply[1]!["details"]!.GetValue<string>());
    }

    [Fact]
    public void A_port_without_interfaces_references_the_zero_uuid()
    {
        var db = new TestDatabase();
        db.Populate();
        JsonArray reply = db.Reply("""[{"op":"insert","table":"Port","row":{"name":"zz"},"uuid-name":"p"},{"op":"mutate","table":"Bridge","where":[["name","==","br0"]],"mutations":[["ports","insert",["named-uuid","p"]]]}]""");
        Assert.Equal(3, reply.Count);
        Assert.EndsWith("references nonexistent row 00000000-0000-0000-0000-000000000000 in table Interface.", reply[2]!["details"]!.GetValue<string>());
    }

    [Fact]
    public void Unique_index_conflicts_name_both_rows()
    {
        var db = new TestDatabase();
        (_, Guid bridge, _, _) = db.Populate();
        JsonArray reply = db.Reply("""[{"op":"insert","table":"Bridge","row":{"name":"br0"},"uuid-name":"nb"},{"op":"mutate","table":"Root","where":[],"mutations":[["bridges","insert",["set",[["named-uuid","nb"]]]]]}]""");
        Guid inserted = db.InsertedUuid(reply, 0);
        Assert.Equal($"Transaction causes multiple rows in \"Bridge\" table to have identical values (br0) for index on column \"name\".  First row, with UUID {bridge}, existed in the database before this transaction and was not modified by the transaction.  Second row, with UUID {inserted}, was inserted by this transaction.",
            reply[2]!["details"]!.GetValue<string>());
    }

    [Fact]
    public void Max_rows_is_enforced()
    {
        var db = new TestDatabase();
        db.Populate();
        JsonArray reply = db.Reply("""[{"op":"insert","table":"Root","row":{}}]""");
        Assert.Equal("transaction causes \"Root\" table to contain 2 rows, greater than the schema-defined limit of 1 row(s)", reply[1]!["details"]!.GetValue<string>());
    }

    [Fact]
    public void After_a_failed_operation_the_rest_are_null_and_nothing_commits()
    {
        var db = new TestDatabase();
        db.Populate();
        string reply = db.ReplyText("""[{"op":"select","table":"Bridge","where":[["name","==","br0"]],"columns":["name"]},{"op":"update","table":"Bridge","where":[],"row":{"name":7}},{"op":"select","table":"Bridge","where":[],"columns":["name"]}]""");
        Assert.Equal("""[{"rows":[{"name":"br0"}]},{"syntax":"7","details":"expected string","error":"syntax error"},null]""", reply);
    }

    [Fact]
    public void Immutable_columns_cannot_be_updated()
    {
        var db = new TestDatabase();
        db.Populate();
        string reply = db.ReplyText("""[{"op":"update","table":"Bridge","where":[["name","==","br0"]],"row":{"name":"br0x"}}]""");
        Assert.Equal("""[{"syntax":"{\"op\":\"update\",\"row\":{\"name\":\"br0x\"},\"table\":\"Bridge\",\"where\":[[\"name\",\"==\",\"br0\"]]}","details":"Cannot update immutable column name in table Bridge.","error":"constraint violation"}]""", reply);
    }

    [Fact]
    public void Map_insert_never_overwrites_and_delete_by_pair_needs_the_value()
    {
        var db = new TestDatabase();
        db.Populate();
        db.Reply("""[{"op":"mutate","table":"Bridge","where":[],"mutations":[["external_ids","insert",["map",[["mk","v1"]]]]]}]""");
        db.Reply("""[{"op":"mutate","table":"Bridge","where":[],"mutations":[["external_ids","insert",["map",[["mk","v2"]]]]]}]""");
        Assert.Equal("{mk=v1}", db.Single("Bridge", "br0").Get("external_ids").ToOvsString());
        db.Reply("""[{"op":"mutate","table":"Bridge","where":[],"mutations":[["external_ids","delete",["map",[["mk","v2"]]]]]}]""");
        Assert.Equal("{mk=v1}", db.Single("Bridge", "br0").Get("external_ids").ToOvsString());
        db.Reply("""[{"op":"mutate","table":"Bridge","where":[],"mutations":[["external_ids","delete",["set",["mk"]]],["external_ids","insert",["map",[["mk","v3"]]]]]}]""");
        Assert.Equal("{mk=v3}", db.Single("Bridge", "br0").Get("external_ids").ToOvsString());
    }

    [Fact]
    public void Arithmetic_mutations_and_division_by_zero()
    {
        var db = new TestDatabase();
        db.Populate();
        Assert.Equal("""[{"count":1},{"rows":[{"next_cfg":1}]}]""", db.ReplyText("""[{"op":"mutate","table":"Root","where":[],"mutations":[["next_cfg","+=",1]]},{"op":"select","table":"Root","where":[],"columns":["next_cfg"]}]"""));
        Assert.Equal("""[{"details":"Division by zero.","error":"domain error"}]""", db.ReplyText("""[{"op":"mutate","table":"Root","where":[],"mutations":[["next_cfg","/=",0]]}]"""));
        Assert.Equal("""[{"details":"Result of \"+=\" operation is out of range.","error":"range error"}]""", db.ReplyText("""[{"op":"mutate","table":"Root","where":[],"mutations":[["next_cfg","+=",9223372036854775807]]}]"""));
        Assert.Contains("Type mismatch", db.ReplyText("""[{"op":"mutate","table":"Root","where":[],"mutations":[["ratio","%=",2]]}]"""));
    }

    [Fact]
    public void Where_functions_cover_ordering_includes_and_excludes()
    {
        var db = new TestDatabase();
        db.Populate();
        db.Reply("""[{"op":"update","table":"Interface","where":[],"row":{"ofport":3}},{"op":"update","table":"Bridge","where":[],"row":{"flood_vlans":["set",[10,20]]}}]""");
        Assert.Equal("""[{"rows":[{"name":"p0"}]}]""", db.ReplyText("""[{"op":"select","table":"Interface","where":[["ofport",">",1],["ofport","<=",3],["name","!=","x"]],"columns":["name"]}]"""));
        Assert.Equal("""[{"rows":[]}]""", db.ReplyText("""[{"op":"select","table":"Interface","where":[["ofport","<",3]],"columns":["name"]}]"""));
        Assert.Equal("""[{"rows":[{"name":"br0"}]}]""", db.ReplyText("""[{"op":"select","table":"Bridge","where":[["flood_vlans","includes",10]],"columns":["name"]}]"""));
        Assert.Equal("""[{"rows":[]}]""", db.ReplyText("""[{"op":"select","table":"Bridge","where":[["flood_vlans","excludes",["set",[20,30]]]],"columns":["name"]}]"""));
        Assert.Equal("""[{"rows":[]}]""", db.ReplyText("""[{"op":"select","table":"Bridge","where":[false],"columns":["name"]}]"""));
    }

    [Fact]
    public void Wait_with_zero_timeout_fails_immediately_and_with_a_timeout_asks_to_retry()
    {
        var db = new TestDatabase();
        db.Populate();
        Assert.Equal("""[{"details":"\"where\" clause test failed","error":"timed out"}]""",
            db.ReplyText("""[{"op":"wait","table":"Bridge","timeout":0,"where":[["name","==","br0"]],"columns":["name"],"until":"==","rows":[{"name":"nope"}]}]"""));
        Assert.Equal("[{}]", db.ReplyText("""[{"op":"wait","table":"Bridge","timeout":0,"where":[["name","==","br0"]],"columns":["name"],"until":"==","rows":[{"name":"br0"}]}]"""));
        const string blocking = """[{"op":"wait","table":"Bridge","timeout":1000,"where":[["name","==","br0"]],"columns":["name"],"until":"!=","rows":[{"name":"br0"}]}]""";
        TransactResult waiting = db.Run(blocking, nowMs: 5000, startedMs: 5000);
        Assert.True(waiting.MustWait);
        Assert.Equal(6000, waiting.RetryDeadlineMs);
        TransactResult expired = db.Run(blocking, nowMs: 6001, startedMs: 5000);
        Assert.Equal("""[{"details":"\"wait\" timed out after 1001 ms","error":"timed out"}]""", JsonText.Compact(expired.Reply));
    }

    [Fact]
    public void Assert_checks_lock_ownership()
    {
        var db = new TestDatabase();
        Assert.Equal("""[{"details":"Asserted lock L1 not held.","error":"not owner"}]""", db.ReplyText("""[{"op":"assert","lock":"L1"}]"""));
        db.Locks = name => name == "L1";
        Assert.Equal("[{}]", db.ReplyText("""[{"op":"assert","lock":"L1"}]"""));
    }

    [Fact]
    public void Abort_fails_and_rolls_back_everything()
    {
        var db = new TestDatabase();
        Assert.Equal("""[{"uuid":["uuid","aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"]},{"count":1},{"details":"aborted by request","error":"aborted"}]""",
            db.ReplyText("""[{"op":"insert","table":"QoS","uuid":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","row":{"type":"x"}},{"op":"delete","table":"QoS","where":[["type","==","x"]]},{"op":"abort"}]"""));
        Assert.Equal(0, db.Count("QoS"));
    }

    [Fact]
    public void Duplicate_uuid_names_and_unknown_tables_and_columns_are_reported_like_ovs()
    {
        var db = new TestDatabase();
        string dup = db.ReplyText("""[{"op":"insert","table":"QoS","row":{},"uuid-name":"x"},{"op":"insert","table":"QoS","row":{},"uuid-name":"x"}]""");
        Assert.EndsWith("""{"syntax":"\"x\"","details":"This \"uuid-name\" appeared on an earlier \"insert\" operation.","error":"duplicate uuid-name"}]""", dup);
        Assert.Equal("""[{"syntax":"{\"op\":\"select\",\"table\":\"NoSuch\",\"where\":[]}","details":"Parsing ovsdb operation 1 of 1 failed: No table named NoSuch.","error":"syntax error"}]""",
            db.ReplyText("""[{"op":"select","table":"NoSuch","where":[]}]"""));
        Assert.Equal("""[{"syntax":"{\"nosuchcol\":1}","details":"No column nosuchcol in table Bridge.","error":"unknown column"}]""",
            db.ReplyText("""[{"op":"update","table":"Bridge","where":[],"row":{"nosuchcol":1}}]"""));
        Assert.Contains("is present but not allowed here", db.ReplyText("""[{"op":"select","table":"Bridge","where":[],"bogus":1}]"""));
        Assert.Contains("No operation", db.ReplyText("""[{"op":"frobnicate"}]"""));
        Assert.Contains("is not an object", db.ReplyText("""[17]"""));
    }

    [Fact]
    public void Writing_the_same_value_is_a_no_op()
    {
        var db = new TestDatabase();
        db.Populate();
        int commits = db.Commits.Count;
        TransactResult result = db.Run("""[{"op":"update","table":"Interface","where":[],"row":{"type":"dummy"}}]""");
        Assert.Equal("""[{"count":1}]""", JsonText.Compact(result.Reply));
        Assert.True(result.Changes!.IsEmpty);
        Assert.Equal(commits, db.Commits.Count);
    }

    [Fact]
    public void Weak_references_disappear_with_their_target()
    {
        var db = new TestDatabase();
        (Guid root, Guid bridge, Guid port, _) = db.Populate();
        db.Reply($$$"""[{"op":"insert","table":"Mirror","uuid-name":"m","row":{"name":"m0","select_src_port":["uuid","{{{port}}}"]}},{"op":"mutate","table":"Bridge","where":[],"mutations":[["mirrors","insert",["named-uuid","m"]]]}]""");
        Assert.Equal(1, db.Database.Rows("Mirror").Values.Single().Get("select_src_port").Count);
        db.Reply("""[{"op":"update","table":"Bridge","where":[],"row":{"ports":["set",[]]}}]""");
        Assert.Equal(0, db.Count("Port"));
        Assert.Equal(0, db.Database.Rows("Mirror").Values.Single().Get("select_src_port").Count);
        _ = root;
        _ = bridge;
    }

    [Fact]
    public void Select_can_return_uuid_and_version_and_version_changes_on_modification()
    {
        var db = new TestDatabase();
        db.Populate();
        JsonArray before = db.Reply("""[{"op":"select","table":"Root","where":[],"columns":["_uuid","_version"]}]""");
        db.Reply("""[{"op":"mutate","table":"Root","where":[],"mutations":[["next_cfg","+=",1]]}]""");
        JsonArray after = db.Reply("""[{"op":"select","table":"Root","where":[],"columns":["_uuid","_version"]}]""");
        Assert.Equal(JsonText.Compact(before[0]!["rows"]![0]!["_uuid"]), JsonText.Compact(after[0]!["rows"]![0]!["_uuid"]));
        Assert.NotEqual(JsonText.Compact(before[0]!["rows"]![0]!["_version"]), JsonText.Compact(after[0]!["rows"]![0]!["_version"]));
    }

    [Fact]
    public void Read_only_databases_refuse_writes()
    {
        var db = new Database(SharpSwitch.Ovsdb.Schema.DatabaseSchema.Parse(TestDatabase.SmallSchema), "reserved database _Server");
        TransactResult result = TransactionExecutor.Execute(db, [JsonText.Parse("""{"op":"insert","table":"QoS","row":{}}""")], new TransactionContext(_ => false, 0, 0));
        Assert.Equal("""[{"details":"insert operation not allowed on table in reserved database _Server","error":"not allowed"}]""", JsonText.Compact(result.Reply));
    }
}
