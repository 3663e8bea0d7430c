// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Idl;

/// <summary>One replicated table: its rows as the server last reported them, plus the open transaction's changes.</summary>
public sealed class IdlTable
{
    private readonly Dictionary<Guid, IdlRow> _rows = [];
    private readonly List<Guid> _arrival = [];

    internal IdlTable(OvsdbIdl idl, TableSchema schema, IReadOnlyCollection<string> columns)
    {
        Idl = idl;
        Schema = schema;
        MonitoredColumns = columns;
    }

    /// <summary>The replica this table belongs to.</summary>
    public OvsdbIdl Idl { get; }

    /// <summary>The table's schema.</summary>
    public TableSchema Schema { get; }

    /// <summary>The table's name.</summary>
    public string Name => Schema.Name;

    /// <summary>The columns requested from the server.</summary>
    public IReadOnlyCollection<string> MonitoredColumns { get; }

    /// <summary>
    /// The rows that exist from the point of view of the transaction in progress (committed rows it did not delete,
    /// then the rows it inserted), in the order the server first reported them.
    /// </summary>
    public IEnumerable<IdlRow> Rows
    {
        get
        {
            IdlTransaction? transaction = Idl.CurrentTransaction;
            foreach (Guid uuid in _arrival.ToArray())
            {
                if (_rows.TryGetValue(uuid, out IdlRow? row) && (transaction is null || !transaction.IsDeleted(row)))
                {
                    yield return row;
                }
            }
            if (transaction is not null)
            {
                foreach (IdlRow row in transaction.InsertedRows(this))
                {
                    yield return row;
                }
            }
        }
    }

    /// <summary>The number of rows as last committed on the server.</summary>
    public int CommittedCount => _rows.Count;

    /// <summary>Finds a row by uuid (including rows inserted by the transaction in progress).</summary>
    public IdlRow? Find(Guid uuid)
    {
        if (_rows.TryGetValue(uuid, out IdlRow? row))
        {
            return Idl.CurrentTransaction is { } t && t.IsDeleted(row) ? null : row;
        }
        return Idl.CurrentTransaction?.FindInserted(this, uuid);
    }

    internal IdlRow? FindCommitted(Guid uuid) => _rows.GetValueOrDefault(uuid);

    internal IdlRow AddCommitted(Guid uuid)
    {
        var row = new IdlRow(this, uuid, isNew: false);
        _rows.Add(uuid, row);
        _arrival.Add(uuid);
        return row;
    }

    internal void RemoveCommitted(Guid uuid)
    {
        if (_rows.Remove(uuid))
        {
            _arrival.Remove(uuid);
        }
    }

    internal void Clear()
    {
        _rows.Clear();
        _arrival.Clear();
    }
}
