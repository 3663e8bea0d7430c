// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.NetDev;

/// <summary>
/// Up to <see cref="MaxSize"/> buffers moved together between a device and the datapath, as OVS moves a
/// <c>dp_packet_batch</c> of NETDEV_MAX_BURST packets. A batch is allocated once and reused.
/// </summary>
public sealed class PacketBatch
{
    /// <summary>The most buffers in one batch (OVS's NETDEV_MAX_BURST).</summary>
    public const int MaxSize = 32;

    private readonly PacketBuffer?[] _buffers = new PacketBuffer?[MaxSize];

    /// <summary>Buffers currently in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>True when no more buffers fit.</summary>
    public bool IsFull => Count == MaxSize;

    /// <summary>Room left, in buffers.</summary>
    public int FreeCount => MaxSize - Count;

    /// <summary>The buffer at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    public PacketBuffer this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }
            return _buffers[index]!;
        }
    }

    /// <summary>Appends a buffer; false when the batch is full.</summary>
    public bool TryAdd(PacketBuffer buffer)
    {
        if (Count == MaxSize)
        {
            return false;
        }
        _buffers[Count++] = buffer;
        return true;
    }

    /// <summary>Forgets every buffer without returning them anywhere (their new owner keeps them).</summary>
    public void Clear()
    {
        Array.Clear(_buffers, 0, Count);
        Count = 0;
    }

    /// <summary>Returns every buffer to its pool and empties the batch.</summary>
    public void ReturnAll()
    {
        for (int i = 0; i < Count; i++)
        {
            PacketBuffer buffer = _buffers[i]!;
            buffer.Owner?.Return(buffer);
            _buffers[i] = null;
        }
        Count = 0;
    }
}
