// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>The generic database commands of ovs-vsctl (get, set, add, remove, clear, list, find, create, destroy, wait-until).</summary>
internal static class DatabaseCommands
{
    private static readonly string[] s_assignment = ["="];

    public static void Get(VsctlContext context)
    {
        TableSchema table = context.Table(context.Args[0]);
        bool ifExists = context.HasOption("--if-exists");
        IdlRow? row = RecordFinder.Find(context.Idl, table, context.Args[1], mustExist: !ifExists);
        if (row is null)
        {
            return;
        }
        if (context.Options.TryGetValue("--id", out string? id))
        {
            SymbolTable.Symbol symbol = DefineSymbol(context, id!);
            symbol.Uuid = row.Uuid;
            symbol.StrongReference = true;
        }
        foreach (string argument in context.Args.Skip(2))
        {
            ColumnArgument parsed = ColumnArgument.Parse(argument, operators: null);
            ColumnSchema column = context.Column(table, parsed.Column);
            Datum value = ValueOf(row, column);
            if (parsed.Key is null)
            {
                context.Output.Append(value.ToOvsString()).Append('\n');
                continue;
            }
            if (!column.Type.IsMap)
            {
                throw new VsctlException($"cannot specify key to get for non-map column {column.Name}");
            }
            Atom key = context.ParseAtom(column.Type.Key, parsed.Key);
            if (value.TryGetValue(key, out Atom found))
            {
                context.Output.Append(found.ToOvsString()).Append('\n');
            }
            else if (ifExists)
            {
                context.Output.Append('\n');
            }
            else
            {
                throw new VsctlException($"no key \"{parsed.Key}\" in {table.Name} record \"{context.Args[1]}\" column {column.Name}");
            }
        }
    }

    public static void List(VsctlContext context)
    {
        TableSchema table = context.Table(context.Args[0]);
        IReadOnlyList<ColumnSchema> columns = SelectedColumns(context, table);
        List<IdlRow> rows;
        if (context.Args.Count > 1)
        {
            rows = [];
            foreach (string record in context.Args.Skip(1))
            {
                if (RecordFinder.Find(context.Idl, table, record, mustExist: !context.HasOption("--if-exists")) is { } row)
                {
                    rows.Add(row);
                }
            }
        }
        else
        {
            rows = [.. OvsHashOrder.Order(context.Rows(table.Name).Rows, r => r.Uuid)];
        }
        WriteRows(context, columns, rows);
    }

    public static void Find(VsctlContext context)
    {
        TableSchema table = context.Table(context.Args[0]);
        IReadOnlyList<ColumnSchema> columns = SelectedColumns(context, table);
        var conditions = context.Args.Skip(1).Select(a => Condition.Parse(context, table, a)).ToList();
        List<IdlRow> rows = [.. OvsHashOrder.Order(context.Rows(table.Name).Rows, r => r.Uuid).Where(r => conditions.All(c => c.IsSatisfiedBy(r)))];
        WriteRows(context, columns, rows);
    }

    public static void Set(VsctlContext context)
    {
        TableSchema table = context.Table(context.Args[0]);
        IdlRow? row = RecordFinder.Find(context.Idl, table, context.Args[1], mustExist: !context.HasOption("--if-exists"));
        if (row is null)
        {
            return;
        }
        foreach (string argument in context.Args.Skip(2))
        {
            SetColumn(context, row, argument);
        }
    }

