// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Transactions;

/// <summary>
/// The committed contents of one database: a set of rows per table. Only <see cref="Apply"/> changes it,
/// and only with a change set a transaction has fully checked.
/// </summary>
public sealed class Database
{
    private readonly Dictionary<string, Dictionary<Guid, Row>> _tables = new(StringComparer.Ordinal);

    /// <summary>Creates an empty database for a schema.</summary>
    public Database(DatabaseSchema schema, string? readOnlyReason = null)
    {
        Schema = schema;
        ReadOnlyReason = readOnlyReason;
        foreach (TableSchema table in schema.Tables)
        {
            _tables[table.Name] = [];
        }
    }

    /// <summary>The schema.</summary>
    public DatabaseSchema Schema { get; }

    /// <summary>When set, write operations fail with <c>not allowed</c> (used for <c>_Server</c>).</summary>
    public string? ReadOnlyReason { get; }

    /// <summary>The rows of a table, keyed by uuid, in insertion order.</summary>
    public IReadOnlyDictionary<Guid, Row> Rows(string table) => _tables[table];

    /// <summary>The rows of a table.</summary>
    public IReadOnlyDictionary<Guid, Row> Rows(TableSchema table) => _tables[table.Name];

    /// <summary>Finds a row.</summary>
    public Row? Find(TableSchema table, Guid uuid) => _tables[table.Name].TryGetValue(uuid, out Row? row) ? row : null;

    /// <summary>The total number of rows.</summary>
    public int RowCount => _tables.Values.Sum(t => t.Count);

    /// <summary>Applies a committed change set.</summary>
    public void Apply(ChangeSet changes)
    {
        foreach (RowChange change in changes.Changes)
        {
            Dictionary<Guid, Row> rows = _tables[change.Table.Name];
            if (change.New is null)
            {
                rows.Remove(change.Uuid);
            }
            else
            {
                rows[change.Uuid] = change.New;
            }
        }
    }
}
