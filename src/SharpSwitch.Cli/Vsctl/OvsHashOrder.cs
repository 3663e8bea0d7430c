// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>
/// ovs-vsctl lists rows in the iteration order of two OVS hash maps, and this replays both so that <c>list</c> and
/// <c>find</c> print rows in the same order. First the JSON parser stores the rows of a monitor reply in a hash map
/// keyed by the uuid text; the IDL then walks that map and inserts each row into its per-table map, keyed by the
/// first 32 bits of the uuid. An OVS hash map pushes new entries at the head of their bucket and, whenever it holds
/// more than twice as many entries as buckets, re-buckets into a larger power of two, which reverses each chain.
/// </summary>
internal static class OvsHashOrder
{
    /// <summary>Orders rows given in the order the server listed them in its reply.</summary>
    public static IReadOnlyList<T> Order<T>(IEnumerable<T> serverOrder, Func<T, Guid> uuidOf)
    {
        IReadOnlyList<T> parsed = HashMapOrder(serverOrder, item => HashString(uuidOf(item).ToString("D")));
        return HashMapOrder(parsed, item => FirstWord(uuidOf(item)));
    }

    /// <summary>The iteration order of an OVS hash map after inserting the items in the given order.</summary>
    internal static IReadOnlyList<T> HashMapOrder<T>(IEnumerable<T> insertionOrder, Func<T, uint> hashOf)
    {
        var buckets = new List<List<(T Item, uint Hash)>> { new() };
        int count = 0;
        foreach (T item in insertionOrder)
        {
            uint hash = hashOf(item);
            buckets[(int)(hash & (uint)(buckets.Count - 1))].Insert(0, (item, hash));
            count++;
            int mask = buckets.Count - 1;
            if (count / 2 > mask)
            {
                int newMask = MaskFor(count);
                if (newMask > mask)
                {
                    var grown = new List<List<(T Item, uint Hash)>>(newMask + 1);
                    for (int i = 0; i <= newMask; i++)
                    {
                        grown.Add([]);
                    }
                    foreach (List<(T Item, uint Hash)> chain in buckets)
                    {
                        foreach ((T Item, uint Hash) entry in chain)
                        {
                            grown[(int)(entry.Hash & (uint)newMask)].Insert(0, entry);
                        }
                    }
                    buckets = grown;
                }
            }
        }
        return [.. buckets.SelectMany(chain => chain.Select(entry => entry.Item))];
    }

    /// <summary>OVS's string hash (a MurmurHash3-style 32-bit hash of the bytes, basis 0).</summary>
    internal static uint HashString(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        uint hash = 0;
        int i = 0;
        for (; i + 4 <= bytes.Length; i += 4)
        {
            hash = Mix(hash, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i, 4)));
        }
        if (i < bytes.Length)
        {
            Span<byte> tail = stackalloc byte[4];
            tail.Clear();
            bytes.AsSpan(i).CopyTo(tail);
            hash = MixWord(hash, BinaryPrimitives.ReadUInt32LittleEndian(tail));
        }
        return Finish(hash ^ (uint)bytes.Length);
    }

    private static uint MixWord(uint hash, uint data)
    {
        data *= 0xcc9e2d51;
        data = BitOperations.RotateLeft(data, 15);
        data *= 0x1b873593;
        return hash ^ data;
    }

    private static uint Mix(uint hash, uint data)
    {
        hash = MixWord(hash, data);
        hash = BitOperations.RotateLeft(hash, 13);
        return (hash * 5) + 0xe6546b64;
    }

    private static uint Finish(uint hash)
    {
        hash ^= hash >> 16;
        hash *= 0x85ebca6b;
        hash ^= hash >> 13;
        hash *= 0xc2b2ae35;
        hash ^= hash >> 16;
        return hash;
    }

    private static int MaskFor(int capacity)
    {
        int mask = capacity / 2;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        // At least four buckets once the map needs more than one.
        mask |= (mask & 1) << 1;
        return mask;
    }

    private static uint FirstWord(Guid uuid)
    {
        // The first eight hex digits of the text form, which OVS reads as its first 32-bit word.
        return uint.Parse(uuid.ToString("N").AsSpan(0, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
