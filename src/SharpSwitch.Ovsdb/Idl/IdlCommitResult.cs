// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Ovsdb.Idl;

/// <summary>The outcome of <see cref="IdlTransaction.CommitAsync"/>, with the same meanings as OVS's IDL statuses.</summary>
public enum IdlTransactionStatus
{
    /// <summary>The transaction changed nothing, so nothing was sent.</summary>
    Unchanged,

    /// <summary>The server committed the transaction.</summary>
    Success,

    /// <summary>
    /// A verified column changed under us (a <c>wait</c> failed with <c>timed out</c>), or the connection was lost:
    /// run <see cref="OvsdbIdl.Run"/> and redo the transaction from the fresh contents.
    /// </summary>
    TryAgain,

    /// <summary>The transaction asserted the IDL's lock, which this client does not hold.</summary>
    NotLocked,

    /// <summary>The server rejected the transaction; <see cref="IdlCommitResult.Error"/> has its error as OVS prints it.</summary>
    Error,
}

/// <summary>The result of a commit.</summary>
public sealed class IdlCommitResult
{
    internal IdlCommitResult(IdlTransactionStatus status, string? error = null, long? incrementedValue = null, IReadOnlyDictionary<Guid, Guid>? insertedUuids = null)
    {
        Status = status;
        Error = error;
        IncrementedValue = incrementedValue;
        InsertedUuids = insertedUuids ?? new Dictionary<Guid, Guid>();
    }

    /// <summary>The result to report for a transaction that was deliberately not sent (e.g. a dry run).</summary>
    public static IdlCommitResult NotSent { get; } = new(IdlTransactionStatus.Unchanged);

    /// <summary>What happened.</summary>
    public IdlTransactionStatus Status { get; }

    /// <summary>
    /// For <see cref="IdlTransactionStatus.Error"/>: the failing operation's result as compact JSON with sorted keys,
    /// e.g. <c>{"details":"...","error":"constraint violation"}</c>, which is what ovs-vsctl prints.
    /// </summary>
    public string? Error { get; }

    /// <summary>
    /// For <see cref="IdlTransactionStatus.TryAgain"/>: the connection was lost before the reply, so the outcome is
    /// unknown. Wait until <see cref="OvsdbIdl.ConnectionGeneration"/> moves (the replica follows a server again and
    /// includes the transaction if it was committed) before rebuilding it.
    /// </summary>
    public bool ConnectionLost { get; init; }

    /// <summary>The new value of the column passed to <see cref="IdlTransaction.Increment"/>, after a successful commit.</summary>
    public long? IncrementedValue { get; }

    /// <summary>The real uuid the server gave each row inserted by the transaction, keyed by its provisional uuid.</summary>
    public IReadOnlyDictionary<Guid, Guid> InsertedUuids { get; }
}
