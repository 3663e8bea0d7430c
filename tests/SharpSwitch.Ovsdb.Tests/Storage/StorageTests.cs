// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.Json;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Storage;
using SharpSwitch.Ovsdb.Tests.Schema;
using SharpSwitch.Ovsdb.Tests.Transactions;
using SharpSwitch.Ovsdb.Transactions;
using SharpSwitch.Testing;

namespace SharpSwitch.Ovsdb.Tests.Storage;

public sealed class StorageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ovsdb-storage-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>Runs a transaction against a file-backed database the way the server does: check, write, apply.</summary>
    internal static JsonElement Transact(DatabaseFile file, string operationsJson)
    {
        JsonElement ops = JsonText.Parse(operationsJson);
        TransactResult result = TransactionExecutor.Execute(file.Database, [.. ops.EnumerateArray()], new TransactionContext(_ => false, 0, 0));
        if (result.Changes is { IsEmpty: false } changes)
        {
            file.Commit(changes);
            file.Database.Apply(changes);
        }
        return JsonText.ToElement(result.Reply);
    }

    internal static string Dump(Database database)
    {
        var text = new StringBuilder();
        foreach (TableSchema table in database.Schema.Tables)
        {
            foreach (Row row in database.Rows(table).Values.OrderBy(r => r.Uuid))
            {
                text.Append(table.Name).Append(' ').Append(row.Uuid).Append(':');
                foreach (ColumnSchema column in table.Columns.Where(c => !c.Ephemeral))
                {
                    text.Append(' ').Append(column.Name).Append('=').Append(row.Get(column).ToOvsString());
                }
                text.AppendLine();
            }
        }
        return text.ToString();
    }

    private DatabaseFile CreateSmall(string name)
    {
        string path = PathOf(name);
        DatabaseFile.Create(path, DatabaseSchema.Parse(TestDatabase.SmallSchema));
        return DatabaseFile.Open(path);
    }

    private static void Populate(DatabaseFile file)
    {
        Transact(file, """
            [{"op":"insert","table":"Root","row":{"bridges":["named-uuid","b"]}},
             {"op":"insert","table":"Bridge","uuid-name":"b","row":{"name":"br0","ports":["named-uuid","p"],"external_ids":["map",[["a","1"]]]}},
             {"op":"insert","table":"Port","uuid-name":"p","row":{"name":"p0","interfaces":["named-uuid","i"],"tag":10}},
             {"op":"insert","table":"Interface","uuid-name":"i","row":{"name":"p0","type":"dummy"}},
             {"op":"comment","comment":"first"}]
            """);
        Transact(file, """[{"op":"mutate","table":"Bridge","where":[],"mutations":[["external_ids","delete",["set",["a"]]],["external_ids","insert",["map",[["b","2"],["c","3"]]]],["flood_vlans","insert",["set",[1,2,3]]]]}]""");
        Transact(file, """[{"op":"mutate","table":"Bridge","where":[],"mutations":[["flood_vlans","delete",2]]},{"op":"update","table":"Port","where":[],"row":{"tag":["set",[]]}},{"op":"mutate","table":"Root","where":[],"mutations":[["next_cfg","+=",5]]}]""");
        Transact(file, """[{"op":"insert","table":"QoS","row":{"type":"linux-htb"}}]""");
    }

    [Fact]
    public void Committed_transactions_survive_reopening()
    {
        string expected;
        using (DatabaseFile file = CreateSmall("a.db"))
        {
            Populate(file);
            expected = Dump(file.Database);
            Assert.Equal(5, file.RecordCount);
        }
        using DatabaseFile reopened = DatabaseFile.Open(PathOf("a.db"));
        Assert.Equal(expected, Dump(reopened.Database));
        Assert.Contains("flood_vlans=[1, 3]", expected);
        Assert.Contains("external_ids={b=\"2\", c=\"3\"}", expected);
        Assert.Contains("next_cfg=5", expected);
    }

    [Fact]
    public void Records_follow_the_ovs_framing_and_diff_format()
    {
        using (DatabaseFile file = CreateSmall("b.db"))
        {
            Populate(file);
        }
        byte[] bytes = File.ReadAllBytes(PathOf("b.db"));
        string text = Encoding.UTF8.GetString(bytes);
        string[] lines = text.Split('\n');
        Assert.StartsWith("OVSDB JSON ", lines[0]);
        string[] header = lines[0].Split(' ');
        Assert.Equal(lines[1].Length + 1, int.Parse(header[2], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(lines[1] + "\n"))), header[3]);
        using JsonDocument first = JsonDocument.Parse(lines[3]);
        Assert.True(first.RootElement.GetProperty("_is_diff").GetBoolean());
        Assert.Equal("first", first.RootElement.GetProperty("_comment").GetString());
        Assert.True(first.RootElement.GetProperty("_date").GetInt64() > 1_600_000_000_000);
        Assert.DoesNotContain("\"flood_vlans\"", lines[3]);
        using JsonDocument second = JsonDocument.Parse(lines[5]);
        JsonElement bridge = second.RootElement.GetProperty("Bridge").EnumerateObject().Single().Value;
        Assert.Equal("""["map",[["a","1"],["b","2"],["c","3"]]]""", bridge.GetProperty("external_ids").GetRawText());
        using JsonDocument third = JsonDocument.Parse(lines[7]);
        Assert.Equal("2", third.RootElement.GetProperty("Bridge").EnumerateObject().Single().Value.GetProperty("flood_vlans").GetRawText());
        Assert.Equal("""["set",[]]""", third.RootElement.GetProperty("Port").EnumerateObject().Single().Value.GetProperty("tag").GetRawText());
    }

    [Fact]
    public void Ephemeral_only_changes_and_no_ops_write_no_record()
    {
        using DatabaseFile file = CreateSmall("c.db");
        Populate(file);
        long size = file.Size;
        Transact(file, """[{"op":"update","table":"Bridge","where":[],"row":{"status":["map",[["k","v"]]]}}]""");
        Transact(file, """[{"op":"update","table":"Interface","where":[],"row":{"type":"dummy"}}]""");
        Assert.Equal(size, file.Size);
    }

    [Theory]
    [InlineData("garbage appended\n")]
    [InlineData("OVSDB JSON 500 0123456789012345678901234567890123456789\n{\"_date\":1")]
    [InlineData("OVSDB JSON 10 0123456789012345678901234567890123456789\n{\"_date\":1}\n")]
    public void A_damaged_tail_is_truncated_and_the_good_prefix_kept(string tail)
    {
        string expected;
        long goodSize;
        using (DatabaseFile file = CreateSmall("d.db"))
        {
            Populate(file);
            expected = Dump(file.Database);
            goodSize = file.Size;
        }
        File.AppendAllText(PathOf("d.db"), tail);
        var log = new List<string>();
        using (DatabaseFile reopened = DatabaseFile.Open(PathOf("d.db"), log: log.Add))
        {
            Assert.Equal(expected, Dump(reopened.Database));
            Assert.Single(log);
            Assert.Contains("truncating", log[0]);
            Transact(reopened, """[{"op":"insert","table":"QoS","row":{"type":"after"}}]""");
        }
        using DatabaseFile again = DatabaseFile.Open(PathOf("d.db"));
        Assert.Equal(2, again.Database.Rows("QoS").Count);
        Assert.True(again.Size > goodSize);
    }

    [Fact]
    public void A_record_cut_in_the_middle_loses_only_that_record()
    {
        string expectedBeforeLast;
        long sizeBeforeLast;
        using (DatabaseFile file = CreateSmall("e.db"))
        {
            Populate(file);
            expectedBeforeLast = Dump(file.Database);
            sizeBeforeLast = file.Size;
            Transact(file, """[{"op":"insert","table":"QoS","row":{"type":"lost"}}]""");
        }
        long fullSize = new FileInfo(PathOf("e.db")).Length;
        for (long cut = sizeBeforeLast + 1; cut < fullSize; cut += 7)
        {
            string copy = PathOf($"cut{cut}.db");
            File.Copy(PathOf("e.db"), copy);
            using (var stream = new FileStream(copy, FileMode.Open))
            {
                stream.SetLength(cut);
            }
            using DatabaseFile reopened = DatabaseFile.Open(copy);
            Assert.Equal(expectedBeforeLast, Dump(reopened.Database));
            Assert.Equal(sizeBeforeLast, reopened.Size);
        }
    }

    [Fact]
    public void Compaction_rewrites_the_file_as_schema_plus_snapshot_with_the_same_contents()
    {
        using (DatabaseFile file = CreateSmall("f.db"))
        {
            Populate(file);
            for (int i = 0; i < 150; i++)
            {
                Transact(file, """[{"op":"mutate","table":"Root","where":[],"mutations":[["next_cfg","+=",1]]}]""");
            }
            Assert.True(file.ShouldCompact);
            string before = Dump(file.Database);
            long sizeBefore = file.Size;
            file.Compact();
            Assert.Equal(2, file.RecordCount);
            Assert.True(file.Size < sizeBefore);
            Assert.False(file.ShouldCompact);
            Assert.Contains("next_cfg=155", before);
            Assert.Equal(before, Dump(file.Database));
            Transact(file, """[{"op":"mutate","table":"Root","where":[],"mutations":[["next_cfg","+=",1]]}]""");
        }
        using DatabaseFile reopened = DatabaseFile.Open(PathOf("f.db"));
        Assert.Contains("next_cfg=156", Dump(reopened.Database));
        Assert.Equal(3, reopened.RecordCount);
        Assert.False(File.Exists(PathOf("f.db.tmp")));
    }

    [Fact]
    public void A_file_that_is_not_a_database_gives_a_clear_error()
    {
        File.WriteAllText(PathOf("junk.db"), "hello\n");
        OvsdbException error = Assert.Throws<OvsdbException>(() => DatabaseFile.Open(PathOf("junk.db")));
        Assert.Contains("cannot read database schema", error.Details);
    }

    [RequiresToolsFact("ovsdb-tool")]
    public void Files_written_by_real_ovsdb_tool_open_with_their_contents()
    {
        string path = PathOf("real.db");
        string tool = Requirements.FindExecutable("ovsdb-tool")!;
        Assert.Equal(0, ProcessRunner.Run(tool, ["create", path, SchemaTests.InstalledOvsSchema]).ExitCode);
        ProcessRunner.Result insert = ProcessRunner.Run(tool, ["transact", path, """
            ["Open_vSwitch",
             {"op":"insert","table":"Open_vSwitch","row":{"bridges":["named-uuid","b"],"external_ids":["map",[["k","v"]]]}},
             {"op":"insert","table":"Bridge","uuid-name":"b","row":{"name":"br0","ports":["named-uuid","p"],"flood_vlans":["set",[1,2]]}},
             {"op":"insert","table":"Port","uuid-name":"p","row":{"name":"p0","interfaces":["named-uuid","i"],"tag":7}},
             {"op":"insert","table":"Interface","uuid-name":"i","row":{"name":"p0","type":"dummy","statistics":["map",[["rx",1]]]}},
             {"op":"comment","comment":"made by ovsdb-tool"}]
            """]);
        Assert.True(insert.ExitCode == 0, insert.StandardError);
        Assert.Equal(0, ProcessRunner.Run(tool, ["transact", path, """["Open_vSwitch",{"op":"mutate","table":"Bridge","where":[],"mutations":[["flood_vlans","delete",1],["flood_vlans","insert",3]]},{"op":"update","table":"Port","where":[],"row":{"tag":["set",[]]}}]"""]).ExitCode);
        using DatabaseFile file = DatabaseFile.Open(path);
        Assert.Equal("Open_vSwitch", file.Schema.Name);
        string dump = Dump(file.Database);
        Assert.Contains("name=br0", dump);
        Assert.Contains("flood_vlans=[2, 3]", dump);
        Assert.Contains("tag=[]", dump);
        Assert.Contains("external_ids={k=v}", dump);
    }

    [RequiresToolsFact("ovsdb-tool")]
    public void Real_ovsdb_tool_reads_our_files_show_log_and_query_agree()
    {
        string path = PathOf("ours.db");
        DatabaseFile.Create(path, VswitchSchemaTests.Ours());
        using (DatabaseFile file = DatabaseFile.Open(path))
        {
            Transact(file, """
                [{"op":"insert","table":"Open_vSwitch","row":{"bridges":["named-uuid","b"]}},
                 {"op":"insert","table":"Bridge","uuid-name":"b","row":{"name":"br0","ports":["named-uuid","p"],"other_config":["map",[["x","1"]]]}},
                 {"op":"insert","table":"Port","uuid-name":"p","row":{"name":"p0","interfaces":["named-uuid","i"],"tag":10}},
                 {"op":"insert","table":"Interface","uuid-name":"i","row":{"name":"p0","type":"dummy"}},
                 {"op":"comment","comment":"add-br br0"}]
                """);
            Transact(file, """[{"op":"mutate","table":"Bridge","where":[],"mutations":[["other_config","insert",["map",[["y","2"]]]]]},{"op":"update","table":"Port","where":[],"row":{"tag":20}}]""");
            Transact(file, """[{"op":"mutate","table":"Bridge","where":[],"mutations":[["other_config","delete",["set",["x"]]]]}]""");
        }
        string tool = Requirements.FindExecutable("ovsdb-tool")!;
        ProcessRunner.Result log = ProcessRunner.Run(tool, ["show-log", "-mm", path]);
        Assert.True(log.ExitCode == 0, log.StandardError);
        Assert.Contains("record 0: \"Open_vSwitch\" schema, version=\"8.3.1\"", log.StandardOutput);
        Assert.Contains("\"add-br br0\"", log.StandardOutput);
        Assert.Contains("record 3:", log.StandardOutput);
        ProcessRunner.Result query = ProcessRunner.Run(tool, ["query", path, """["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name","other_config"]},{"op":"select","table":"Port","where":[],"columns":["tag"]}]"""]);
        Assert.True(query.ExitCode == 0, query.StandardError);
        Assert.Equal("""[{"rows":[{"name":"br0","other_config":["map",[["y","2"]]]}]},{"rows":[{"tag":20}]}]""", query.StandardOutput.Trim());
        using (DatabaseFile file = DatabaseFile.Open(path))
        {
            file.Compact();
        }
        ProcessRunner.Result compacted = ProcessRunner.Run(tool, ["show-log", path]);
        Assert.True(compacted.ExitCode == 0, compacted.StandardError);
        Assert.Contains("compacting database online", compacted.StandardOutput);
        ProcessRunner.Result query2 = ProcessRunner.Run(tool, ["query", path, """["Open_vSwitch",{"op":"select","table":"Port","where":[],"columns":["tag","name"]}]"""]);
        Assert.Contains("\"tag\":20", query2.StandardOutput);
    }
}
