// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SharpSwitch.Packets;

namespace SharpSwitch.NetDev.Linux;

/// <summary>
/// A <c>system</c> interface (a NIC, a veth end) opened with an AF_PACKET socket bound to its ifindex, as OVS's
/// userspace datapath opens one. Receive and transmit go through memory-mapped TPACKET_V2 rings shared with the
/// kernel, so a batch costs at most one system call each way. TPACKET_V3 was not chosen: it hands blocks to user
/// space only when a block fills or its timer (8 ms by default) retires it, which adds milliseconds of latency at low
/// rates; V2 hands over every frame at once.
/// </summary>
/// <remarks>
/// The interface is promiscuous while open (<c>PACKET_ADD_MEMBERSHIP</c>, which the kernel undoes when the socket
/// closes). The kernel moves 802.1Q tags into the ring's metadata; they are put back into the frame. Frames this
/// socket sends are not received back (<c>PACKET_IGNORE_OUTGOING</c>, plus a check of the packet type). Counters are
/// the switch's own accounting, as OVS reports for its netdevs. Not thread-safe: the datapath's loop drives it.
/// </remarks>
public sealed unsafe class AfPacketNetDev : ILinuxNetDev
{
    /// <summary>Ring slot size: a 2048-byte buffer minus the ring's own header still holds any 1500-MTU frame with a tag.</summary>
    private const int FrameSize = 2048;
    private const int BlockSize = 64 * 1024;
    private const int RxBlocks = 32;
    private const int TxBlocks = 16;
    private const int RxFrames = RxBlocks * (BlockSize / FrameSize);
    private const int TxFrames = TxBlocks * (BlockSize / FrameSize);
    /// <summary>TPACKET2_HDRLEN (32-byte header plus a sockaddr_ll) minus the sockaddr_ll: where a frame to send starts.</summary>
    private const int TxDataOffset = 32;
    private const int SockaddrLlOffset = 32;
    private const int PacketStatistics = 6;

    private readonly PacketPool _pool;
    private int _fd = -1;
    private byte* _ring;
    private nuint _ringLength;
    private byte* _txRing;
    private int _rxIndex;
    private int _txIndex;
    private string? _openError;
    private string? _missingError;
    private LinkInfo? _link;

    /// <summary>Creates the device; it opens once <see cref="ApplyLink"/> reports the interface present.</summary>
    public AfPacketNetDev(string name, PacketPool pool)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _pool = pool;
        _missingError = $"could not open network device {name} (No such device)";
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Type => "system";

    /// <inheritdoc/>
    public MacAddress Mac { get; private set; }

    /// <inheritdoc/>
    public int Mtu { get; private set; } = 1500;

    /// <inheritdoc/>
    public bool AdminUp { get; private set; }

    /// <inheritdoc/>
    public bool Carrier { get; private set; }

    /// <inheritdoc/>
    public long LinkChangeSequence { get; private set; }

    /// <inheritdoc/>
    public NetDevCounters Counters { get; } = new();

    /// <inheritdoc/>
    public IFrameSink? FrameSink { get; set; }

    /// <inheritdoc/>
    public string? Error => _missingError ?? _openError;

    /// <inheritdoc/>
    public int IfIndex => _link?.IfIndex ?? 0;

    /// <inheritdoc/>
    public long? LinkSpeedBps { get; private set; }

    /// <inheritdoc/>
    public string? Duplex { get; private set; }

    /// <inheritdoc/>
    public int PollFd => _fd;

    /// <inheritdoc/>
    public bool HasPendingInput => _fd >= 0 && (Volatile.Read(ref *(uint*)(_ring + ((nint)_rxIndex * FrameSize))) & LinuxInterop.TP_STATUS_USER) != 0;

    /// <summary>Raised when the socket opens or closes, so the poller can follow (set by the owner).</summary>
    public Action<AfPacketNetDev, int, bool>? SocketChanged { get; set; }

