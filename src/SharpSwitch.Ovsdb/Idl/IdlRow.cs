// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Idl;

/// <summary>
/// One row of the replica. Reading a column gives the value as last received from the server, overlaid by the
/// writes of the transaction in progress, so a client sees its own uncommitted changes (as with OVS's IDL).
/// Columns that are not monitored read as their default value.
/// </summary>
public sealed class IdlRow
{
    private readonly Dictionary<string, Datum> _committed = new(StringComparer.Ordinal);

    internal IdlRow(IdlTable table, Guid uuid, bool isNew)
    {
        Table = table;
        Uuid = uuid;
        IsNew = isNew;
    }

    /// <summary>The table this row belongs to.</summary>
    public IdlTable Table { get; }

    /// <summary>The row's uuid; for a row inserted by the open transaction, a provisional uuid until commit.</summary>
    public Guid Uuid { get; }

    /// <summary>True for a row inserted by the transaction in progress.</summary>
    public bool IsNew { get; }

    /// <summary>True when the transaction in progress deleted this row.</summary>
    public bool IsDeleted => Table.Idl.CurrentTransaction?.IsDeleted(this) ?? false;

    /// <summary>The sequence number of the last change the server reported for this row.</summary>
    public long ChangeSequence { get; internal set; }

    /// <summary>The column's current value (transaction writes included).</summary>
    public Datum this[string column] => Get(column);

    /// <summary>The column's current value (transaction writes included); throws for a column the schema lacks.</summary>
    public Datum Get(string column)
    {
        if (Table.Idl.CurrentTransaction is { } transaction && transaction.TryGetWritten(this, column, out Datum? written))
        {
            return written;
        }
        return GetCommitted(column);
    }

    /// <summary>The column's value as last received from the server, ignoring the transaction in progress.</summary>
    public Datum GetCommitted(string column)
    {
        if (_committed.TryGetValue(column, out Datum? value))
        {
            return value;
        }
        ColumnSchema schema = Table.Schema.FindColumn(column) ?? throw new ArgumentException($"table {Table.Name} has no column {column}", nameof(column));
        return column == "_uuid" ? Datum.Scalar(Atom.FromUuid(Uuid)) : schema.Default;
    }

    /// <summary>The scalar string value of a column (empty when unset): a convenience for name columns.</summary>
    public string GetString(string column)
    {
        Datum value = Get(column);
        return value.Count > 0 ? value.Keys[0].String : "";
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Table.Name} {Uuid}";

    internal void SetCommitted(string column, Datum value)
    {
        _committed[column] = value;
    }

    internal void ClearCommitted()
    {
        _committed.Clear();
    }
}
