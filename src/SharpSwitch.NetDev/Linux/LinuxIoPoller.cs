// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Runtime.InteropServices;

namespace SharpSwitch.NetDev.Linux;

/// <summary>
/// Wakes the switch's single forwarding loop when any real device (packet socket, TAP, the rtnetlink socket) becomes
/// readable, so the loop sleeps while the wires are idle instead of busy-polling. One thread waits in
/// <c>epoll_wait</c> (level-triggered); when something is ready it calls the wake callback once and then waits until
/// the loop says it has run (<see cref="Acknowledge"/>), so a busy device causes one wake per loop iteration, not one
/// per frame. Level triggering means nothing is lost: whatever the loop left unread wakes it again at once.
/// </summary>
public sealed unsafe class LinuxIoPoller : IDisposable
{
    private readonly int _epoll;
    private readonly int _kickFd;
    private volatile int _timeoutMs = -1;
    private readonly Action _wake;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _ran = new(false);
    private int _wakePending;
    private volatile bool _stopping;

    /// <summary>Starts the waiting thread; <paramref name="wake"/> is called from it and must only post work to the loop.</summary>
    public LinuxIoPoller(Action wake)
    {
        _wake = wake;
        _epoll = LinuxInterop.epoll_create1(LinuxInterop.EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw new IOException("epoll_create1: " + LinuxInterop.ErrorText(Marshal.GetLastPInvokeError()));
        }
        _kickFd = LinuxInterop.eventfd(0, LinuxInterop.EFD_CLOEXEC | LinuxInterop.EFD_NONBLOCK);
        Add(_kickFd);
        _thread = new Thread(Run) { IsBackground = true, Name = "sharpswitch-netdev-poll" };
        _thread.Start();
    }

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

    private void Kick()
    {
        ulong one = 1;
        LinuxInterop.write(_kickFd, &one, sizeof(ulong));
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
        const int maxEvents = 64;
        LinuxInterop.EpollEvent* events = stackalloc LinuxInterop.EpollEvent[maxEvents];
        while (!_stopping)
        {
            int count = LinuxInterop.epoll_wait(_epoll, events, maxEvents, _timeoutMs);
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
            _wake();
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
        _thread.Join(2000);
        LinuxInterop.close(_kickFd);
        LinuxInterop.close(_epoll);
        _ran.Dispose();
    }
}