    /// <inheritdoc/>
    public void ApplyLink(LinkInfo? link)
    {
        if (link is null)
        {
            _link = null;
            Close();
            _missingError = $"could not open network device {Name} (No such device)";
            SetCarrier(false);
            AdminUp = false;
            return;
        }
        bool indexChanged = _link is null || _link.IfIndex != link.IfIndex;
        _link = link;
        _missingError = null;
        Mac = link.Mac;
        Mtu = link.Mtu;
        AdminUp = link.AdminUp;
        if (indexChanged || _fd < 0)
        {
            Close();
            Open(link.IfIndex);
            (long SpeedMbps, bool FullDuplex)? speed = LinkControl.ReadSpeed(Name);
            LinkSpeedBps = speed?.SpeedMbps * 1_000_000;
            Duplex = speed is null ? null : speed.Value.FullDuplex ? "full" : "half";
        }
        SetCarrier(_fd >= 0 && link.AdminUp && link.Running);
    }

    /// <inheritdoc/>
    public void RequestMtu(int? mtu)
    {
        if (mtu is int wanted && _link is not null && wanted != Mtu)
        {
            // The kernel confirms with an RTM_NEWLINK, which updates Mtu; an error leaves the old MTU, as in OVS.
            LinkControl.SetMtu(Name, wanted);
        }
    }

    /// <inheritdoc/>
    public void SetAdminState(bool up)
    {
        // The kernel's notification brings the new state back through ApplyLink.
        LinkControl.SetAdminUp(Name, up);
    }

