// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Runtime.InteropServices;

namespace SharpSwitch.NetDev.Linux;

/// <summary>
/// Wakes the switch's single forwarding loop when any real device (packet socket, TAP, the rtnetlink socket) becomes
/// readable, so the loop sleeps while the wires are idle instead of busy-polling. It works in one of two ways:
/// <list type="bullet">
/// <item>Owned by the loop (<see cref="CreateForLoop"/>): the loop's own thread blocks in <see cref="Wait"/>, so a
/// device that becomes readable is served by the thread that forwards, with no hand-over between threads. This is
/// how <c>vsw vswitchd</c> runs, like OVS's main loop blocking in <c>poll()</c> on every device at once.</item>
/// <item>With its own thread (the public constructor): one thread waits in <c>epoll_wait</c> and calls the wake
/// callback once, then waits until the loop says it has run (<see cref="Acknowledge"/>), so a busy device causes
/// one wake per loop iteration, not one per frame. This serves a loop that is not a thread of its own (an
/// in-process daemon driven by someone else's scheduler).</item>
/// </list>
/// Either way the epoll set is level-triggered, so nothing is lost: whatever the loop left unread is reported again
/// at the next wait.
/// </summary>
public sealed unsafe class LinuxIoPoller : IDisposable
{
    /// <summary>The most readiness reports one wait takes in; more simply wait for the next call.</summary>
    private const int MaxEvents = 64;

    private readonly int _epoll;
    private readonly int _kickFd;
    private volatile int _timeoutMs = -1;
    private readonly Action? _wake;
    private readonly Thread? _thread;
    private readonly ManualResetEventSlim _ran = new(false);
    private readonly LinuxInterop.EpollEvent[] _events = new LinuxInterop.EpollEvent[MaxEvents];
    private int _readyCount;
    private int _wakePending;
    private volatile bool _stopping;

    /// <summary>Starts the waiting thread; <paramref name="wake"/> is called from it and must only post work to the loop.</summary>
    public LinuxIoPoller(Action wake)
        : this()
    {
        _wake = wake;
        _thread = new Thread(Run) { IsBackground = true, Name = "sharpswitch-netdev-poll" };
        _thread.Start();
    }

    private LinuxIoPoller()
    {
        _epoll = LinuxInterop.epoll_create1(LinuxInterop.EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw new IOException("epoll_create1: " + LinuxInterop.ErrorText(Marshal.GetLastPInvokeError()));
        }
        _kickFd = LinuxInterop.eventfd(0, LinuxInterop.EFD_CLOEXEC | LinuxInterop.EFD_NONBLOCK);
        Add(_kickFd);
    }

    /// <summary>
    /// Creates a poller without a thread of its own: the loop's thread calls <see cref="Wait"/> between iterations,
    /// and any other thread that has work for the loop calls <see cref="Kick"/>.
    /// </summary>
    public static LinuxIoPoller CreateForLoop() => new();

    /// <summary>True when this poller is waited on by the loop's own thread (<see cref="CreateForLoop"/>).</summary>
    public bool IsOwnedByLoop => _thread is null;

    /// <summary>
    /// The longest wait without input before the loop is woken anyway (for miimon polling), or -1 for no limit. A
    /// change takes effect at once: the waiting thread is kicked out of its current wait.
    /// </summary>
    public int TimeoutMs
    {
        get => _timeoutMs;
        set
        {
            if (_timeoutMs != value)
            {
                _timeoutMs = value;
                Kick();
            }
        }
    }

    /// <summary>Ends the current (or the next) <see cref="Wait"/> at once; callable from any thread.</summary>
    public void Kick()
    {
        ulong one = 1;
        LinuxInterop.write(_kickFd, &one, sizeof(ulong));
    }

    /// <summary>
    /// Blocks the calling thread (the loop's own) until a watched descriptor is readable, <see cref="Kick"/> is
    /// called, or <paramref name="timeoutMs"/> passes (-1: no limit, 0: just look). Returns the number of readable
    /// devices (kicks not counted); <see cref="WasReady"/> tells which. Allocates nothing.
    /// </summary>
    public int Wait(int timeoutMs)
    {
        if (!IsOwnedByLoop)
        {
            throw new InvalidOperationException("this poller has its own thread; only a poller made by CreateForLoop is waited on");
        }
        _readyCount = 0;
        int count;
        fixed (LinuxInterop.EpollEvent* events = _events)
        {
            count = LinuxInterop.epoll_wait(_epoll, events, MaxEvents, timeoutMs);
        }
        if (count <= 0)
        {
            // A timeout, or EINTR (a signal): the caller's loop simply looks again.
            return 0;
        }
        int ready = 0;
        for (int i = 0; i < count; i++)
        {
            if ((int)_events[i].Data == _kickFd)
            {
                ulong value;
                LinuxInterop.read(_kickFd, &value, sizeof(ulong));
            }
            else
            {
                _events[ready++] = _events[i];
            }
        }
        _readyCount = ready;
        return ready;
    }

    /// <summary>True when the last <see cref="Wait"/> reported <paramref name="fd"/> readable.</summary>
    public bool WasReady(int fd)
    {
        for (int i = 0; i < _readyCount; i++)
        {
            if ((int)_events[i].Data == fd)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Starts watching a descriptor for input.</summary>
    public void Add(int fd)
    {
        var ev = new LinuxInterop.EpollEvent { Events = LinuxInterop.EPOLLIN, Data = (ulong)fd };
        if (LinuxInterop.epoll_ctl(_epoll, LinuxInterop.EPOLL_CTL_ADD, fd, &ev) < 0)
        {
            throw new IOException("epoll_ctl: " + LinuxInterop.ErrorText(Marshal.GetLastPInvokeError()));
        }
    }

    /// <summary>Stops watching a descriptor (call before closing it).</summary>
    public void Remove(int fd)
    {
        var ev = default(LinuxInterop.EpollEvent);
        LinuxInterop.epoll_ctl(_epoll, LinuxInterop.EPOLL_CTL_DEL, fd, &ev);
    }

    /// <summary>Called by the loop after each iteration that read the devices: the poller may wait again.</summary>
    public void Acknowledge()
    {
        if (Interlocked.Exchange(ref _wakePending, 0) == 1)
        {
            _ran.Set();
        }
    }

    private void Run()
    {
        LinuxInterop.EpollEvent* events = stackalloc LinuxInterop.EpollEvent[MaxEvents];
        while (!_stopping)
        {
            int count = LinuxInterop.epoll_wait(_epoll, events, MaxEvents, _timeoutMs);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() == LinuxInterop.EINTR)
                {
                    continue;
                }
                break;
            }
            if (_stopping)
            {
                break;
            }
            bool input = count == 0;
            for (int i = 0; i < count; i++)
            {
                if ((int)events[i].Data == _kickFd)
                {
                    ulong value;
                    LinuxInterop.read(_kickFd, &value, sizeof(ulong));
                }
                else
                {
                    input = true;
                }
            }
            if (!input)
            {
                // Only a kick (a new timeout): wait again with it.
                continue;
            }
            _ran.Reset();
            Interlocked.Exchange(ref _wakePending, 1);
            _wake!();
            // Wait for the loop to read what is there; a bounded wait keeps a stalled loop from wedging the thread.
            _ran.Wait(1000);
        }
    }

    /// <summary>Stops the thread and closes the epoll instance.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        Kick();
        _ran.Set();
        _thread?.Join(2000);
        LinuxInterop.close(_kickFd);
        LinuxInterop.close(_epoll);
        _ran.Dispose();
    }
}
