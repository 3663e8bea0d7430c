// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.NetDev;

/// <summary>
/// One frame's storage, rented from a <see cref="PacketPool"/> and reused for the life of the process.
/// The frame starts after <see cref="Headroom"/> spare bytes, so an 802.1Q tag can be pushed in place by
/// sliding the two MAC addresses towards the front instead of copying the whole frame.
/// </summary>
/// <remarks>Not thread-safe: a buffer belongs to exactly one owner (a pool, a queue or a batch) at a time.</remarks>
public sealed class PacketBuffer
{
    /// <summary>Spare bytes kept in front of the frame for tags pushed in place.</summary>
    public const int Headroom = 64;

    /// <summary>The largest frame, in bytes, a buffer holds (headroom excluded).</summary>
    public const int Capacity = 2048;

    /// <summary>Bytes taken by one 802.1Q or 802.1ad tag.</summary>
    public const int VlanTagSize = 4;

    private const int MacPairSize = 12;

    private readonly byte[] _storage = new byte[Headroom + Capacity];
    private int _offset = Headroom;
    private int _length;

    internal PacketBuffer(PacketPool? owner)
    {
        Owner = owner;
    }

    /// <summary>The pool this buffer returns to, or null for a buffer made outside any pool.</summary>
    public PacketPool? Owner { get; }

    /// <summary>True while the buffer sits in its pool; guards against returning it twice.</summary>
    internal bool InPool { get; set; }

    /// <summary>The frame's size in bytes.</summary>
    public int Length => _length;

    /// <summary>The frame's bytes, writable in place.</summary>
    public Span<byte> Data => _storage.AsSpan(_offset, _length);

    /// <summary>Empties the buffer and restores the full headroom.</summary>
    public void Reset()
    {
        _offset = Headroom;
        _length = 0;
    }

    /// <summary>Replaces the contents with <paramref name="frame"/>; false (and unchanged) when it exceeds <see cref="Capacity"/>.</summary>
    public bool TrySetFrame(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > Capacity)
        {
            return false;
        }
        _offset = Headroom;
        frame.CopyTo(_storage.AsSpan(_offset));
        _length = frame.Length;
        return true;
    }

    /// <summary>Makes this buffer an exact copy of <paramref name="source"/>'s frame.</summary>
    public void CopyFrom(PacketBuffer source)
    {
        _offset = Headroom;
        _length = source._length;
        source.Data.CopyTo(_storage.AsSpan(_offset));
    }

    /// <summary>
    /// Inserts a tag (<paramref name="tpid"/>, <paramref name="tci"/>) right after the source MAC address.
    /// False when the frame is shorter than two MAC addresses or no headroom is left.
    /// </summary>
    public bool TryPushVlanTag(ushort tpid, ushort tci)
    {
        if (_length < MacPairSize || _offset < VlanTagSize)
        {
            return false;
        }
        // Only the 12 address bytes move; the rest of the frame stays where it is.
        Span<byte> macs = _storage.AsSpan(_offset, MacPairSize);
        macs.CopyTo(_storage.AsSpan(_offset - VlanTagSize, MacPairSize));
        _offset -= VlanTagSize;
        _length += VlanTagSize;
        Span<byte> tag = _storage.AsSpan(_offset + MacPairSize, VlanTagSize);
        BinaryPrimitives.WriteUInt16BigEndian(tag, tpid);
        BinaryPrimitives.WriteUInt16BigEndian(tag[2..], tci);
        return true;
    }

    /// <summary>Removes the outermost tag (the four bytes after the source MAC); false when the frame is too short to hold one.</summary>
    public bool TryPopVlanTag()
    {
        if (_length < MacPairSize + VlanTagSize)
        {
            return false;
        }
        // Slide the addresses over the tag; Span.CopyTo copes with the overlap.
        _storage.AsSpan(_offset, MacPairSize).CopyTo(_storage.AsSpan(_offset + VlanTagSize, MacPairSize));
        _offset += VlanTagSize;
        _length -= VlanTagSize;
        return true;
    }

    /// <summary>Rewrites the outermost tag's TCI in place; false when the frame is too short to hold a tag.</summary>
    public bool TrySetOuterTci(ushort tci)
    {
        if (_length < MacPairSize + VlanTagSize)
        {
            return false;
        }
        BinaryPrimitives.WriteUInt16BigEndian(_storage.AsSpan(_offset + MacPairSize + 2, 2), tci);
        return true;
    }
}
