// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using SharpSwitch.Ovsdb;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>Everything one command sees while it runs: the replica, the open transaction, its arguments and its output.</summary>
internal sealed class VsctlContext
{
    public VsctlContext(OvsdbIdl idl, IdlTransaction transaction, IdlRow openVSwitch, SymbolTable symbols, VsctlSettings settings, VsctlRun run)
    {
        Idl = idl;
        Transaction = transaction;
        OpenVSwitch = openVSwitch;
        Symbols = symbols;
        Settings = settings;
        Run = run;
    }

    public OvsdbIdl Idl { get; }

    public IdlTransaction Transaction { get; }

    /// <summary>The root row (inserted by this transaction when the table was empty).</summary>
    public IdlRow OpenVSwitch { get; }

    public SymbolTable Symbols { get; }

    public VsctlSettings Settings { get; }

    /// <summary>State shared by all commands of this attempt (bridge cache, post-commit actions).</summary>
    public VsctlRun Run { get; }

    /// <summary>The command's words after its name.</summary>
    public IReadOnlyList<string> Args { get; set; } = [];

    /// <summary>The command's options (<c>--if-exists</c>, <c>--id=@x</c>, ...), value null when none.</summary>
    public IReadOnlyDictionary<string, string?> Options { get; set; } = new Dictionary<string, string?>();

    /// <summary>What the command prints, shown after a successful commit.</summary>
    public StringBuilder Output { get; set; } = new();

    /// <summary>Set by a command that cannot proceed until the database changes (<c>wait-until</c>).</summary>
    public bool TryAgain { get; set; }

    public bool HasOption(string name) => Options.ContainsKey(name);

    public TableSchema Table(string name) => SchemaNames.FindTable(Idl.Schema, name);

    public ColumnSchema Column(TableSchema table, string name) => SchemaNames.FindColumn(table, name);

    public IdlTable Rows(string table) => Idl.GetTable(table);

    /// <summary>Parses a value in OVS string syntax, turning engine errors into ovs-vsctl's messages.</summary>
    public Datum ParseDatum(ColumnType type, string text)
    {
        try
        {
            return Datum.ParseOvsString(type, text, Symbols);
        }
        catch (OvsdbException ex)
        {
            throw Translate(ex, type.Key);
        }
    }

    /// <summary>Parses one atom (a map key or value) in OVS string syntax.</summary>
    public Atom ParseAtom(BaseType type, string text)
    {
        try
        {
            // A lone atom is the whole argument, not a token: "hwaddr=02:00:00:00:00:01" keeps its colons.
            return Atom.ParseOvsString(text, type, Symbols);
        }
        catch (OvsdbException ex)
        {
            throw Translate(ex, type);
        }
    }

    /// <summary>
    /// ovs-vsctl prints parse errors as their bare text and constraint errors prefixed with their class, and it
    /// words a bad integer as "not a valid integer or range" because its parser also accepts ranges.
    /// </summary>
    public static VsctlException Translate(OvsdbException ex, BaseType type)
    {
        if (ex.Tag == "syntax error")
        {
            string details = ex.Details;
            if (type.Type == AtomType.Integer && details.EndsWith("is not a valid integer", StringComparison.Ordinal))
            {
                details += " or range";
            }
            return new VsctlException(details);
        }
        return new VsctlException(ex.Message);
    }

    public Datum EmptyLike(ColumnSchema column) => Datum.Empty(column.Type);

    public Datum Single(IdlRow row, string column, Atom atom) => Datum.Single(row.Table.Schema.FindColumn(column)!.Type, atom);

    public Datum StringValue(IdlRow row, string column, string value) => Single(row, column, Atom.FromString(value));

    /// <summary>Makes a set-of-references value of <paramref name="column"/> from rows.</summary>
    public Datum References(IdlRow row, string column, IEnumerable<IdlRow> targets)
    {
        ColumnType type = row.Table.Schema.FindColumn(column)!.Type;
        return new Datum(type, [.. targets.Select(t => Atom.FromUuid(t.Uuid))], null);
    }
}

/// <summary>State shared by the commands of one attempt at running the command line.</summary>
internal sealed class VsctlRun
{
    public BridgeCache? Cache { get; set; }

    /// <summary>Actions that fix up output once the real uuids are known (e.g. <c>create</c> prints the new uuid).</summary>
    public List<Action<IdlCommitResult>> AfterCommit { get; } = [];

    /// <summary>The table of each row a <c>create --id=@name</c> made, to warn about unreferenced non-root rows.</summary>
    public Dictionary<string, TableSchema> CreatedSymbols { get; } = new(StringComparer.Ordinal);

    /// <summary>Log lines (warnings) to print on standard error.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Interfaces created by this run, checked for errors after waiting for the switch.</summary>
    public List<(IdlRow Row, string Name)> NewInterfaces { get; } = [];
}
