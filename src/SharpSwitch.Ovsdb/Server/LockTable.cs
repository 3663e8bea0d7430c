// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Ovsdb.Server;

/// <summary>How a session joined a lock's queue.</summary>
internal enum LockMode
{
    Lock,
    Steal,
}

/// <summary>
/// OVSDB locks (RFC 7047 section 4.1.8 with OVS's behaviour): each lock name has a queue of sessions whose head owns
/// it. <c>lock</c> joins at the back, <c>steal</c> at the front; a robbed owner stays queued unless it had itself
/// stolen the lock. Whenever someone leaves a non-empty queue, the session then at its head is told it holds the
/// lock, even if it already did (clients tolerate that, and OVS does it).
/// </summary>
internal sealed class LockTable
{
    private readonly Dictionary<string, List<(OvsdbSession Session, LockMode Mode)>> _queues = new(StringComparer.Ordinal);

    public bool IsWaiting(OvsdbSession session, string name) =>
        _queues.TryGetValue(name, out var queue) && queue.Any(w => w.Session == session);

    public bool Owns(OvsdbSession session, string name) =>
        _queues.TryGetValue(name, out var queue) && queue.Count > 0 && queue[0].Session == session;

    /// <summary>Joins the back of the queue; returns whether the session now owns the lock.</summary>
    public bool Lock(OvsdbSession session, string name)
    {
        List<(OvsdbSession Session, LockMode Mode)> queue = Queue(name);
        queue.Add((session, LockMode.Lock));
        return queue.Count == 1;
    }

    /// <summary>Takes the lock; returns the previous owner, who must be told its lock was stolen.</summary>
    public OvsdbSession? Steal(OvsdbSession session, string name)
    {
        List<(OvsdbSession Session, LockMode Mode)> queue = Queue(name);
        (OvsdbSession Session, LockMode Mode)? victim = queue.Count > 0 ? queue[0] : null;
        if (victim is { Mode: LockMode.Steal })
        {
            // A thief that is robbed in turn leaves the queue entirely.
            queue.RemoveAt(0);
        }
        queue.Insert(0, (session, LockMode.Steal));
        return victim?.Session;
    }

    /// <summary>Leaves the queue; returns the session to notify with <c>locked</c>, if any.</summary>
    public OvsdbSession? Unlock(OvsdbSession session, string name)
    {
        if (!_queues.TryGetValue(name, out var queue))
        {
            return null;
        }
        queue.RemoveAll(w => w.Session == session);
        if (queue.Count == 0)
        {
            _queues.Remove(name);
            return null;
        }
        return queue[0].Session;
    }

    /// <summary>Leaves every queue (on disconnect); returns the sessions to notify, with their lock names.</summary>
    public List<(OvsdbSession Session, string Name)> UnlockAll(OvsdbSession session)
    {
        var notify = new List<(OvsdbSession, string)>();
        foreach (string name in _queues.Keys.ToList())
        {
            if (IsWaiting(session, name) && Unlock(session, name) is OvsdbSession next)
            {
                notify.Add((next, name));
            }
        }
        return notify;
    }

    private List<(OvsdbSession Session, LockMode Mode)> Queue(string name)
    {
        if (!_queues.TryGetValue(name, out var queue))
        {
            queue = [];
            _queues[name] = queue;
        }
        return queue;
    }
}
