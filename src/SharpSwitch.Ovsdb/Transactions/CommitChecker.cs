// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Transactions;

/// <summary>
/// The commit-time checks, in OVS's order: references to missing rows, deletion of rows still referenced,
/// garbage collection of unreferenced non-root rows, row limits, removal of dangling weak references, and
/// unique indexes. The result leaves out rows whose values did not change, so a no-op transaction yields an
/// empty change set.
/// </summary>
internal static class CommitChecker
{
    public static ChangeSet Check(Transaction txn)
    {
        Database database = txn.Database;
        DatabaseSchema schema = database.Schema;
        CheckStrongReferences(txn);
        CheckDeletedRowsUnreferenced(txn);
        CollectGarbage(txn);
        CheckMaxRows(txn);
        RemoveDanglingWeakReferences(txn);
        CheckIndexes(txn);

        var changes = new List<RowChange>();
        foreach (TableSchema table in schema.Tables)
        {
            if (!txn.Changes.TryGetValue(table.Name, out Dictionary<Guid, Row?>? changed))
            {
                continue;
            }
            foreach ((Guid uuid, Row? row) in changed)
            {
                Row? old = database.Find(table, uuid);
                if (old is null && row is null)
                {
                    continue;
                }
                if (old is not null && row is not null)
                {
                    if (old.SameValues(row))
                    {
                        continue;
                    }
                    changes.Add(new RowChange(table, uuid, old, row.WithVersion(Guid.NewGuid())));
                    continue;
                }
                changes.Add(new RowChange(table, uuid, old, row));
            }
        }
        string? comment = txn.Comments.Count == 0 ? null : string.Join('\n', txn.Comments);
        return new ChangeSet(changes, comment);
    }

    private static IEnumerable<(ColumnSchema Column, BaseType Type, bool IsKey)> ReferenceColumns(TableSchema table)
    {
        foreach (ColumnSchema column in table.Columns)
        {
            if (column.Type.Key.IsReference)
            {
                yield return (column, column.Type.Key, true);
            }
            if (column.Type.Value?.IsReference == true)
            {
                yield return (column, column.Type.Value, false);
            }
        }
    }

    private static IEnumerable<Atom> Atoms(Datum datum, bool keys) => keys ? datum.Keys : datum.Values ?? [];

    private static void CheckStrongReferences(Transaction txn)
    {
        DatabaseSchema schema = txn.Database.Schema;
        foreach ((string tableName, Dictionary<Guid, Row?> changed) in txn.Changes)
        {
            TableSchema table = schema.FindTable(tableName)!;
            foreach (Row? row in changed.Values)
            {
                if (row is null)
                {
                    continue;
                }
                foreach ((ColumnSchema column, BaseType type, bool isKey) in ReferenceColumns(table))
                {
                    if (type.RefType != RefType.Strong)
                    {
                        continue;
                    }
                    TableSchema target = schema.FindTable(type.RefTable!)!;
                    foreach (Atom atom in Atoms(row.Get(column), isKey))
                    {
                        if (txn.Find(target, atom.Uuid) is null)
                        {
                            throw new OvsdbException("referential integrity violation",
                                $"Table {table.Name} column {column.Name} row {row.Uuid:D} references nonexistent row {atom.Uuid:D} in table {target.Name}.");
                        }
                    }
                }
            }
        }
    }

    /// <summary>Counts strong references to every row, over the transaction's view of the database.</summary>
    private static Dictionary<Guid, int> CountStrongReferences(Transaction txn)
    {
        var counts = new Dictionary<Guid, int>();
        foreach (TableSchema table in txn.Database.Schema.Tables)
        {
            var columns = ReferenceColumns(table).Where(c => c.Type.RefType == RefType.Strong).ToList();
            if (columns.Count == 0)
            {
                continue;
            }
            foreach (Row row in txn.Scan(table))
            {
                foreach ((ColumnSchema column, BaseType _, bool isKey) in columns)
                {
                    foreach (Atom atom in Atoms(row.Get(column), isKey))
                    {
                        counts[atom.Uuid] = counts.GetValueOrDefault(atom.Uuid) + 1;
                    }
                }
            }
        }
        return counts;
    }

    private static void CheckDeletedRowsUnreferenced(Transaction txn)
    {
        bool anyDeleted = txn.Changes.Values.Any(c => c.Values.Any(r => r is null));
        if (!anyDeleted)
        {
            return;
        }
        Dictionary<Guid, int> counts = CountStrongReferences(txn);
        foreach ((string tableName, Dictionary<Guid, Row?> changed) in txn.Changes)
        {
            foreach ((Guid uuid, Row? row) in changed)
            {
                if (row is null && counts.TryGetValue(uuid, out int remaining) && remaining > 0)
                {
                    throw new OvsdbException("referential integrity violation",
                        $"cannot delete {tableName} row {uuid:D} because of {remaining} remaining reference(s)");
                }
            }
        }
    }

    private static void CollectGarbage(Transaction txn)
    {
        DatabaseSchema schema = txn.Database.Schema;
        var nonRoot = schema.Tables.Where(t => !t.IsRoot).ToList();
        if (nonRoot.Count == 0 || txn.Changes.Count == 0)
        {
            return;
        }
        while (true)
        {
            Dictionary<Guid, int> counts = CountStrongReferences(txn);
            var garbage = new List<(TableSchema Table, Guid Uuid)>();
            foreach (TableSchema table in nonRoot)
            {
                foreach (Row row in txn.Scan(table))
                {
                    if (!counts.ContainsKey(row.Uuid))
                    {
                        garbage.Add((table, row.Uuid));
                    }
                }
            }
            if (garbage.Count == 0)
            {
                return;
            }
            foreach ((TableSchema table, Guid uuid) in garbage)
            {
                txn.Delete(table, uuid);
            }
        }
    }

