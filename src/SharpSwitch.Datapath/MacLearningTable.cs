// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath;

/// <summary>
/// The bridge's MAC learning table (OVS's lib/mac-learning.c, rewritten): entries keyed by (VLAN, MAC), kept in
/// least-recently-used order, aged out after an idle time counted in whole seconds, capped in size with "fair"
/// eviction (the oldest entry of the port that has the most entries), and with the gratuitous-ARP lock that keeps
/// SLB bonds from relearning reflected announcements.
/// </summary>
/// <remarks>
/// Lookups and refreshes never allocate; only growth of the backing arrays (up to the table size) does.
/// Ages follow OVS's arithmetic on whole seconds, so <c>fdb/show</c> prints the same numbers OVS would.
/// </remarks>
internal sealed class MacLearningTable
{
    public const int DefaultIdleSeconds = 300;
    public const int DefaultMaxEntries = 8192;
    public const int GratuitousArpLockSeconds = 5;
    private const int None = -1;

    private readonly MacIndex _index = new();
    private Entry[] _entries = new Entry[64];

    /// <summary>Each entry's key (VLAN in bits 48..59, MAC in bits 0..47), apart from the rest so probes touch one compact array.</summary>
    private ulong[] _keys = new ulong[64];
    private int _freeHead = None;
    private int _used;
    private int _lruHead = None;
    private int _lruTail = None;

    public MacLearningTable()
    {
        IdleSeconds = DefaultIdleSeconds;
        MaxEntries = DefaultMaxEntries;
    }

    /// <summary>Seconds an entry lives without being refreshed (mac-aging-time, clamped to 15..3600 as OVS does).</summary>
    public int IdleSeconds { get; private set; }

    /// <summary>Most entries kept (mac-table-size, clamped to 10..1,000,000 as OVS does).</summary>
    public int MaxEntries { get; private set; }

    public int Count => _index.Count;

    public long TotalLearned { get; private set; }

    public long TotalExpired { get; private set; }

    public long TotalEvicted { get; private set; }

    public long TotalMoved { get; private set; }

    /// <summary>Entries added by fdb/add: they never age, never move and survive fdb/flush.</summary>
    public int StaticCount { get; private set; }

    public bool IsStatic(int entry) => _entries[entry].IsStatic;

    /// <summary>The least recently used entry, or -1; walk on with <see cref="NextInLru"/>.</summary>
    public int FirstInLru => _lruHead;

    public int NextInLru(int entry) => _entries[entry].LruNext;

    public MacAddress MacOf(int entry) => new(_keys[entry]);

    public int VlanOf(int entry) => (int)(_keys[entry] >> 48);

    public BridgePort PortOf(int entry) => _entries[entry].Port!;

    /// <summary>The age OVS prints: idle time minus the whole seconds left before expiry.</summary>
    public long AgeSeconds(int entry, long nowSeconds) => IdleSeconds - (_entries[entry].ExpiresSeconds - nowSeconds);

    public void SetIdleSeconds(int idleSeconds)
    {
        int normalized = Math.Clamp(idleSeconds, 15, 3600);
        int delta = normalized - IdleSeconds;
        if (delta == 0)
        {
            return;
        }
        // Existing entries keep their age; only their deadline moves.
        for (int e = _lruHead; e != None; e = _entries[e].LruNext)
        {
            if (!_entries[e].IsStatic)
            {
                _entries[e].ExpiresSeconds += delta;
            }
        }
        IdleSeconds = normalized;
    }

    public void SetMaxEntries(int maxEntries)
    {
        MaxEntries = Math.Clamp(maxEntries, 10, 1_000_000);
    }

    /// <summary>Finds where <paramref name="mac"/> in <paramref name="vlan"/> was learned; group addresses are never found.</summary>
    public bool TryLookup(MacAddress mac, int vlan, out BridgePort port)
    {
        int entry;
        if (!mac.IsMulticast && (entry = _index.Find(KeyOf(mac, vlan), _keys)) >= 0)
        {
            port = _entries[entry].Port!;
            return true;
        }
        port = null!;
        return false;
    }

    /// <summary>True when the entry for (<paramref name="mac"/>, <paramref name="vlan"/>) exists and is under a gratuitous-ARP lock.</summary>
    public bool IsGratuitousArpLocked(MacAddress mac, int vlan, long nowSeconds)
    {
        int entry = _index.Find(KeyOf(mac, vlan), _keys);
        return entry >= 0 && nowSeconds < _entries[entry].GratuitousArpLockUntilSeconds;
    }

