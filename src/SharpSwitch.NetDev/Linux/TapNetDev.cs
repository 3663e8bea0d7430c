// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Runtime.InteropServices;
using SharpSwitch.Packets;

namespace SharpSwitch.NetDev.Linux;

/// <summary>
/// An <c>internal</c> port as OVS's userspace datapath makes one: a TAP device named after the port
/// (<c>/dev/net/tun</c>, <c>IFF_TAP | IFF_NO_PI</c>), so the host can give it an address and talk through the
/// switch. The device exists while this object holds it open (not persistent), so it disappears with the port or
/// the daemon. Frames the host sends are read from the TAP and enter the switch; frames the switch sends out of the
/// port are written to the TAP and reach the host's stack.
/// </summary>
/// <remarks>Not thread-safe: the datapath's loop drives it. The host-side link state comes from rtnetlink.</remarks>
public sealed unsafe class TapNetDev : ILinuxNetDev
{
    private readonly PacketPool _pool;
    private readonly byte[] _scratch = new byte[PacketBuffer.Capacity + 64];
    private int _fd = -1;
    private LinkInfo? _link;

    private TapNetDev(string name, PacketPool pool, int fd)
    {
        Name = name;
        _pool = pool;
        _fd = fd;
    }

    /// <summary>Creates the TAP device; null with OVS-style error text when that is refused.</summary>
    public static TapNetDev? TryCreate(string name, PacketPool pool, out string? error)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        int fd = LinuxInterop.open("/dev/net/tun", LinuxInterop.O_RDWR | LinuxInterop.O_NONBLOCK | LinuxInterop.O_CLOEXEC);
        if (fd < 0)
        {
            error = ErrorFor(name, Marshal.GetLastPInvokeError());
            return null;
        }
        byte* ifreq = stackalloc byte[LinuxInterop.IfreqSize];
        var span = new Span<byte>(ifreq, LinuxInterop.IfreqSize);
        span.Clear();
        LinuxInterop.WriteIfreqName(span, name);
        *(short*)(ifreq + 16) = LinuxInterop.IFF_TAP | LinuxInterop.IFF_NO_PI;
        if (LinuxInterop.ioctl(fd, LinuxInterop.TUNSETIFF, ifreq) < 0)
        {
            error = ErrorFor(name, Marshal.GetLastPInvokeError());
            LinuxInterop.close(fd);
            return null;
        }
        error = null;
        return new TapNetDev(name, pool, fd);
    }

    private static string ErrorFor(string name, int errno)
    {
        string text = $"could not open network device {name} ({LinuxInterop.ErrorText(errno)})";
        if (errno is LinuxInterop.EPERM or LinuxInterop.EACCES)
        {
            text += "; SharpSwitch needs root or CAP_NET_ADMIN to create TAP devices for internal ports";
        }
        return text;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Type => "internal";

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
    public string? Error => _fd < 0 ? $"could not open network device {Name} (No such device)" : null;

    /// <inheritdoc/>
    public int IfIndex => _link?.IfIndex ?? 0;

    /// <inheritdoc/>
    public long? LinkSpeedBps { get; private set; }

    /// <inheritdoc/>
    public string? Duplex { get; private set; }

    /// <inheritdoc/>
    public int PollFd => _fd;

    /// <inheritdoc/>
    public bool HasPendingInput => false;

    /// <inheritdoc/>
    public void ApplyLink(LinkInfo? link)
    {
        if (link is null)
        {
            // Someone deleted the device under the switch; the port stays, without a wire.
            _link = null;
            SetCarrier(false);
            AdminUp = false;
            return;
        }
        bool first = _link is null;
        _link = link;
        Mac = link.Mac;
        Mtu = link.Mtu;
        AdminUp = link.AdminUp;
        if (first)
        {
            (long SpeedMbps, bool FullDuplex)? speed = LinkControl.ReadSpeed(Name);
            LinkSpeedBps = speed?.SpeedMbps * 1_000_000;
            Duplex = speed is null ? null : speed.Value.FullDuplex ? "full" : "half";
        }
        // A TAP has carrier while its file is open; the host's "ip link set up" makes it usable.
        SetCarrier(_fd >= 0 && link.AdminUp && link.Running);
    }

    /// <inheritdoc/>
    public void RequestMtu(int? mtu)
    {
        if (mtu is int wanted && wanted != Mtu && _fd >= 0)
        {
            LinkControl.SetMtu(Name, wanted);
        }
    }

    /// <inheritdoc/>
    public void SetAdminState(bool up) => LinkControl.SetAdminUp(Name, up);

    /// <inheritdoc/>
    public int Receive(PacketBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_fd < 0)
        {
            return 0;
        }
        int added = 0;
        fixed (byte* scratch = _scratch)
        {
            while (!batch.IsFull)
            {
                nint length = LinuxInterop.read(_fd, scratch, (nuint)_scratch.Length);
                if (length <= 0)
                {
                    break;
                }
                if (length > PacketBuffer.Capacity)
                {
                    Counters.CountRxError();
                    continue;
                }
                if (!_pool.TryRent(out PacketBuffer buffer))
                {
                    Counters.CountRxDropped();
                    continue;
                }
                buffer.TrySetFrame(new ReadOnlySpan<byte>(scratch, (int)length));
                Counters.CountReceived((int)length, (scratch[0] & 1) != 0);
                FrameSink?.OnFrame(this, FrameDirection.Received, buffer.Data);
                batch.TryAdd(buffer);
                added++;
            }
        }
        return added;
    }

    /// <inheritdoc/>
    public void Send(PacketBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (int i = 0; i < batch.Count; i++)
        {
            PacketBuffer buffer = batch[i];
            Span<byte> frame = buffer.Data;
            nint written = -1;
            if (_fd >= 0)
            {
                fixed (byte* data = frame)
                {
                    written = LinuxInterop.write(_fd, data, (nuint)frame.Length);
                }
            }
            if (written == frame.Length)
            {
                Counters.CountTransmitted(frame.Length);
                FrameSink?.OnFrame(this, FrameDirection.Transmitted, frame);
            }
            else
            {
                // A TAP that the host has not brought up refuses writes (EIO): the frame had nowhere to go.
                Counters.CountTxDropped();
            }
            _pool.Return(buffer);
        }
        batch.Clear();
    }

    /// <inheritdoc/>
    public void Close()
    {
        if (_fd >= 0)
        {
            LinuxInterop.close(_fd);
            _fd = -1;
            SetCarrier(false);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (internal)";

    private void SetCarrier(bool carrier)
    {
        if (carrier != Carrier)
        {
            Carrier = carrier;
            LinkChangeSequence++;
        }
    }
}
