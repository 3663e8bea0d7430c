// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.NetDev;

/// <summary>A fixed-capacity FIFO of buffers (a ring), so queueing a frame never allocates.</summary>
internal sealed class FrameQueue
{
    private readonly PacketBuffer?[] _slots;
    private int _head;

    public FrameQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _slots = new PacketBuffer?[capacity];
    }

    public int Capacity => _slots.Length;

    public int Count { get; private set; }

    public bool TryEnqueue(PacketBuffer buffer)
    {
        if (Count == _slots.Length)
        {
            return false;
        }
        int tail = _head + Count;
        if (tail >= _slots.Length)
        {
            tail -= _slots.Length;
        }
        _slots[tail] = buffer;
        Count++;
        return true;
    }

    public bool TryDequeue(out PacketBuffer buffer)
    {
        if (Count == 0)
        {
            buffer = null!;
            return false;
        }
        buffer = _slots[_head]!;
        _slots[_head] = null;
        _head++;
        if (_head == _slots.Length)
        {
            _head = 0;
        }
        Count--;
        return true;
    }
}
