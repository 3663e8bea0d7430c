// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>One <c>COLUMN[:KEY]OP VALUE</c> test of <c>find</c> and <c>wait-until</c>.</summary>
internal sealed class Condition
{
    private readonly ColumnSchema _column;
    private readonly Atom? _key;
    private readonly string _operator;
    private readonly Datum _wanted;

    private Condition(ColumnSchema column, Atom? key, string op, Datum wanted)
    {
        _column = column;
        _key = key;
        _operator = op;
        _wanted = wanted;
    }

    public static Condition Parse(VsctlContext context, TableSchema table, string text)
    {
        ColumnArgument parsed = ColumnArgument.Parse(text, ColumnArgument.RelationalOperators);
        ColumnSchema column = context.Column(table, parsed.Column);
        if (parsed.Key is null)
        {
            return new Condition(column, null, parsed.Operator!, context.ParseDatum(column.Type.WithoutSizeLimits(), parsed.Value!));
        }
        if (!column.Type.IsMap)
        {
            throw new VsctlException($"cannot specify key to check for non-map column {column.Name}");
        }
        Atom key = context.ParseAtom(column.Type.Key, parsed.Key);
        var valueType = new ColumnType(column.Type.Value!, null, 0, ColumnType.Unlimited);
        return new Condition(column, key, parsed.Operator!, context.ParseDatum(valueType, parsed.Value!));
    }

    public bool IsSatisfiedBy(IdlRow row)
    {
        Datum have = _column.Name == "_uuid" ? Datum.Scalar(Atom.FromUuid(row.Uuid)) : row[_column.Name];
        if (_key is { } key)
        {
            var valueType = new ColumnType(_column.Type.Value!, null, 0, ColumnType.Unlimited);
            have = have.TryGetValue(key, out Atom value) ? new Datum(valueType, [value], null) : Datum.Empty(valueType);
        }
        Datum wanted = _wanted.WithType(have.Type);
        return _operator switch
        {
            "=" or "{=}" => have.Equals(wanted),
            "!=" or "{!=}" => !have.Equals(wanted),
            "<" => Compare(have, wanted) < 0,
            ">" => Compare(have, wanted) > 0,
            "<=" => Compare(have, wanted) <= 0,
            ">=" => Compare(have, wanted) >= 0,
            "{<}" => wanted.Includes(have) && !have.Equals(wanted),
            "{>}" => have.Includes(wanted) && !have.Equals(wanted),
            "{<=}" or "{in}" => wanted.Includes(have),
            "{>=}" => have.Includes(wanted),
            "{not-in}" => wanted.Excludes(have),
            _ => false,
        };
    }

    private static int Compare(Datum a, Datum b)
    {
        if (a.Count != b.Count)
        {
            return a.Count < b.Count ? -1 : 1;
        }
        for (int i = 0; i < a.Count; i++)
        {
            int order = a.Keys[i].CompareTo(b.Keys[i]);
            if (order != 0)
            {
                return order;
            }
        }
        if (a.IsMap && b.IsMap)
        {
            for (int i = 0; i < a.Count; i++)
            {
                int order = a.Values![i].CompareTo(b.Values![i]);
                if (order != 0)
                {
                    return order;
                }
            }
        }
        return 0;
    }
}
