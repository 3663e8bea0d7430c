// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using SharpSwitch.Packets;

namespace SharpSwitch.NetDev;

/// <summary>
/// An in-memory interface in the manner of OVS's <c>netdev-dummy</c>. Frames can be injected as if received
/// (<c>netdev-dummy/receive</c>), the administrative state is under control (<c>netdev-dummy/set-admin-state</c>),
/// and two dummies can be joined by a <see cref="Cable"/>. Without a cable, carrier simply follows the
/// administrative state, as it does for OVS's dummies.
/// </summary>
/// <remarks>
/// Received frames wait in a bounded queue; when it is full further frames are counted as rx_dropped, the way
/// netdev-dummy caps its queue. Not thread-safe: one datapath or lab thread drives it.
/// </remarks>
public sealed class DummyNetDev : INetDev
{
    /// <summary>Receive-queue capacity when none is given (netdev-dummy keeps at most 100 frames).</summary>
    public const int DefaultReceiveQueueCapacity = 100;

    /// <summary>The MTU a new device starts with.</summary>
    public const int DefaultMtu = 1500;

    private const int EthernetHeaderSize = 14;
    private const ushort Dot1QTpid = 0x8100;
    private const ushort Dot1AdTpid = 0x88a8;

    private readonly PacketPool _pool;
    private readonly FrameQueue _receiveQueue;

    /// <summary>Creates a <c>dummy</c> device that rents its buffers from <paramref name="pool"/>.</summary>
    public DummyNetDev(string name, MacAddress mac, PacketPool pool, int receiveQueueCapacity = DefaultReceiveQueueCapacity)
        : this(name, mac, pool, receiveQueueCapacity, "dummy")
    {
    }

