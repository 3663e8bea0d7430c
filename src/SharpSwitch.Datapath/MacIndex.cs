// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Runtime.CompilerServices;

namespace SharpSwitch.Datapath;

/// <summary>
/// An open-addressing hash index from a 64-bit (VLAN, MAC) key to an entry number, specialised for the learning
/// table's two lookups per packet: no hashing through <see cref="EqualityComparer{T}"/>, no buckets, and deletion by
/// backward shifting so no tombstones ever slow probes down. It stores entry numbers only; the keys live in the
/// caller's key array, passed to every call.
/// </summary>
internal sealed class MacIndex
{
    private const int Empty = -1;

    private int[] _slots;
    private int _mask;
    private int _shift;

    public MacIndex()
    {
        _slots = NewSlots(64);
        _mask = 63;
        _shift = 64 - 6;
    }

    public int Count { get; private set; }

    /// <summary>The entry number stored for <paramref name="key"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ulong key, ulong[] keys)
    {
        int[] slots = _slots;
        int slot = Home(key);
        while (true)
        {
            int entry = slots[slot];
            if (entry == Empty || keys[entry] == key)
            {
                return entry;
            }
            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>Adds an entry whose key is not present yet.</summary>
    public void Add(ulong key, int entry, ulong[] keys)
    {
        if ((Count + 1) * 2 > _slots.Length)
        {
            Grow(keys);
        }
        int slot = Home(key);
        while (_slots[slot] != Empty)
        {
            slot = (slot + 1) & _mask;
        }
        _slots[slot] = entry;
        Count++;
    }

    /// <summary>Removes the entry stored for <paramref name="key"/>, if any.</summary>
    public void Remove(ulong key, ulong[] keys)
    {
        int slot = Home(key);
        while (true)
        {
            int entry = _slots[slot];
            if (entry == Empty)
            {
                return;
            }
            if (keys[entry] == key)
            {
                break;
            }
            slot = (slot + 1) & _mask;
        }
        // Shift later members of the probe run back, so lookups never need tombstones.
        int hole = slot;
        int next = hole;
        while (true)
        {
            next = (next + 1) & _mask;
            int entry = _slots[next];
            if (entry == Empty)
            {
                break;
            }
            int home = Home(keys[entry]);
            bool stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
            if (!stays)
            {
                _slots[hole] = entry;
                hole = next;
            }
        }
        _slots[hole] = Empty;
        Count--;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(ulong key) => (int)((key * 0x9E37_79B9_7F4A_7C15UL) >> _shift);

    private void Grow(ulong[] keys)
    {
        int[] old = _slots;
        _slots = NewSlots(old.Length * 2);
        _mask = _slots.Length - 1;
        _shift--;
        foreach (int entry in old)
        {
            if (entry != Empty)
            {
                int slot = Home(keys[entry]);
                while (_slots[slot] != Empty)
                {
                    slot = (slot + 1) & _mask;
                }
                _slots[slot] = entry;
            }
        }
    }

    private static int[] NewSlots(int length)
    {
        var slots = new int[length];
        Array.Fill(slots, Empty);
        return slots;
    }
}
