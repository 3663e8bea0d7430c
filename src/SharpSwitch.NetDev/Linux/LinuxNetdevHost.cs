// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.NetDev.Linux;

/// <summary>
/// Everything the real Linux devices of one switch share: the rtnetlink link monitor (carrier, MTU, MAC, appearance
/// and disappearance of interfaces), the poller that wakes the switch's loop, and the open devices by name.
/// All methods except the wake callback run on the switch's loop.
/// </summary>
/// <remarks>
/// With a poller owned by the loop (<see cref="StartOnLoop"/>) the loop's thread waits on the devices itself and
/// asks <see cref="HasPendingInput"/> before it sleeps; with a poller thread (<see cref="TryStart"/>) the thread
/// posts a wake to the loop.
/// </remarks>
public sealed class LinuxNetdevHost : IDisposable
{
    private readonly LinkMonitor _monitor;
    private readonly LinuxIoPoller _poller;
    private readonly Dictionary<string, ILinuxNetDev> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MiimonState> _miimon = new(StringComparer.Ordinal);

    private readonly Action? _wake;
    private readonly bool _ownsPoller;
    private ILinuxNetDev[] _deviceArray = [];

    private LinuxNetdevHost(LinkMonitor monitor, LinuxIoPoller poller, Action? wake, bool ownsPoller)
    {
        _wake = wake;
        _ownsPoller = ownsPoller;
        _monitor = monitor;
        _monitor.LinkChanged += OnLinkChanged;
        _poller = poller;
        _poller.Add(monitor.Fd);
    }

    /// <summary>Starts the monitor and the poller; <paramref name="wake"/> must post <see cref="OnWake"/> to the loop.</summary>
    public static LinuxNetdevHost? TryStart(Action wake, out string? error)
    {
        LinkMonitor? monitor = LinkMonitor.TryOpen(out error);
        if (monitor is null)
        {
            error = "rtnetlink: " + error;
            return null;
        }
        return new LinuxNetdevHost(monitor, new LinuxIoPoller(wake), wake, ownsPoller: true);
    }

    /// <summary>
    /// Starts the monitor on a poller the loop's own thread waits on (<see cref="LinuxIoPoller.CreateForLoop"/>):
    /// every device's descriptor joins that poller, and the loop calls <see cref="OnWake"/> after each wait. The
    /// poller stays the loop's; <see cref="Dispose"/> only takes this host's descriptors out of it.
    /// </summary>
    public static LinuxNetdevHost? StartOnLoop(LinuxIoPoller loopPoller, out string? error)
    {
        ArgumentNullException.ThrowIfNull(loopPoller);
        if (!loopPoller.IsOwnedByLoop)
        {
            throw new ArgumentException("the poller must be one the loop waits on (LinuxIoPoller.CreateForLoop)", nameof(loopPoller));
        }
        LinkMonitor? monitor = LinkMonitor.TryOpen(out error);
        if (monitor is null)
        {
            error = "rtnetlink: " + error;
            return null;
        }
        return new LinuxNetdevHost(monitor, loopPoller, wake: null, ownsPoller: false);
    }