    /// <summary>Applies one <c>COLUMN[:KEY]=VALUE</c> to a row (also used by add-port, add-bond and create).</summary>
    public static void SetColumn(VsctlContext context, IdlRow row, string argument)
    {
        TableSchema table = row.Table.Schema;
        ColumnArgument parsed = ColumnArgument.Parse(argument, s_assignment);
        ColumnSchema column = context.Column(table, parsed.Column);
        CheckMutable(row, column);
        if (parsed.Key is null)
        {
            context.Transaction.Write(row, column.Name, context.ParseDatum(column.Type, parsed.Value!));
            return;
        }
        if (!column.Type.IsMap)
        {
            throw new VsctlException($"cannot specify key to set for non-map column {column.Name}");
        }
        Atom key = context.ParseAtom(column.Type.Key, parsed.Key);
        Atom value = context.ParseAtom(column.Type.Value!, parsed.Value!);
        Datum current = row[column.Name];
        Datum keyOnly = new(new ColumnType(column.Type.Key, null, 0, ColumnType.Unlimited), [key], null);
        Datum pair = new(column.Type, [key], [value]);
        context.Transaction.Write(row, column.Name, current.Subtract(keyOnly).Union(pair));
    }

    public static void Add(VsctlContext context)
    {
        TableSchema table = context.Table(context.Args[0]);
        IdlRow? row = RecordFinder.Find(context.Idl, table, context.Args[1], mustExist: !context.HasOption("--if-exists"));
        if (row is null)
        {
            return;
        }
        ColumnSchema column = context.Column(table, context.Args[2]);
        CheckMutable(row, column);
        ColumnType relaxed = column.Type.WithoutSizeLimits();
        Datum result = row[column.Name].WithType(relaxed);
        foreach (string text in context.Args.Skip(3))
        {
            result = result.Union(context.ParseDatum(relaxed, text));
        }
        context.Transaction.Verify(row, column.Name);
        context.Transaction.Write(row, column.Name, result.WithType(column.Type));
    }

    public static void Remove(VsctlContext context)
    {
        TableSchema table = context.Table(context.Args[0]);
        IdlRow? row = RecordFinder.Find(context.Idl, table, context.Args[1], mustExist: !context.HasOption("--if-exists"));
        if (row is null)
        {
            return;
        }
        ColumnSchema column = context.Column(table, context.Args[2]);
        CheckMutable(row, column);
        ColumnType relaxed = column.Type.WithoutSizeLimits();
        Datum result = row[column.Name].WithType(relaxed);
        foreach (string text in context.Args.Skip(3))
        {
            Datum removal;
            try
            {
                removal = context.ParseDatum(relaxed, text);
            }
            catch (VsctlException) when (column.Type.IsMap)
            {
                // A map also accepts bare keys: remove those keys whatever their values.
                removal = context.ParseDatum(new ColumnType(column.Type.Key, null, 0, ColumnType.Unlimited), text);
            }
            result = result.Subtract(removal);
        }
        if (result.Count < column.Type.Min)
        {
            throw new VsctlException($"\"remove\" operation would put {result.Count} {(column.Type.IsMap ? "pairs" : "values")} in column {column.Name} of table {table.Name} but the minimum number is {column.Type.Min}");
        }
        context.Transaction.Verify(row, column.Name);
        context.Transaction.Write(row, column.Name, result.WithType(column.Type));
    }

    public static void Clear(VsctlContext context)
    {
        TableSchema table = context.Table(context.Args[0]);
        IdlRow? row = RecordFinder.Find(context.Idl, table, context.Args[1], mustExist: !context.HasOption("--if-exists"));
        if (row is null)
        {
            return;
        }
        foreach (string name in context.Args.Skip(2))
        {
            ColumnSchema column = context.Column(table, name);
            CheckMutable(row, column);
            if (column.Type.Min > 0)
            {
                throw new VsctlException($"\"clear\" operation cannot be applied to column {column.Name} of table {table.Name}, which is not allowed to be empty");
            }
            context.Transaction.Write(row, column.Name, Datum.Empty(column.Type));
        }
    }

