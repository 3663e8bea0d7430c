// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.NetDev.Linux;
using SharpSwitch.Ovsdb.Idl;

namespace SharpSwitch.Switchd;

/// <summary>
/// The daemon's own loop thread, as OVS's ovs-vswitchd has one main thread that blocks in <c>poll()</c> on every
/// device and socket at once and then does all the work of the iteration itself.
/// </summary>
/// <remarks>
/// <para>
/// Why one dedicated thread rather than an <c>async</c> loop on the thread pool: each burst of frames used to go
/// from the poller thread to a posted callback, to a pool worker resuming the loop, and back to the poller, several
/// thread hand-overs per wake-up; on a pinned, contended core every hand-over is another thread waiting to be
/// scheduled while the receive ring fills. Here the thread that forwards is the thread that waits in
/// <c>epoll_wait</c> on the devices (<see cref="LinuxIoPoller.CreateForLoop"/>), so a readable ring is served
/// without any hand-over, and a ring that still holds frames after a run is served again without a system call.
/// </para>
/// <para>
/// Why the database work stays on the same thread, as steps between forwarding runs, rather than on a thread of its
/// own handing configuration to the forwarding thread: reconciliation, status writes and unixctl handlers all read
/// and change the datapath, and the daemon already runs them as steps of one loop. Keeping that shape means nothing
/// races by construction, and no second copy of the configuration or lock is needed. A single-threaded
/// <see cref="SynchronizationContext"/> was not needed either: the only step that waits on the network, the status
/// transaction's reply, is not awaited at all. The loop sends it and keeps forwarding; when the reply is in (which
/// wakes the loop), the next iteration takes it. The replica is left alone meanwhile, because the IDL allows no
/// <c>Run</c> while a transaction is open (which is also when its commit applies the echo of the write).
/// </para>
/// <para>
/// The lab and tests that drive <see cref="RunOnceAsync"/> on virtual time do not use this thread; they see the
/// same steps in the same order as before.
/// </para>
/// </remarks>
public sealed partial class SwitchDaemon
{
    /// <summary>
    /// The name of the daemon's loop thread (Linux shows the first 15 characters in <c>ps -L</c>, <c>top -H</c> and
    /// <c>pidstat -t</c>), which forwards, reconciles, writes status and answers unixctl commands.
    /// </summary>
    public const string LoopThreadName = "vsw-main-loop";

    private volatile LoopWaker? _loopWaker;
    private Task? _loopCompletion;
    private StatusWrite? _statusWrite;
    private Task? _databaseSignal;

    /// <summary>True when called on the daemon's loop thread (for tests and assertions).</summary>
    internal bool IsOnLoopThread => _loopThread is not null && Thread.CurrentThread == _loopThread;

    private Thread? _loopThread;

