// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Switchd.Config;

/// <summary>Typed reads of the replica's rows, and datums to write back, for the columns the daemon uses.</summary>
internal static class RowValues
{
    /// <summary>A scalar or optional string column; null when empty.</summary>
    public static string? OptionalString(IdlRow row, string column)
    {
        Datum datum = row.Get(column);
        return datum.Count > 0 && datum.Keys[0].Type == AtomType.String ? datum.Keys[0].String : null;
    }

    /// <summary>A string column, empty string when absent.</summary>
    public static string String(IdlRow row, string column) => OptionalString(row, column) ?? "";

    /// <summary>An optional integer column.</summary>
    public static long? OptionalInteger(IdlRow row, string column)
    {
        Datum datum = row.Get(column);
        return datum.Count > 0 && datum.Keys[0].Type == AtomType.Integer ? datum.Keys[0].Integer : null;
    }

    /// <summary>An optional boolean column.</summary>
    public static bool? OptionalBoolean(IdlRow row, string column)
    {
        Datum datum = row.Get(column);
        return datum.Count > 0 && datum.Keys[0].Type == AtomType.Boolean ? datum.Keys[0].Boolean : null;
    }

    /// <summary>A string→string map column.</summary>
    public static Dictionary<string, string> StringMap(IdlRow row, string column)
    {
        Datum datum = row.Get(column);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (datum.Values is null)
        {
            return map;
        }
        for (int i = 0; i < datum.Count; i++)
        {
            map[datum.Keys[i].ToOvsString().Trim('"')] = datum.Values[i].Type == AtomType.String ? datum.Values[i].String : datum.Values[i].ToOvsString();
        }
        return map;
    }

    /// <summary>The uuids of a reference set column.</summary>
    public static IEnumerable<Guid> Uuids(IdlRow row, string column)
    {
        foreach (Atom atom in row.Get(column).Keys)
        {
            if (atom.Type == AtomType.Uuid)
            {
                yield return atom.Uuid;
            }
        }
    }

    /// <summary>The integers of a set column (e.g. <c>trunks</c>).</summary>
    public static List<int> Integers(IdlRow row, string column)
    {
        var list = new List<int>();
        foreach (Atom atom in row.Get(column).Keys)
        {
            if (atom.Type == AtomType.Integer)
            {
                list.Add((int)atom.Integer);
            }
        }
        return list;
    }

    private static ColumnType TypeOf(IdlRow row, string column)
    {
        return row.Table.Schema.FindColumn(column)?.Type ?? throw new InvalidOperationException($"{row.Table.Name} has no column {column}");
    }

    /// <summary>A datum holding one string (or an empty optional when null).</summary>
    public static Datum StringDatum(IdlRow row, string column, string? value)
    {
        ColumnType type = TypeOf(row, column);
        return value is null ? Datum.Empty(type) : new Datum(type, [Atom.FromString(value)], null);
    }

    /// <summary>A datum holding one integer (or an empty optional when null).</summary>
    public static Datum IntegerDatum(IdlRow row, string column, long? value)
    {
        ColumnType type = TypeOf(row, column);
        return value is null ? Datum.Empty(type) : new Datum(type, [Atom.FromInteger(value.Value)], null);
    }

    /// <summary>A datum holding one boolean (or an empty optional when null).</summary>
    public static Datum BooleanDatum(IdlRow row, string column, bool? value)
    {
        ColumnType type = TypeOf(row, column);
        return value is null ? Datum.Empty(type) : new Datum(type, [Atom.FromBoolean(value.Value)], null);
    }

    /// <summary>A string→integer map datum.</summary>
    public static Datum IntegerMapDatum(IdlRow row, string column, IEnumerable<KeyValuePair<string, long>> entries)
    {
        ColumnType type = TypeOf(row, column);
        var keys = new List<Atom>();
        var values = new List<Atom>();
        foreach (KeyValuePair<string, long> entry in entries)
        {
            keys.Add(Atom.FromString(entry.Key));
            values.Add(Atom.FromInteger(entry.Value));
        }
        return new Datum(type, [.. keys], [.. values]);
    }

    /// <summary>A string→string map datum.</summary>
    public static Datum StringMapDatum(IdlRow row, string column, IEnumerable<KeyValuePair<string, string>> entries)
    {
        ColumnType type = TypeOf(row, column);
        var keys = new List<Atom>();
        var values = new List<Atom>();
        foreach (KeyValuePair<string, string> entry in entries)
        {
            keys.Add(Atom.FromString(entry.Key));
            values.Add(Atom.FromString(entry.Value));
        }
        return new Datum(type, [.. keys], [.. values]);
    }

    /// <summary>A set-of-strings datum.</summary>
    public static Datum StringSetDatum(IdlRow row, string column, IEnumerable<string> items)
    {
        ColumnType type = TypeOf(row, column);
        return new Datum(type, [.. items.Select(Atom.FromString)], null);
    }
}
