// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Transactions;

/// <summary>
/// The working set of one transaction: rows it inserted, replaced or deleted, overlaid on the committed database.
/// Reads go through the overlay, so later operations see earlier ones. Nothing touches the database until
/// <see cref="CommitChecker"/> has turned the overlay into a checked <see cref="ChangeSet"/>.
/// </summary>
internal sealed class Transaction
{
    private readonly Dictionary<string, Dictionary<Guid, Row?>> _changes = new(StringComparer.Ordinal);
    private readonly List<string> _comments = [];

    public Transaction(Database database)
    {
        Database = database;
    }

    public Database Database { get; }

    public IReadOnlyList<string> Comments => _comments;

    public void AddComment(string comment) => _comments.Add(comment);

    /// <summary>Changed rows per table: a row for inserted or modified, null for deleted.</summary>
    public IReadOnlyDictionary<string, Dictionary<Guid, Row?>> Changes => _changes;

    public Row? Find(TableSchema table, Guid uuid)
    {
        if (_changes.TryGetValue(table.Name, out Dictionary<Guid, Row?>? changed) && changed.TryGetValue(uuid, out Row? row))
        {
            return row;
        }
        return Database.Find(table, uuid);
    }

    /// <summary>True when the uuid is taken, or was deleted earlier in this transaction (OVS refuses to reuse it).</summary>
    public bool UuidInUse(TableSchema table, Guid uuid) =>
        Database.Find(table, uuid) is not null || (_changes.TryGetValue(table.Name, out var changed) && changed.ContainsKey(uuid));

    public IEnumerable<Row> Scan(TableSchema table)
    {
        _changes.TryGetValue(table.Name, out Dictionary<Guid, Row?>? changed);
        foreach (Row row in Database.Rows(table).Values)
        {
            if (changed is not null && changed.TryGetValue(row.Uuid, out Row? replacement))
            {
                if (replacement is not null)
                {
                    yield return replacement;
                }
            }
            else
            {
                yield return row;
            }
        }
        if (changed is not null)
        {
            foreach ((Guid uuid, Row? row) in changed)
            {
                if (row is not null && Database.Find(table, uuid) is null)
                {
                    yield return row;
                }
            }
        }
    }

    public int CountRows(TableSchema table) => Scan(table).Count();

    public void Put(Row row) => TableChanges(row.Table)[row.Uuid] = row;

    public void Delete(TableSchema table, Guid uuid)
    {
        Dictionary<Guid, Row?> changed = TableChanges(table);
        if (Database.Find(table, uuid) is null)
        {
            // A row inserted and deleted in the same transaction leaves no trace.
            changed.Remove(uuid);
        }
        else
        {
            changed[uuid] = null;
        }
    }

    private Dictionary<Guid, Row?> TableChanges(TableSchema table)
    {
        if (!_changes.TryGetValue(table.Name, out Dictionary<Guid, Row?>? changed))
        {
            changed = [];
            _changes[table.Name] = changed;
        }
        return changed;
    }
}
