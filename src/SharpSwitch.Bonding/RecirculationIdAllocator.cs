// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding;

/// <summary>
/// Hands out datapath recirculation ids (OVS <c>recirc_alloc_id</c>). Bonds of one datapath share one allocator, so
/// <c>bond/list</c> shows distinct ids, the first being 1; a freed id is reused before new ones are made.
/// </summary>
public sealed class RecirculationIdAllocator
{
    private readonly SortedSet<uint> _freed = new();
    private uint _next = 1;

    /// <summary>Returns an unused id, never 0.</summary>
    public uint Allocate()
    {
        if (_freed.Count > 0)
        {
            uint reused = _freed.Min;
            _freed.Remove(reused);
            return reused;
        }
        if (_next == uint.MaxValue)
        {
            throw new InvalidOperationException("recirculation ids exhausted");
        }
        return _next++;
    }

    /// <summary>Returns an id to the pool; 0 and ids never handed out are ignored.</summary>
    public void Free(uint id)
    {
        if (id != 0 && id < _next)
        {
            _freed.Add(id);
        }
    }
}