    private static void CheckMaxRows(Transaction txn)
    {
        foreach (string tableName in txn.Changes.Keys)
        {
            TableSchema table = txn.Database.Schema.FindTable(tableName)!;
            if (table.MaxRows is long limit)
            {
                int count = txn.CountRows(table);
                if (count > limit)
                {
                    throw OvsdbException.ConstraintViolation(
                        $"transaction causes \"{table.Name}\" table to contain {count} rows, greater than the schema-defined limit of {limit} row(s)");
                }
            }
        }
    }

    private static void RemoveDanglingWeakReferences(Transaction txn)
    {
        DatabaseSchema schema = txn.Database.Schema;
        foreach (TableSchema table in schema.Tables)
        {
            var weakColumns = ReferenceColumns(table).Where(c => c.Type.RefType == RefType.Weak).ToList();
            if (weakColumns.Count == 0)
            {
                continue;
            }
            foreach (Row row in txn.Scan(table).ToList())
            {
                Row updated = row;
                foreach ((ColumnSchema column, BaseType type, bool isKey) in weakColumns)
                {
                    TableSchema target = schema.FindTable(type.RefTable!)!;
                    Datum value = updated.Get(column);
                    var keys = new List<Atom>();
                    var values = value.Values is null ? null : new List<Atom>();
                    for (int i = 0; i < value.Count; i++)
                    {
                        Atom probe = isKey ? value.Keys[i] : value.Values![i];
                        if (txn.Find(target, probe.Uuid) is not null)
                        {
                            keys.Add(value.Keys[i]);
                            values?.Add(value.Values![i]);
                        }
                    }
                    if (keys.Count != value.Count)
                    {
                        updated = updated.With(column, Datum.FromSorted(column.Type, [.. keys], values?.ToArray()));
                    }
                }
                if (!ReferenceEquals(updated, row))
                {
                    txn.Put(updated);
                }
            }
        }
    }

    private static void CheckIndexes(Transaction txn)
    {
        foreach (string tableName in txn.Changes.Keys.ToList())
        {
            TableSchema table = txn.Database.Schema.FindTable(tableName)!;
            if (table.Indexes.Count == 0)
            {
                continue;
            }
            Dictionary<Guid, Row?> changed = txn.Changes[tableName];
            foreach (IReadOnlyList<ColumnSchema> index in table.Indexes)
            {
                var seen = new Dictionary<IndexKey, Row>();
                // Visit rows untouched by the transaction first, so that the "first row" of a conflict is the old one.
                foreach (Row row in txn.Scan(table).OrderBy(r => changed.ContainsKey(r.Uuid) ? 1 : 0))
                {
                    var key = new IndexKey([.. index.Select(row.Get)]);
                    if (seen.TryGetValue(key, out Row? first))
                    {
                        throw IndexConflict(txn, table, index, first, row);
                    }
                    seen.Add(key, row);
                }
            }
        }
    }

    private static OvsdbException IndexConflict(Transaction txn, TableSchema table, IReadOnlyList<ColumnSchema> index, Row first, Row second)
    {
        string values = EnglishList(index.Select(c => first.Get(c).ToOvsString()));
        string columns = EnglishList(index.Select(c => "\"" + c.Name + "\""));
        string noun = index.Count == 1 ? "column" : "columns";
        var details = new StringBuilder();
        details.Append($"Transaction causes multiple rows in \"{table.Name}\" table to have identical values ({values}) for index on {noun} {columns}.  ");
        details.Append($"First row, with UUID {first.Uuid:D}, {DescribeRow(txn, index, first)}  ");
        details.Append($"Second row, with UUID {second.Uuid:D}, {DescribeRow(txn, index, second)}");
        return OvsdbException.ConstraintViolation(details.ToString());
    }

    private static string DescribeRow(Transaction txn, IReadOnlyList<ColumnSchema> index, Row row)
    {
        Row? old = txn.Database.Find(row.Table, row.Uuid);
        if (old is null)
        {
            return "was inserted by this transaction.";
        }
        if (ReferenceEquals(old, row) || old.SameValues(row))
        {
            return "existed in the database before this transaction and was not modified by the transaction.";
        }
        if (index.All(c => old.Get(c).Equals(row.Get(c))))
        {
            return "existed in the database before this transaction, which modified some of the row's columns but not any columns in this index.";
        }
        return "had the following index values before the transaction: " + EnglishList(index.Select(c => old.Get(c).ToOvsString())) + ".";
    }

    private static string EnglishList(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count switch
        {
            1 => list[0],
            2 => list[0] + " and " + list[1],
            _ => string.Join(", ", list.Take(list.Count - 1)) + ", and " + list[^1],
        };
    }

    private sealed class IndexKey(Datum[] values) : IEquatable<IndexKey>
    {
        private readonly Datum[] _values = values;

        public bool Equals(IndexKey? other) => other is not null && _values.SequenceEqual(other._values);

        public override bool Equals(object? obj) => Equals(obj as IndexKey);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (Datum value in _values)
            {
                hash.Add(value);
            }
            return hash.ToHashCode();
        }
    }
}
