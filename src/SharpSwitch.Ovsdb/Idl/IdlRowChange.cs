// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Ovsdb.Idl;

/// <summary>How a row changed in one batch of updates.</summary>
public enum IdlChangeKind
{
    /// <summary>The row appeared (including rows loaded after a (re)connection).</summary>
    Insert,

    /// <summary>Some monitored columns of the row changed.</summary>
    Modify,

    /// <summary>The row disappeared.</summary>
    Delete,
}

/// <summary>One row change reported by <see cref="OvsdbIdl.Changed"/>.</summary>
public sealed record IdlRowChange(string Table, Guid Uuid, IdlChangeKind Kind, IReadOnlyList<string> Columns);
