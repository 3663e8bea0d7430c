// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.NetDev;

/// <summary>
/// A stack of reusable <see cref="PacketBuffer"/>s. Renting and returning never allocate once the pool has
/// grown to the working set; it grows on demand up to <see cref="MaxBuffers"/> and then refuses, so a leak or
/// a flood shows up as counted drops instead of unbounded memory.
/// </summary>
/// <remarks>Not thread-safe: one pool serves one forwarding thread (a datapath or a lab run).</remarks>
public sealed class PacketPool
{
    private PacketBuffer[] _free;
    private int _freeCount;

    /// <summary>Creates a pool holding <paramref name="initialBuffers"/> ready buffers that may grow to <paramref name="maxBuffers"/>.</summary>
    public PacketPool(int initialBuffers = 256, int maxBuffers = 65536)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialBuffers);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuffers, Math.Max(1, initialBuffers));
        MaxBuffers = maxBuffers;
        _free = new PacketBuffer[Math.Max(16, initialBuffers)];
        for (int i = 0; i < initialBuffers; i++)
        {
            _free[_freeCount++] = new PacketBuffer(this) { InPool = true };
        }
        CreatedCount = initialBuffers;
    }

    /// <summary>The most buffers this pool will ever create.</summary>
    public int MaxBuffers { get; }

    /// <summary>Buffers created so far (in the pool or lent out).</summary>
    public int CreatedCount { get; private set; }

    /// <summary>Buffers ready in the pool now.</summary>
    public int AvailableCount => _freeCount;

    /// <summary>Buffers currently lent out.</summary>
    public int InUseCount => CreatedCount - _freeCount;

    /// <summary>Times <see cref="TryRent"/> failed because the pool was at its limit.</summary>
    public long ExhaustedCount { get; private set; }

    /// <summary>Takes an empty buffer; false only when <see cref="MaxBuffers"/> buffers are all lent out.</summary>
    public bool TryRent(out PacketBuffer buffer)
    {
        if (_freeCount > 0)
        {
            buffer = _free[--_freeCount];
            _free[_freeCount] = null!;
            buffer.InPool = false;
            buffer.Reset();
            return true;
        }
        if (CreatedCount >= MaxBuffers)
        {
            ExhaustedCount++;
            buffer = null!;
            return false;
        }
        // Growing is the only allocation; it stops once the pool covers the working set.
        CreatedCount++;
        buffer = new PacketBuffer(this);
        return true;
    }

    /// <summary>Gives a buffer back; returning one twice, or one from another pool, is a programming error.</summary>
    public void Return(PacketBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Owner != this)
        {
            throw new InvalidOperationException("the buffer belongs to another pool");
        }
        if (buffer.InPool)
        {
            throw new InvalidOperationException("the buffer was returned twice");
        }
        if (_freeCount == _free.Length)
        {
            Array.Resize(ref _free, Math.Min(MaxBuffers, _free.Length * 2));
        }
        buffer.InPool = true;
        _free[_freeCount++] = buffer;
    }
}