    private DummyNetDev(string name, MacAddress mac, PacketPool pool, int receiveQueueCapacity, string type)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(pool);
        Name = name;
        Mac = mac;
        Type = type;
        _pool = pool;
        _receiveQueue = new FrameQueue(receiveQueueCapacity);
        Carrier = true;
    }

    /// <summary>
    /// Creates an <c>internal</c> port: the switch side is the returned device, and <see cref="HostSide"/> is the
    /// host stack's end of it, where a lab host sends frames into the switch and receives what the switch sends.
    /// </summary>
    public static DummyNetDev CreateInternal(string name, MacAddress mac, PacketPool pool, int receiveQueueCapacity = DefaultReceiveQueueCapacity)
    {
        var switchSide = new DummyNetDev(name, mac, pool, receiveQueueCapacity, "internal");
        var hostSide = new DummyNetDev(name, mac, pool, receiveQueueCapacity, "host");
        Cable.Connect(switchSide, hostSide, removable: false);
        switchSide.HostSide = hostSide;
        return switchSide;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Type { get; }

    /// <inheritdoc/>
    public MacAddress Mac { get; set; }

    /// <inheritdoc/>
    public int Mtu { get; set; } = DefaultMtu;

    /// <inheritdoc/>
    public bool AdminUp { get; private set; } = true;

    /// <inheritdoc/>
    public bool Carrier { get; private set; }

    /// <inheritdoc/>
    public long LinkChangeSequence { get; private set; }

    /// <inheritdoc/>
    public NetDevCounters Counters { get; } = new();

    /// <inheritdoc/>
    public IFrameSink? FrameSink { get; set; }

    /// <summary>The cable plugged into this device, if any.</summary>
    public Cable? Cable { get; private set; }

    /// <summary>For an internal port, the host stack's end; null for other devices.</summary>
    public DummyNetDev? HostSide { get; private set; }

    /// <summary>Frames waiting to be received.</summary>
    public int PendingReceiveCount => _receiveQueue.Count;

    /// <summary>A snapshot of the counters.</summary>
    public InterfaceStatistics Statistics => Counters.Snapshot();

    /// <inheritdoc/>
    public void SetAdminState(bool up)
    {
        if (AdminUp == up)
        {
            return;
        }
        AdminUp = up;
        if (!up)
        {
            // A downed interface keeps nothing it had not delivered yet.
            while (_receiveQueue.TryDequeue(out PacketBuffer buffer))
            {
                Counters.CountRxDropped();
                _pool.Return(buffer);
            }
        }
        RefreshCarrier();
        if (Cable is not null && Cable.Connected)
        {
            Cable.PeerOf(this).RefreshCarrier();
        }
    }

    /// <summary>
    /// Queues a copy of <paramref name="frame"/> as if it had just arrived on the wire. Returns false when the frame
    /// was dropped (device down, queue full, frame larger than a buffer, or the pool exhausted), which is counted.
    /// </summary>
    public bool InjectReceive(ReadOnlySpan<byte> frame)
    {
        if (!AdminUp)
        {
            Counters.CountRxDropped();
            return false;
        }
        if (frame.Length > PacketBuffer.Capacity)
        {
            Counters.CountRxError();
            return false;
        }
        if (!_pool.TryRent(out PacketBuffer buffer))
        {
            Counters.CountRxDropped();
            return false;
        }
        buffer.TrySetFrame(frame);
        return Deliver(buffer);
    }

    /// <summary>Sends one frame (a copy of <paramref name="frame"/>); false when it was dropped, which is counted.</summary>
    public bool Transmit(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > PacketBuffer.Capacity || !_pool.TryRent(out PacketBuffer buffer))
        {
            Counters.CountTxDropped();
            return false;
        }
        buffer.TrySetFrame(frame);
        return SendOne(buffer);
    }

    /// <summary>Takes the oldest received frame as a new array (a convenience for tests and lab hosts), or null.</summary>
    public byte[]? ReceiveFrame()
    {
        if (!TryDequeueReceived(out PacketBuffer buffer))
        {
            return null;
        }
        byte[] copy = buffer.Data.ToArray();
        _pool.Return(buffer);
        return copy;
    }

    /// <summary>Takes every waiting received frame as arrays (a convenience for tests and lab hosts).</summary>
    public List<byte[]> ReceiveAllFrames()
    {
        var frames = new List<byte[]>();
        while (ReceiveFrame() is byte[] frame)
        {
            frames.Add(frame);
        }
        return frames;
    }

    /// <inheritdoc/>
    public int Receive(PacketBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int added = 0;
        while (!batch.IsFull && TryDequeueReceived(out PacketBuffer buffer))
        {
            batch.TryAdd(buffer);
            added++;
        }
        return added;
    }

    /// <inheritdoc/>
    public void Send(PacketBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (int i = 0; i < batch.Count; i++)
        {
            SendOne(batch[i]);
        }
        batch.Clear();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Type})";

    internal void AttachCable(Cable cable)
    {
        Cable = cable;
        RefreshCarrier();
    }

    internal void DetachCable()
    {
        Cable = null;
        RefreshCarrier();
    }

    /// <summary>Recomputes carrier from the administrative state and the cable, counting a link change when it moves.</summary>
    internal void RefreshCarrier()
    {
        bool carrier = AdminUp;
        if (carrier && Cable is not null)
        {
            carrier = Cable.Plugged && Cable.PeerOf(this).AdminUp;
        }
        if (carrier != Carrier)
        {
            Carrier = carrier;
            LinkChangeSequence++;
        }
    }

    private bool TryDequeueReceived(out PacketBuffer buffer)
    {
        if (!_receiveQueue.TryDequeue(out buffer))
        {
            return false;
        }
        ReadOnlySpan<byte> frame = buffer.Data;
        bool multicast = frame.Length > 0 && (frame[0] & 1) != 0;
        Counters.CountReceived(frame.Length, multicast);
        FrameSink?.OnFrame(this, FrameDirection.Received, frame);
        return true;
    }

    /// <summary>Accepts a frame from the wire (the cable's other end, or an injection); takes ownership of the buffer.</summary>
    private bool Deliver(PacketBuffer buffer)
    {
        if (!AdminUp)
        {
            Counters.CountRxDropped();
            _pool.Return(buffer);
            return false;
        }
        if (!_receiveQueue.TryEnqueue(buffer))
        {
            Counters.CountRxOverrun();
            buffer.Owner?.Return(buffer);
            return false;
        }
        return true;
    }

    private bool SendOne(PacketBuffer buffer)
    {
        ReadOnlySpan<byte> frame = buffer.Data;
        if (!Carrier || frame.Length < EthernetHeaderSize || frame.Length > MaxFrameBytes(frame))
        {
            Counters.CountTxDropped();
            buffer.Owner?.Return(buffer);
            return false;
        }
        Counters.CountTransmitted(frame.Length);
        FrameSink?.OnFrame(this, FrameDirection.Transmitted, frame);
        if (Cable is not null && Cable.Plugged)
        {
            if (Cable.Stage is { } stage)
            {
                // The stage copies what it keeps, so the buffer goes back to the pool at once.
                stage.Carry(this, Cable.PeerOf(this), frame);
                buffer.Owner?.Return(buffer);
            }
            else
            {
                Cable.PeerOf(this).Deliver(buffer);
            }
        }
        else
        {
            // A lone dummy's wire leads nowhere, as with netdev-dummy without a stream.
            buffer.Owner?.Return(buffer);
        }
        return true;
    }

    /// <summary>The largest frame the MTU allows: header plus MTU, plus four bytes per VLAN tag, as netdev-dummy allows.</summary>
    private int MaxFrameBytes(ReadOnlySpan<byte> frame)
    {
        int max = Mtu + EthernetHeaderSize;
        if (frame.Length <= max)
        {
            // The common case needs no look at the tags.
            return max;
        }
        int offset = 12;
        while (offset + 4 <= frame.Length)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
            if (type != Dot1QTpid && type != Dot1AdTpid)
            {
                break;
            }
            max += PacketBuffer.VlanTagSize;
            offset += PacketBuffer.VlanTagSize;
        }
        return max;
    }
}