    /// <summary>
    /// True when a receive ring already holds frames (read from shared memory, no system call): the loop should run
    /// again at once rather than wait.
    /// </summary>
    public bool HasPendingInput
    {
        get
        {
            ILinuxNetDev[] devices = _deviceArray;
            for (int i = 0; i < devices.Length; i++)
            {
                if (devices[i].HasPendingInput)
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>Opens a <c>system</c> interface; it stays in the table (with an error) while the kernel has no such interface.</summary>
    public AfPacketNetDev OpenSystem(string name, PacketPool pool)
    {
        var device = new AfPacketNetDev(name, pool)
        {
            SocketChanged = (_, fd, open) =>
            {
                if (open)
                {
                    _poller.Add(fd);
                }
                else
                {
                    _poller.Remove(fd);
                }
            },
        };
        _devices[name] = device;
        _deviceArray = [.. _devices.Values];
        device.ApplyLink(_monitor.Find(name));
        return device;
    }

    /// <summary>
    /// Creates the TAP device of an <c>internal</c> port; null with the error text when refused. A bridge's own port
    /// passes <paramref name="mac"/>, the bridge's address, so the host and the switch (LACP system id, datapath id)
    /// agree on it and it stays the same across restarts, as the kernel would otherwise pick a random one.
    /// </summary>
    public TapNetDev? CreateInternal(string name, PacketPool pool, out string? error, MacAddress? mac = null)
    {
        TapNetDev? device = TapNetDev.TryCreate(name, pool, out error);
        if (device is null)
        {
            return null;
        }
        if (mac is MacAddress address)
        {
            int errno = LinkControl.SetMac(name, address);
            if (errno != 0)
            {
                device.Close();
                error = $"could not set address of network device {name} ({LinuxInterop.ErrorText(errno)})";
                return null;
            }
        }
        _devices[name] = device;
        _deviceArray = [.. _devices.Values];
        _poller.Add(device.PollFd);
        // The kernel announces the new device on the monitor socket; read it now so MAC and MTU are known at once.
        _monitor.Drain();
        device.ApplyLink(_monitor.Find(name));
        return device;
    }

    /// <summary>Closes a device (a TAP disappears with it).</summary>
    public void Close(ILinuxNetDev device)
    {
        if (_devices.TryGetValue(device.Name, out ILinuxNetDev? known) && ReferenceEquals(known, device))
        {
            _devices.Remove(device.Name);
            _deviceArray = [.. _devices.Values];
        }
        _miimon.Remove(device.Name);
        if (device.PollFd >= 0 && device is TapNetDev)
        {
            _poller.Remove(device.PollFd);
        }
        device.Close();
    }

    /// <summary>
    /// Sets how a device's carrier is detected: from rtnetlink events (null), or by polling the link every
    /// <paramref name="miimonIntervalMs"/> ms as OVS's <c>bond-detect-mode=miimon</c> does.
    /// </summary>
    public void SetMiimon(string name, int? miimonIntervalMs, long nowMs)
    {
        if (miimonIntervalMs is int interval && interval > 0)
        {
            if (!_miimon.TryGetValue(name, out MiimonState? state) || state.IntervalMs != interval)
            {
                _miimon[name] = new MiimonState(interval, nowMs);
                _poller.TimeoutMs = _miimon.Values.Min(m => m.IntervalMs);
            }
        }
        else if (_miimon.Remove(name))
        {
            _poller.TimeoutMs = _miimon.Count == 0 ? -1 : _miimon.Values.Min(m => m.IntervalMs);
        }
    }

    /// <summary>The earliest time a miimon poll is due, or <see cref="long.MaxValue"/>.</summary>
    public long NextMiimonMs
    {
        get
        {
            long next = long.MaxValue;
            foreach (MiimonState state in _miimon.Values)
            {
                next = Math.Min(next, state.NextMs);
            }
            return next;
        }
    }

    /// <summary>Runs on the loop when the poller woke it: applies queued link notifications.</summary>
    public void OnWake() => _monitor.Drain();

    /// <summary>
    /// Runs on the loop after each wait on a loop-owned poller: applies link notifications when the rtnetlink socket
    /// was among the readable descriptors, and otherwise costs no system call.
    /// </summary>
    public void AfterLoopWait()
    {
        if (_poller.WasReady(_monitor.Fd))
        {
            _monitor.Drain();
        }
    }

    /// <summary>
    /// Runs on the loop after every datapath run: polls due miimon links, and lets the poller wait again. Under load a
    /// ring already holds the next frames when a run ends; the loop is then woken directly, which saves the round trip
    /// through the poller thread for every batch.
    /// </summary>
    public void AfterRun(long nowMs)
    {
        if (_miimon.Count > 0)
        {
            PollMiimon(nowMs);
        }
        if (_wake is null)
        {
            // The loop waits on the poller itself and asks HasPendingInput before it sleeps.
            return;
        }
        if (HasPendingInput)
        {
            _wake();
        }
        _poller.Acknowledge();
    }

    private void PollMiimon(long nowMs)
    {
        foreach ((string name, MiimonState state) in _miimon)
        {
            if (nowMs < state.NextMs || !_devices.TryGetValue(name, out ILinuxNetDev? device))
            {
                continue;
            }
            state.NextMs = nowMs + state.IntervalMs;
            // MII polling reads the link from the driver (sysfs carrier), not from the notification stream.
            bool carrier = ReadSysfsCarrier(name);
            LinkInfo? link = _monitor.Find(name);
            if (link is not null)
            {
                uint flags = carrier ? link.Flags | Rtnetlink.IFF_RUNNING : link.Flags & ~Rtnetlink.IFF_RUNNING;
                device.ApplyLink(link with { Flags = flags });
            }
        }
    }

    private static bool ReadSysfsCarrier(string name)
    {
        try
        {
            return File.ReadAllText($"/sys/class/net/{name}/carrier").Trim() == "1";
        }
        catch (IOException)
        {
            // Reading carrier of an interface that is down fails with EINVAL: no link.
            return false;
        }
    }

    private void OnLinkChanged(string name, LinkInfo? link)
    {
        if (!_devices.TryGetValue(name, out ILinuxNetDev? device))
        {
            return;
        }
        if (link is not null && _miimon.ContainsKey(name) && device.IfIndex == link.IfIndex)
        {
            // In miimon mode carrier changes wait for the next poll; MTU, MAC and admin state still follow the kernel.
            uint flags = device.Carrier ? link.Flags | Rtnetlink.IFF_RUNNING : link.Flags & ~Rtnetlink.IFF_RUNNING;
            device.ApplyLink(link with { Flags = flags });
            return;
        }
        device.ApplyLink(link);
    }

    /// <summary>Closes every device, the poller and the monitor.</summary>
    public void Dispose()
    {
        foreach (ILinuxNetDev device in _devices.Values.ToList())
        {
            Close(device);
        }
        if (_ownsPoller)
        {
            _poller.Dispose();
        }
        else
        {
            _poller.Remove(_monitor.Fd);
        }
        _monitor.Dispose();
    }

    private sealed class MiimonState(int intervalMs, long nowMs)
    {
        public int IntervalMs { get; } = intervalMs;

        public long NextMs { get; set; } = nowMs;
    }
}
