// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Transactions;

/// <summary>One row's change in a committed transaction: inserted (no old), deleted (no new) or modified (both).</summary>
public sealed record RowChange(TableSchema Table, Guid Uuid, Row? Old, Row? New)
{
    /// <summary>True for an insert.</summary>
    public bool IsInsert => Old is null;

    /// <summary>True for a delete.</summary>
    public bool IsDelete => New is null;
}

/// <summary>
/// Everything a committed transaction changed, after garbage collection and with unchanged rows left out.
/// Storage writes it as one log record and monitors turn it into notifications.
/// </summary>
public sealed class ChangeSet
{
    /// <summary>Creates a change set.</summary>
    public ChangeSet(IReadOnlyList<RowChange> changes, string? comment)
    {
        Changes = changes;
        Comment = comment;
    }

    /// <summary>The changed rows, grouped by table.</summary>
    public IReadOnlyList<RowChange> Changes { get; }

    /// <summary>The transaction's <c>comment</c> operations joined by newlines, or null.</summary>
    public string? Comment { get; }

    /// <summary>True when nothing changed: no record is written and nobody is notified.</summary>
    public bool IsEmpty => Changes.Count == 0;
}