    /// <summary>
    /// Records that <paramref name="mac"/> was seen on <paramref name="port"/> in <paramref name="vlan"/>. Returns true
    /// when the table changed where the MAC lives. As in OVS, a known entry is refreshed at most once per second.
    /// </summary>
    public bool Learn(MacAddress mac, int vlan, BridgePort port, bool isGratuitousArp, bool isBond, long nowSeconds)
    {
        if (mac.IsMulticast)
        {
            return false;
        }
        ulong key = KeyOf(mac, vlan);
        int entry = _index.Find(key, _keys);
        if (entry >= 0)
        {
            ref Entry existing = ref _entries[entry];
            if (existing.IsStatic)
            {
                return false;
            }
            long age = IdleSeconds - (existing.ExpiresSeconds - nowSeconds);
            bool needUpdate;
            if (age > 0)
            {
                needUpdate = true;
            }
            else if (isGratuitousArp && !isBond)
            {
                needUpdate = true;
            }
            else if (isGratuitousArp && nowSeconds < existing.GratuitousArpLockUntilSeconds)
            {
                needUpdate = false;
            }
            else
            {
                needUpdate = !ReferenceEquals(existing.Port, port);
            }
            if (!needUpdate)
            {
                return false;
            }
            MoveToLruTail(entry);
            existing.ExpiresSeconds = nowSeconds + IdleSeconds;
        }
        else
        {
            if (_index.Count >= MaxEntries)
            {
                EvictFairly();
            }
            entry = Allocate(key);
            _entries[entry].ExpiresSeconds = nowSeconds + IdleSeconds;
            TotalLearned++;
        }

        ref Entry e = ref _entries[entry];
        if (isGratuitousArp)
        {
            // A gratuitous ARP seen on a plain port locks the entry, so the same announcement reflected back
            // through a bond member cannot move the MAC onto the bond.
            if (!isBond)
            {
                e.GratuitousArpLockUntilSeconds = nowSeconds + GratuitousArpLockSeconds;
            }
            else if (nowSeconds < e.GratuitousArpLockUntilSeconds)
            {
                return false;
            }
        }
        if (!ReferenceEquals(e.Port, port))
        {
            if (e.Port is not null)
            {
                TotalMoved++;
                e.Port.MacEntryCount--;
            }
            e.Port = port;
            port.MacEntryCount++;
            return true;
        }
        return false;
    }

    /// <summary>Removes entries that are past their deadline, or beyond the size limit; returns how many went.</summary>
    public int Expire(long nowSeconds)
    {
        int removed = 0;
        int oldest;
        while ((oldest = FirstDynamic()) != None && (_index.Count > MaxEntries || nowSeconds >= _entries[oldest].ExpiresSeconds))
        {
            Remove(oldest);
            TotalExpired++;
            removed++;
        }
        return removed;
    }

    /// <summary>The earliest second at which <see cref="Expire"/> has work, or <see cref="long.MaxValue"/>.</summary>
    public long NextExpirySeconds
    {
        get
        {
            int oldest = FirstDynamic();
            return oldest == None ? long.MaxValue : _entries[oldest].ExpiresSeconds;
        }
    }

    /// <summary>Forgets every entry learned on <paramref name="port"/>; returns how many.</summary>
    public int FlushPort(BridgePort port)
    {
        if (port.MacEntryCount == 0)
        {
            return 0;
        }
        int removed = 0;
        int e = _lruHead;
        while (e != None)
        {
            int next = _entries[e].LruNext;
            if (ReferenceEquals(_entries[e].Port, port))
            {
                Remove(e);
                removed++;
            }
            e = next;
        }
        return removed;
    }

    /// <summary>Forgets every learned entry (fdb/flush); static entries stay, as in OVS.</summary>
    public void Flush()
    {
        int oldest;
        while ((oldest = FirstDynamic()) != None)
        {
            Remove(oldest);
        }
    }

    /// <summary>Forgets everything, static entries included (the bridge is going away).</summary>
    public void Clear()
    {
        while (_lruHead != None)
        {
            Remove(_lruHead);
        }
    }

    /// <summary>
    /// Adds or converts a static entry (fdb/add). Returns the entry's previous port and whether it was static, so
    /// the caller can say what it overrode; the previous port is null for a new entry.
    /// </summary>
    public (BridgePort? PreviousPort, bool WasStatic) AddStatic(MacAddress mac, int vlan, BridgePort port)
    {
        ulong key = KeyOf(mac, vlan);
        int entry = _index.Find(key, _keys);
        BridgePort? previous = null;
        bool wasStatic = false;
        if (entry >= 0)
        {
            previous = _entries[entry].Port;
            wasStatic = _entries[entry].IsStatic;
            MoveToLruTail(entry);
        }
        else
        {
            if (_index.Count >= MaxEntries)
            {
                EvictFairly();
            }
            entry = Allocate(key);
        }
        ref Entry e = ref _entries[entry];
        if (!e.IsStatic)
        {
            e.IsStatic = true;
            StaticCount++;
        }
        e.ExpiresSeconds = long.MaxValue;
        if (!ReferenceEquals(e.Port, port))
        {
            if (e.Port is not null)
            {
                e.Port.MacEntryCount--;
            }
            e.Port = port;
            port.MacEntryCount++;
        }
        return (previous, wasStatic);
    }