    public static void Create(VsctlContext context)
    {
        TableSchema table = context.Table(context.Args[0]);
        Guid? provisional = null;
        if (context.Options.TryGetValue("--id", out string? id))
        {
            SymbolTable.Symbol symbol = DefineSymbol(context, id!);
            provisional = symbol.Uuid;
            context.Run.CreatedSymbols[id!] = table;
        }
        else if (!table.IsRoot)
        {
            VsctlLog.Warn(context, "db_ctl_base", $"applying \"create\" command to table {table.Name} without --id option will have no effect");
        }
        IdlRow row = context.Transaction.Insert(table.Name, provisional);
        foreach (string argument in context.Args.Skip(1))
        {
            SetColumn(context, row, argument);
        }
        string printed = row.Uuid.ToString("D");
        System.Text.StringBuilder output = context.Output;
        output.Append(printed).Append('\n');
        context.Run.AfterCommit.Add(result =>
        {
            if (result.InsertedUuids.TryGetValue(row.Uuid, out Guid real))
            {
                output.Replace(printed, real.ToString("D"));
            }
        });
    }

    public static void Destroy(VsctlContext context)
    {
        TableSchema table = context.Table(context.Args[0]);
        bool all = context.HasOption("--all");
        if (all && context.Args.Count > 1)
        {
            throw new VsctlException("--all and records argument should not be specified together");
        }
        if (!all && context.Args.Count == 1)
        {
            VsctlLog.Warn(context, "db_ctl_base", "either --all or records argument should be specified");
            return;
        }
        if (all)
        {
            foreach (IdlRow row in context.Rows(table.Name).Rows.ToList())
            {
                context.Transaction.Delete(row);
            }
            return;
        }
        foreach (string record in context.Args.Skip(1))
        {
            if (RecordFinder.Find(context.Idl, table, record, mustExist: !context.HasOption("--if-exists")) is { } row)
            {
                context.Transaction.Delete(row);
            }
        }
    }

    public static void WaitUntil(VsctlContext context)
    {
        TableSchema table = context.Table(context.Args[0]);
        var conditions = context.Args.Skip(2).Select(a => Condition.Parse(context, table, a)).ToList();
        IdlRow? row = RecordFinder.Find(context.Idl, table, context.Args[1], mustExist: false);
        if (row is null || !conditions.All(c => c.IsSatisfiedBy(row)))
        {
            context.TryAgain = true;
        }
    }

    private static SymbolTable.Symbol DefineSymbol(VsctlContext context, string id)
    {
        if (!id.StartsWith('@'))
        {
            throw new VsctlException($"row id \"{id}\" does not begin with \"@\"");
        }
        SymbolTable.Symbol? existing = context.Symbols.Find(id);
        if (existing is { Created: true })
        {
            throw new VsctlException($"row id \"{id}\" may only be specified on one --id option");
        }
        SymbolTable.Symbol symbol = existing ?? context.Symbols.Insert(id);
        symbol.Created = true;
        return symbol;
    }

    private static void CheckMutable(IdlRow row, ColumnSchema column)
    {
        if ((!column.Mutable || column.IsReserved) && !row.IsNew)
        {
            throw new VsctlException($"cannot modify read-only column {column.Name} in table {row.Table.Name}");
        }
    }

    private static Datum ValueOf(IdlRow row, ColumnSchema column)
    {
        return column.Name == "_uuid" ? Datum.Scalar(Atom.FromUuid(row.Uuid)) : row[column.Name];
    }

    private static IReadOnlyList<ColumnSchema> SelectedColumns(VsctlContext context, TableSchema table)
    {
        string? list = context.Options.TryGetValue("--columns", out string? option) ? option : context.Settings.Columns;
        if (list is null)
        {
            return SchemaNames.AllColumns(table);
        }
        return [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(name => context.Column(table, name.Trim()))];
    }

    private static void WriteRows(VsctlContext context, IReadOnlyList<ColumnSchema> columns, List<IdlRow> rows)
    {
        var table = new OutputTable([.. columns.Select(c => c.Name)]);
        foreach (IdlRow row in rows)
        {
            table.AddRow(columns.Select(c => ValueOf(row, c)));
        }
        table.Write(context.Output, context.Settings);
    }
}