    private Task RunLoopThreadAsync(CancellationToken stop)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        LoopWaker waker = LoopWaker.Create();
        if (waker.Poller is LinuxIoPoller poller)
        {
            // Real devices opened from now on are waited on by the loop's thread itself.
            _netdevs.UseLoopPoller(poller);
        }
        _loopWaker = waker;
        var thread = new Thread(() => RunLoopThread(waker, stop, completion)) { Name = LoopThreadName, IsBackground = true };
        _loopThread = thread;
        _loopCompletion = completion.Task;
        thread.Start();
        return completion.Task;
    }

    private void RunLoopThread(LoopWaker waker, CancellationToken stop, TaskCompletionSource completion)
    {
        Exception? failure = null;
        try
        {
            using CancellationTokenRegistration wakeOnStop = stop.UnsafeRegister(static state => ((LoopWaker)state!).Kick(), waker);
            // The system clock's timeouts go straight into epoll_wait; another clock (a test's) gets a timer of its own.
            using ITimer? timer = _options.TimeProvider == TimeProvider.System
                ? null
                : _options.TimeProvider.CreateTimer(static state => ((LoopWaker)state!).Kick(), waker, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            while (!stop.IsCancellationRequested)
            {
                RunLoopIteration(stop);
                SleepUntilWork(waker, timer, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Exit requested.
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            _work.Writer.TryComplete();
            try
            {
                RunPendingWork();
            }
            catch (Exception ex)
            {
                failure ??= ex;
            }
        }
        if (failure is null)
        {
            completion.TrySetResult();
        }
        else
        {
            completion.TrySetException(failure);
        }
    }

    /// <summary>
    /// One iteration on the loop thread: the steps of <see cref="RunOnceAsync"/>, except that a status write whose
    /// reply is still outstanding is not waited for (forwarding and commands go on), and the replica is only run when
    /// the database has said something since the last look, because each run allocates.
    /// </summary>
    private void RunLoopIteration(CancellationToken stop)
    {
        OvsdbIdl idl = _idl!;
        bool statusInFlight = false;
        if (_statusWrite is StatusWrite sent)
        {
            statusInFlight = !sent.Commit.IsCompleted;
            if (!statusInFlight)
            {
                _statusWrite = null;
                FinishStatusWrite(sent);
                // A failed or cancelled write fails (or ends) the loop, as it did when the loop awaited it.
                sent.Commit.GetAwaiter().GetResult();
            }
        }
        if (!statusInFlight)
        {
            if (_databaseSignal is null || _databaseSignal.IsCompleted)
            {
                _databaseSignal = null;
                idl.Run();
                Task signal = idl.WaitForUpdatesAsync(CancellationToken.None);
                if (!signal.IsCompleted)
                {
                    // Allocates once per database update, never per wake.
                    signal.ContinueWith(static (_, state) => ((LoopWaker)state!).Kick(), _loopWaker, CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    _databaseSignal = signal;
                }
            }
            ApplyDatabaseChanges(idl);
        }
        RunPendingWork();
        if (_options.RunsDatapath)
        {
            RunDatapath();
        }
        if (!statusInFlight)
        {
            if (BeginStatusWrite(idl, stop) is StatusWrite write)
            {
                if (write.Commit.IsCompleted)
                {
                    FinishStatusWrite(write);
                    write.Commit.GetAwaiter().GetResult();
                }
                else
                {
                    _statusWrite = write;
                    // The reply wakes the loop; allocates once per status write.
                    write.Commit.ContinueWith(static (_, state) => ((LoopWaker)state!).Kick(), _loopWaker, CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
            MarkReadyOnceApplied(idl);
        }
    }

    /// <summary>
    /// Blocks the loop thread until there is something to do: a readable device, posted work, a database update or
    /// status reply, the next timer, or exit. When there is already something to do (a receive ring still holds
    /// frames, under full traffic on every iteration) it only looks, without blocking, so that link notifications
    /// (a member's carrier going down) are still read at once while the rings never run dry.
    /// </summary>
    private void SleepUntilWork(LoopWaker waker, ITimer? timer, CancellationToken stop)
    {
        waker.Wait(SleepTimeoutMs(timer, stop));
        _netdevs.AfterLoopWait();
    }

    /// <summary>How long the loop may sleep now: 0 to only look, -1 for no limit, else milliseconds.</summary>
    private int SleepTimeoutMs(ITimer? timer, CancellationToken stop)
    {
        if (stop.IsCancellationRequested || _work.Reader.TryPeek(out _) || _netdevs.HasPendingInput)
        {
            return 0;
        }
        if (_statusWrite is StatusWrite sent)
        {
            if (sent.Commit.IsCompleted)
            {
                return 0;
            }
        }
        else if (_databaseSignal is null || _databaseSignal.IsCompleted || HasUnreconciledChanges)
        {
            return 0;
        }
        long deadline = Math.Min(Math.Min(Datapath.NextWakeMs, _nextStatisticsMs), _netdevs.NextCarrierPollMs);
        TimeSpan delay = Clock.DelayUntil(deadline);
        if (delay == TimeSpan.Zero)
        {
            return 0;
        }
        if (timer is not null)
        {
            timer.Change(delay, Timeout.InfiniteTimeSpan);
            return -1;
        }
        return delay == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Min(Math.Ceiling(delay.TotalMilliseconds), int.MaxValue);
    }

    /// <summary>Waits (bounded) for the loop thread to finish, so devices are not closed under it.</summary>
    private async Task WaitForLoopThreadAsync()
    {
        if (_loopCompletion is Task loop && _loopThread != Thread.CurrentThread)
        {
            try
            {
                await loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                Log.Warn("bridge", "the loop thread did not stop within 5 s");
            }
            catch (Exception)
            {
                // RunAsync reports the loop's failure to its caller; disposal goes on regardless.
            }
        }
    }

    /// <summary>
    /// How the loop thread sleeps and is woken: on Linux an epoll set (the real devices' descriptors join it, so one
    /// wait covers devices and kicks); elsewhere an event, with only dummies to serve.
    /// </summary>
    private sealed class LoopWaker : IDisposable
    {
        private readonly AutoResetEvent? _event;

        private LoopWaker(LinuxIoPoller? poller)
        {
            Poller = poller;
            _event = poller is null ? new AutoResetEvent(false) : null;
        }

        public LinuxIoPoller? Poller { get; }

        public static LoopWaker Create()
        {
            if (OperatingSystem.IsLinux())
            {
                try
                {
                    return new LoopWaker(LinuxIoPoller.CreateForLoop());
                }
                catch (IOException)
                {
                    // No epoll (a restricted sandbox): dummies still work with the event.
                }
            }
            return new LoopWaker(null);
        }

        /// <summary>Wakes the loop thread; any thread may call it.</summary>
        public void Kick()
        {
            if (Poller is not null)
            {
                Poller.Kick();
            }
            else
            {
                _event!.Set();
            }
        }

        /// <summary>Sleeps until kicked, a device is readable, or <paramref name="timeoutMs"/> passes (-1: no limit).</summary>
        public void Wait(int timeoutMs)
        {
            if (Poller is not null)
            {
                Poller.Wait(timeoutMs);
            }
            else
            {
                _event!.WaitOne(timeoutMs);
            }
        }

        public void Dispose()
        {
            Poller?.Dispose();
            _event?.Dispose();
        }
    }
}