    /// <inheritdoc/>
    public int Receive(PacketBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_fd < 0)
        {
            return 0;
        }
        int added = 0;
        bool losing = false;
        while (!batch.IsFull)
        {
            byte* slot = _ring + ((nint)_rxIndex * FrameSize);
            uint status = Volatile.Read(ref *(uint*)slot);
            if ((status & LinuxInterop.TP_STATUS_USER) == 0)
            {
                break;
            }
            losing |= (status & LinuxInterop.TP_STATUS_LOSING) != 0;
            uint length = *(uint*)(slot + 4);
            uint snapLength = *(uint*)(slot + 8);
            ushort macOffset = *(ushort*)(slot + 12);
            byte packetType = slot[SockaddrLlOffset + 10];
            if (packetType != LinuxInterop.PACKET_OUTGOING)
            {
                Accept(batch, slot, status, length, snapLength, macOffset, ref added);
            }
            // Hand the slot back to the kernel only after the frame has been copied out.
            Volatile.Write(ref *(uint*)slot, LinuxInterop.TP_STATUS_KERNEL);
            _rxIndex = _rxIndex + 1 == RxFrames ? 0 : _rxIndex + 1;
        }
        if (losing)
        {
            CollectKernelDrops();
        }
        return added;
    }

    private void Accept(PacketBatch batch, byte* slot, uint status, uint length, uint snapLength, ushort macOffset, ref int added)
    {
        if (snapLength < length || macOffset + snapLength > FrameSize || snapLength > PacketBuffer.Capacity - PacketBuffer.VlanTagSize)
        {
            // Larger than a ring slot (a jumbo frame, or a GSO super-frame from a peer with offloads on).
            Counters.CountRxError();
            return;
        }
        if (!_pool.TryRent(out PacketBuffer buffer))
        {
            Counters.CountRxDropped();
            return;
        }
        buffer.TrySetFrame(new ReadOnlySpan<byte>(slot + macOffset, (int)snapLength));
        if ((status & LinuxInterop.TP_STATUS_VLAN_VALID) != 0)
        {
            ushort tci = *(ushort*)(slot + 24);
            ushort tpid = (status & LinuxInterop.TP_STATUS_VLAN_TPID_VALID) != 0 ? *(ushort*)(slot + 26) : (ushort)0x8100;
            buffer.TryPushVlanTag(tpid, tci);
        }
        ReadOnlySpan<byte> frame = buffer.Data;
        Counters.CountReceived(frame.Length, (frame[0] & 1) != 0);
        FrameSink?.OnFrame(this, FrameDirection.Received, frame);
        batch.TryAdd(buffer);
        added++;
    }

    /// <inheritdoc/>
    public void Send(PacketBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int queued = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            PacketBuffer buffer = batch[i];
            ReadOnlySpan<byte> frame = buffer.Data;
            if (_fd < 0 || !Carrier || frame.Length > FrameSize - TxDataOffset || frame.Length < 14)
            {
                Counters.CountTxDropped();
                _pool.Return(buffer);
                continue;
            }
            byte* slot = _txRing + ((nint)_txIndex * FrameSize);
            uint status = Volatile.Read(ref *(uint*)slot);
            if (status == LinuxInterop.TP_STATUS_WRONG_FORMAT)
            {
                // The kernel refused what was last put here; count it and reuse the slot.
                Counters.CountTxError();
                status = LinuxInterop.TP_STATUS_AVAILABLE;
            }
            if (status != LinuxInterop.TP_STATUS_AVAILABLE)
            {
                // Every slot is still queued in the kernel: the wire is slower than the switch.
                Counters.CountTxDropped();
                _pool.Return(buffer);
                continue;
            }
            frame.CopyTo(new Span<byte>(slot + TxDataOffset, frame.Length));
            *(uint*)(slot + 4) = (uint)frame.Length;
            *(uint*)(slot + 8) = (uint)frame.Length;
            Volatile.Write(ref *(uint*)slot, LinuxInterop.TP_STATUS_SEND_REQUEST);
            _txIndex = _txIndex + 1 == TxFrames ? 0 : _txIndex + 1;
            Counters.CountTransmitted(frame.Length);
            FrameSink?.OnFrame(this, FrameDirection.Transmitted, frame);
            _pool.Return(buffer);
            queued++;
        }
        batch.Clear();
        if (queued > 0)
        {
            // One system call sends every frame marked in the ring.
            LinuxInterop.send(_fd, null, 0, LinuxInterop.MSG_DONTWAIT);
        }
    }

    /// <inheritdoc/>
    public void Close()
    {
        if (_fd < 0)
        {
            return;
        }
        int fd = _fd;
        SocketChanged?.Invoke(this, fd, false);
        if (_ring is not null)
        {
            LinuxInterop.munmap((nint)_ring, _ringLength);
            _ring = null;
            _txRing = null;
        }
        LinuxInterop.close(fd);
        _fd = -1;
        SetCarrier(false);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (system)";

    private void Open(int ifIndex)
    {
        int fd = LinuxInterop.socket(LinuxInterop.AF_PACKET, LinuxInterop.SOCK_RAW | LinuxInterop.SOCK_NONBLOCK | LinuxInterop.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            _openError = OpenError(Marshal.GetLastPInvokeError());
            return;
        }
        string? step = Configure(fd, ifIndex);
        if (step is not null)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (_ring is not null)
            {
                LinuxInterop.munmap((nint)_ring, _ringLength);
                _ring = null;
            }
            LinuxInterop.close(fd);
            _openError = OpenError(errno);
            return;
        }
        _fd = fd;
        _rxIndex = 0;
        _txIndex = 0;
        _openError = null;
        SocketChanged?.Invoke(this, fd, true);
    }

    private string OpenError(int errno)
    {
        string text = $"could not open network device {Name} ({LinuxInterop.ErrorText(errno)})";
        if (errno is LinuxInterop.EPERM or LinuxInterop.EACCES)
        {
            text += "; SharpSwitch needs root or CAP_NET_RAW and CAP_NET_ADMIN for system and internal interfaces";
        }
        return text;
    }

    /// <summary>Sets the socket up; returns the failing step's name (errno is left for the caller) or null.</summary>
    private string? Configure(int fd, int ifIndex)
    {
        int version = LinuxInterop.TPACKET_V2;
        if (LinuxInterop.setsockopt(fd, LinuxInterop.SOL_PACKET, LinuxInterop.PACKET_VERSION, &version, sizeof(int)) < 0)
        {
            return "PACKET_VERSION";
        }
        int one = 1;
        // Kernels before 4.20 lack this option; the packet-type check in Receive covers them.
        LinuxInterop.setsockopt(fd, LinuxInterop.SOL_PACKET, LinuxInterop.PACKET_IGNORE_OUTGOING, &one, sizeof(int));
        // Frames go straight to the driver, as the kernel's own packet generator does: the switch is the queue.
        LinuxInterop.setsockopt(fd, LinuxInterop.SOL_PACKET, LinuxInterop.PACKET_QDISC_BYPASS, &one, sizeof(int));
        uint* request = stackalloc uint[4];
        request[0] = BlockSize;
        request[1] = RxBlocks;
        request[2] = FrameSize;
        request[3] = RxFrames;
        if (LinuxInterop.setsockopt(fd, LinuxInterop.SOL_PACKET, LinuxInterop.PACKET_RX_RING, request, 16) < 0)
        {
            return "PACKET_RX_RING";
        }
        request[1] = TxBlocks;
        request[3] = TxFrames;
        if (LinuxInterop.setsockopt(fd, LinuxInterop.SOL_PACKET, LinuxInterop.PACKET_TX_RING, request, 16) < 0)
        {
            return "PACKET_TX_RING";
        }
        _ringLength = (nuint)((RxBlocks + TxBlocks) * BlockSize);
        nint map = LinuxInterop.mmap(null, _ringLength, LinuxInterop.PROT_READ | LinuxInterop.PROT_WRITE, LinuxInterop.MAP_SHARED, fd, 0);
        if (map == -1)
        {
            return "mmap";
        }
        _ring = (byte*)map;
        _txRing = _ring + ((nint)RxBlocks * BlockSize);
        // Bound only now, with the rings in place, so that no frame is queued outside them.
        byte* address = stackalloc byte[LinuxInterop.SockaddrLlSize];
        new Span<byte>(address, LinuxInterop.SockaddrLlSize).Clear();
        *(ushort*)address = LinuxInterop.AF_PACKET;
        *(ushort*)(address + 2) = BinaryPrimitives.ReverseEndianness(LinuxInterop.ETH_P_ALL);
        *(int*)(address + 4) = ifIndex;
        if (LinuxInterop.bind(fd, address, LinuxInterop.SockaddrLlSize) < 0)
        {
            return "bind";
        }
        // struct packet_mreq: ifindex, type, address length, address.
        byte* membership = stackalloc byte[16];
        new Span<byte>(membership, 16).Clear();
        *(int*)membership = ifIndex;
        *(ushort*)(membership + 4) = LinuxInterop.PACKET_MR_PROMISC;
        if (LinuxInterop.setsockopt(fd, LinuxInterop.SOL_PACKET, LinuxInterop.PACKET_ADD_MEMBERSHIP, membership, 16) < 0)
        {
            return "PACKET_ADD_MEMBERSHIP";
        }
        return null;
    }

    private void CollectKernelDrops()
    {
        // struct tpacket_stats: packets, drops; reading it resets the kernel's counters.
        uint* stats = stackalloc uint[2];
        int length = 8;
        if (LinuxInterop.getsockopt(_fd, LinuxInterop.SOL_PACKET, PacketStatistics, stats, &length) == 0)
        {
            for (uint i = 0; i < stats[1]; i++)
            {
                Counters.CountRxOverrun();
            }
        }
    }

    private void SetCarrier(bool carrier)
    {
        if (carrier != Carrier)
        {
            Carrier = carrier;
            LinkChangeSequence++;
        }
    }
}
