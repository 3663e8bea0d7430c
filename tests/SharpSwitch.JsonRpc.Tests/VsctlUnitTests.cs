// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using SharpSwitch.Cli.Vsctl;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary>The parts of vsw vsctl that need no database: argument parsing, output layout and row ordering.</summary>
public sealed class VsctlUnitTests
{
    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = VsctlCommand.Run(args, new VsctlCommand.Host { Out = stdout, Error = stderr, OnTimeout = () => 142 });
        return (rc, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData(new string[0], "missing command name (use --help for help)")]
    [InlineData(new[] { "--", "--id=@a" }, "missing command name (use --help for help)")]
    [InlineData(new[] { "nosuchcmd" }, "unknown command 'nosuchcmd'; use --help for help")]
    [InlineData(new[] { "add-br" }, "'add-br' command requires at least 1 arguments")]
    [InlineData(new[] { "list-br", "x" }, "'list-br' command takes at most 0 arguments")]
    [InlineData(new[] { "list-br", "--no-wait" }, "'list-br' command takes at most 0 arguments (note that options must precede command names and follow a \"--\" argument)")]
    [InlineData(new[] { "--if-exists", "--may-exist", "del-port", "x" }, "'del-port' command has no '--may-exist' option")]
    [InlineData(new[] { "--", "--if-exists", "--if-exists", "del-port", "x" }, "'--if-exists' option specified multiple times")]
    [InlineData(new[] { "--format=bogus", "list", "port" }, "unknown output format \"bogus\"")]
    [InlineData(new[] { "--data=bogus", "list", "port" }, "unknown data format \"bogus\"")]
    [InlineData(new[] { "--bogus", "list-br" }, "unrecognized option '--bogus'")]
    [InlineData(new[] { "--db" }, "option '--db' requires an argument")]
    [InlineData(new[] { "--timeout=soon", "show" }, "value soon on -t or --timeout is invalid")]
    public void Bad_command_lines_get_ovs_vsctl_errors_and_status_1(string[] args, string message)
    {
        Assert.Equal((1, "", "ovs-vsctl: " + message + "\n"), Run(args));
    }

    [Fact]
    public void Version_and_help_exit_0()
    {
        Assert.Equal((0, "ovs-vsctl (Open vSwitch) 3.1.0\nDB Schema 8.3.1\n", ""), Run("--version"));
        (int rc, string stdout, _) = Run("--help");
        Assert.Equal(0, rc);
        Assert.Contains("  add-br [--may-exist]\n", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("other_config:hwaddr=02:00:00:00:00:01", "other_config", "hwaddr", "=", "02:00:00:00:00:01")]
    [InlineData("tag>=5", "tag", null, ">=", "5")]
    [InlineData("trunks{<=}[1,2]", "trunks", null, "{<=}", "[1,2]")]
    [InlineData("\"other_config\":\"a b\"!=x", "other_config", "a b", "!=", "x")]
    [InlineData("name=", "name", null, "=", "")]
    public void Column_arguments_split_like_ovs_vsctl(string text, string column, string? key, string op, string value)
    {
        Assert.Equal(new ColumnArgument(column, key, op, value), ColumnArgument.Parse(text, ColumnArgument.RelationalOperators));
    }

    [Theory]
    [InlineData(":x=1", ":x=1: missing column name")]
    [InlineData("name", "name: argument does not end in \"=\" followed by a value.")]
    public void Malformed_column_arguments_are_rejected(string text, string message)
    {
        var error = Assert.Throws<VsctlException>(() => ColumnArgument.Parse(text, ["="]));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Table_format_pads_all_but_the_last_column_and_csv_quotes_commas()
    {
        var intSet = new ColumnType(new BaseType(AtomType.Integer), null, 0, 4096);
        var output = new OutputTable(["name", "tag", "trunks"]);
        output.AddRow([Datum.Scalar(Atom.FromString("br0")), Datum.Empty(intSet), Datum.Empty(intSet)]);
        output.AddRow([Datum.Scalar(Atom.FromString("bond0")), new Datum(intSet, [Atom.FromInteger(10)], null), new Datum(intSet, [Atom.FromInteger(1), Atom.FromInteger(2)], null)]);

        var table = new StringBuilder();
        output.Write(table, new VsctlSettings { Format = TableFormat.Table });
        Assert.Equal("name  tag  trunks\n----- ---- ------\nbr0   []   []\nbond0 [10] [1, 2]\n", table.ToString());

        var csv = new StringBuilder();
        output.Write(csv, new VsctlSettings { Format = TableFormat.Csv });
        Assert.Equal("name,tag,trunks\nbr0,[],[]\nbond0,[10],\"[1, 2]\"\n", csv.ToString());

        var bare = new StringBuilder();
        output.Write(bare, new VsctlSettings { Format = TableFormat.List, Data = CellFormat.Bare, NoHeadings = true });
        Assert.Equal("br0\n\n\n\nbond0\n10\n1 2\n", bare.ToString());

        var json = new StringBuilder();
        output.Write(json, new VsctlSettings { Format = TableFormat.Json });
        Assert.Equal("{\"data\":[[\"br0\",[\"set\",[]],[\"set\",[]]],[\"bond0\",10,[\"set\",[1,2]]]],\"headings\":[\"name\",\"tag\",\"trunks\"]}\n", json.ToString());
    }

    [Fact]
    public void Hash_order_replays_ovs_hash_maps()
    {
        // Hash of a uuid text, checked against the order in which real ovs-vsctl lists rows.
        Assert.Equal(0x8ea100b9u, OvsHashOrder.HashString("62d63ce1-01ce-4757-bcb8-748f468573b7"));

        // Keys inserted 0..7 with hash = key land in buckets by key & 3 (four buckets for up to 7 entries), each
        // chain newest first, then the growth to 8 buckets at the 8th insert reverses every chain.
        IReadOnlyList<uint> seven = OvsHashOrder.HashMapOrder(Enumerable.Range(0, 7).Select(i => (uint)i), k => k);
        Assert.Equal([4u, 0u, 5u, 1u, 6u, 2u, 3u], seven);
        IReadOnlyList<uint> two = OvsHashOrder.HashMapOrder([7u, 3u], k => k);
        Assert.Equal([7u, 3u], two);
    }
}