    /// <summary>Removes a static entry (fdb/del); false when there is none for the key (a learned entry does not count).</summary>
    public bool DeleteStatic(MacAddress mac, int vlan)
    {
        int entry = _index.Find(KeyOf(mac, vlan), _keys);
        if (entry < 0 || !_entries[entry].IsStatic)
        {
            return false;
        }
        Remove(entry);
        return true;
    }

    /// <summary>The least recently used entry that may age out (static entries never do), or -1.</summary>
    private int FirstDynamic()
    {
        int e = _lruHead;
        while (e != None && _entries[e].IsStatic)
        {
            e = _entries[e].LruNext;
        }
        return e;
    }

    /// <summary>Resets the totals shown by fdb/stats-show (fdb/stats-clear).</summary>
    public void ClearStatistics()
    {
        TotalLearned = 0;
        TotalExpired = 0;
        TotalEvicted = 0;
        TotalMoved = 0;
    }

    private static ulong KeyOf(MacAddress mac, int vlan) => ((ulong)(uint)vlan << 48) | mac.Value;

    /// <summary>Evicts the least recently used entry of the port that owns the most entries.</summary>
    private void EvictFairly()
    {
        BridgePort? busiest = null;
        for (int e = _lruHead; e != None; e = _entries[e].LruNext)
        {
            BridgePort port = _entries[e].Port!;
            if (busiest is null || port.MacEntryCount > busiest.MacEntryCount)
            {
                busiest = port;
            }
            // Ports are few; once every entry count has been seen from a port, a second look cannot change the answer.
            if (busiest.MacEntryCount * 2 > _index.Count)
            {
                break;
            }
        }
        for (int e = _lruHead; e != None; e = _entries[e].LruNext)
        {
            if (ReferenceEquals(_entries[e].Port, busiest))
            {
                Remove(e);
                TotalEvicted++;
                return;
            }
        }
    }

    private int Allocate(ulong key)
    {
        int entry;
        if (_freeHead != None)
        {
            entry = _freeHead;
            _freeHead = _entries[entry].LruNext;
        }
        else
        {
            if (_used == _entries.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
                Array.Resize(ref _keys, _keys.Length * 2);
            }
            entry = _used++;
        }
        _keys[entry] = key;
        _entries[entry] = new Entry { LruPrev = _lruTail, LruNext = None, GratuitousArpLockUntilSeconds = long.MinValue };
        if (_lruTail != None)
        {
            _entries[_lruTail].LruNext = entry;
        }
        else
        {
            _lruHead = entry;
        }
        _lruTail = entry;
        _index.Add(key, entry, _keys);
        return entry;
    }

    private void Remove(int entry)
    {
        ref Entry e = ref _entries[entry];
        Unlink(entry);
        _index.Remove(_keys[entry], _keys);
        if (e.Port is not null)
        {
            e.Port.MacEntryCount--;
        }
        if (e.IsStatic)
        {
            StaticCount--;
        }
        e = new Entry { LruNext = _freeHead };
        _freeHead = entry;
    }

    private void MoveToLruTail(int entry)
    {
        if (entry == _lruTail)
        {
            return;
        }
        Unlink(entry);
        _entries[entry].LruPrev = _lruTail;
        _entries[entry].LruNext = None;
        _entries[_lruTail].LruNext = entry;
        _lruTail = entry;
    }

    private void Unlink(int entry)
    {
        ref Entry e = ref _entries[entry];
        if (e.LruPrev != None)
        {
            _entries[e.LruPrev].LruNext = e.LruNext;
        }
        else
        {
            _lruHead = e.LruNext;
        }
        if (e.LruNext != None)
        {
            _entries[e.LruNext].LruPrev = e.LruPrev;
        }
        else
        {
            _lruTail = e.LruPrev;
        }
    }

    private struct Entry
    {
        /// <summary>Where the MAC was last seen; null only while the entry is free.</summary>
        public BridgePort? Port;

        /// <summary>Whole second at which the entry expires.</summary>
        public long ExpiresSeconds;

        /// <summary>True for an fdb/add entry: it never ages and never moves.</summary>
        public bool IsStatic;

        /// <summary>Until this second, gratuitous ARPs arriving on bonds may not move the entry.</summary>
        public long GratuitousArpLockUntilSeconds;

        /// <summary>Previous (older) entry in LRU order, or -1.</summary>
        public int LruPrev;

        /// <summary>Next (newer) entry in LRU order, or -1; doubles as the free-list link.</summary>
        public int LruNext;
    }
}
