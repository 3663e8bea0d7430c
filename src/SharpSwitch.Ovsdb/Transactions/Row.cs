// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Transactions;

/// <summary>
/// An immutable snapshot of one row: its identity, its version and one datum per user column. A transaction
/// that changes a row makes a new snapshot, so readers of the committed database never see partial changes.
/// </summary>
public sealed class Row
{
    private readonly Datum[] _values;

    internal Row(TableSchema table, Guid uuid, Guid version, Datum[] values)
    {
        Table = table;
        Uuid = uuid;
        Version = version;
        _values = values;
    }

    /// <summary>The table the row belongs to.</summary>
    public TableSchema Table { get; }

    /// <summary>The row's <c>_uuid</c>.</summary>
    public Guid Uuid { get; }

    /// <summary>The row's <c>_version</c>, which changes on each modification.</summary>
    public Guid Version { get; }

    /// <summary>A row with every column at its default.</summary>
    internal static Row CreateDefault(TableSchema table, Guid uuid) =>
        new(table, uuid, Guid.NewGuid(), [.. table.Columns.Select(c => c.Default)]);

    /// <summary>The value of a column, including the reserved <c>_uuid</c> and <c>_version</c>.</summary>
    public Datum Get(ColumnSchema column) => column.Name switch
    {
        "_uuid" when column.IsReserved => Datum.Scalar(Atom.FromUuid(Uuid)),
        "_version" when column.IsReserved => Datum.Scalar(Atom.FromUuid(Version)),
        _ => _values[column.Ordinal],
    };

    /// <summary>The value of a column by name.</summary>
    public Datum Get(string column) => Get(Table.FindColumn(column) ?? throw new ArgumentException("no column " + column, nameof(column)));

    internal Datum[] CopyValues() => (Datum[])_values.Clone();

    internal Row With(ColumnSchema column, Datum value)
    {
        Datum[] values = CopyValues();
        values[column.Ordinal] = value.WithType(column.Type);
        return new Row(Table, Uuid, Version, values);
    }

    internal Row WithValues(Datum[] values) => new(Table, Uuid, Version, values);

    internal Row WithVersion(Guid version) => new(Table, Uuid, version, _values);

    /// <summary>True when every user column has the same value in both rows.</summary>
    public bool SameValues(Row other)
    {
        for (int i = 0; i < _values.Length; i++)
        {
            if (!_values[i].Equals(other._values[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The row as a JSON object of the given columns.</summary>
    public JsonObject ToJson(IEnumerable<ColumnSchema> columns)
    {
        var json = new JsonObject();
        foreach (ColumnSchema column in columns)
        {
            json[column.Name] = Get(column).ToJson();
        }
        return json;
    }

    /// <summary>
    /// Writes the row as a JSON object of the given columns (the same form as <see cref="ToJson"/>), leaving out the
    /// columns at their default when <paramref name="skipDefaults"/> is set, as monitor updates after version 1 do.
    /// </summary>
    public void WriteJson(Utf8JsonWriter writer, IEnumerable<ColumnSchema> columns, bool skipDefaults)
    {
        writer.WriteStartObject();
        foreach (ColumnSchema column in columns)
        {
            Datum value = Get(column);
            if (!skipDefaults || !value.IsDefault)
            {
                writer.WritePropertyName(column.Name);
                value.WriteJson(writer);
            }
        }
        writer.WriteEndObject();
    }
}
