// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;

namespace SharpSwitch.Lab.RealOvs;

/// <summary>
/// Tells when a real <c>ovs-vswitchd</c> has nothing left to do: its main thread is blocked in <c>poll()</c> on its
/// descriptors with a timeout that is not zero, and so is its <c>ovsdb-server</c>'s. OVS's loop asks for a zero
/// timeout whenever work is pending (a frame in a receive queue, a sequence number that changed, a timer that is
/// due), so a blocking poll means every frame the lab queued has been switched and everything that followed from it
/// inside the switch (LACP answering, ports and bonds reacting one pass later, learning packets) has happened, except
/// what waits for the database: a change of link or LACP state makes ovs-vswitchd write the status columns, and it
/// runs its ports again only when ovsdb-server's reply wakes it. So the database server must be idle too (nothing
/// unread, no reply unsent), and the switch must not have run in between, which its scheduler statistics show. The
/// same goes for its revalidator threads, after whose flow dumps the main thread runs the bond rebalancing.
/// Linux shows the system call a blocked thread is in, with its arguments, in <c>/proc/PID/task/TID/syscall</c>;
/// reading it needs the rights to trace the process (root, or the same user without Yama's restrictions).
/// <see cref="TryOpen"/> returns null when it cannot be read.
/// </summary>
internal sealed class MainLoopWatch : IDisposable
{
    /// <summary>The number of <c>poll</c> on x86-64; the lab reads the architecture's table below.</summary>
    private static readonly int s_pollNumber = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => 7,
        // aarch64 has no poll(); glibc implements it with ppoll (73), whose fourth argument is a pointer to the
        // timeout, which the lab cannot read, so the watch is not used there.
        _ => -1,
    };

    private readonly FileStream _switchSyscall;
    private readonly FileStream _switchStat;
    private readonly FileStream _switchSchedule;
    private readonly FileStream _databaseSyscall;
    private readonly FileStream _databaseStat;
    private readonly List<(FileStream Stat, FileStream Schedule)> _revalidators = [];
    private readonly List<string> _revalidatorSchedules = [];
    private readonly byte[] _buffer = new byte[1024];

    private MainLoopWatch(FileStream switchSyscall, FileStream switchStat, FileStream switchSchedule, FileStream databaseSyscall, FileStream databaseStat)
    {
        _switchSyscall = switchSyscall;
        _switchStat = switchStat;
        _switchSchedule = switchSchedule;
        _databaseSyscall = databaseSyscall;
        _databaseStat = databaseStat;
    }

    /// <summary>How many times <see cref="WaitUntilIdle"/> looked at the thread, for the lab's timing figures.</summary>
    public long Looks { get; private set; }

    /// <summary>
    /// Starts watching the main threads of ovs-vswitchd (<paramref name="switchPid"/>) and its ovsdb-server
    /// (<paramref name="databasePid"/>), or returns null when that is not possible here.
    /// </summary>
    public static MainLoopWatch? TryOpen(int switchPid, int databasePid)
    {
        if (s_pollNumber < 0)
        {
            return null;
        }
        var opened = new List<FileStream>();
        try
        {
            FileStream Open(int pid, string file)
            {
                var stream = new FileStream(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/task/{pid}/{file}"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
                opened.Add(stream);
                return stream;
            }
            var watch = new MainLoopWatch(Open(switchPid, "syscall"), Open(switchPid, "stat"), Open(switchPid, "schedstat"), Open(databasePid, "syscall"), Open(databasePid, "stat"));
            // The revalidator threads push the statistics that balance-slb and balance-tcp rebalance on, and the main
            // thread runs a rebalance only after a revalidator has dumped the flows; so they must be asleep too.
            foreach (string task in Directory.GetDirectories(string.Create(CultureInfo.InvariantCulture, $"/proc/{switchPid}/task")))
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("revalidator", StringComparison.Ordinal)
                    && int.TryParse(Path.GetFileName(task), NumberStyles.Integer, CultureInfo.InvariantCulture, out int tid))
                {
                    string prefix = string.Create(CultureInfo.InvariantCulture, $"/proc/{switchPid}/task/{tid}/");
                    var stat = new FileStream(prefix + "stat", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
                    opened.Add(stat);
                    var schedule = new FileStream(prefix + "schedstat", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
                    opened.Add(schedule);
                    watch._revalidators.Add((stat, schedule));
                }
            }
            // Files that open but read nothing (a kernel without the tracing hooks or scheduler statistics) are no use.
            if (opened.Any(stream => !watch.Read(stream, out _)))
            {
                watch.Dispose();
                return null;
            }
            return watch;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            foreach (FileStream stream in opened)
            {
                stream.Dispose();
            }
            return null;
        }
    }

    /// <summary>
    /// Returns once both daemons are blocked in <c>poll</c> with descriptors and a timeout other than zero and the
    /// switch has not run while the lab looked, or throws after <paramref name="timeout"/> (a switch that keeps itself
    /// busy).
    /// </summary>
    public void WaitUntilIdle(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var spin = new SpinWait();
        string text = "";
        while (true)
        {
            Looks++;
            // The switch first, then the database, then the switch again: a message either sent before it blocked is
            // waiting for the database (which is then runnable, not asleep), or the database's answer woke the switch
            // (which is then runnable, or has run, which its schedule shows).
            if (Read(_switchSchedule, out string before)
                && ReadRevalidatorSchedules()
                && IsAsleepInPoll(_switchSyscall, _switchStat, out text)
                && RevalidatorsAsleep()
                && IsAsleepInPoll(_databaseSyscall, _databaseStat, out _)
                && IsAsleepInPoll(_switchSyscall, _switchStat, out text)
                && Read(_switchSchedule, out string after) && before == after
                && RevalidatorSchedulesUnchanged())
            {
                return;
            }
            if (Environment.TickCount64 > deadline)
            {
                throw new RealOvsException($"ovs-vswitchd did not fall idle within {timeout.TotalSeconds:0} s (main thread: {text.Trim()})");
            }
            // Yielding gives the daemons the processor they need to finish; on a machine with few cores the lab and
            // OVS share them.
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>
    /// True when the thread is asleep (a thread woken by its descriptors stays in the system call until it runs, but
    /// is no longer asleep) in a <c>poll</c> that would block.
    /// </summary>
    private bool IsAsleepInPoll(FileStream syscall, FileStream stat, out string text)
    {
        if (!Read(syscall, out text) || !IsBlockedInPoll(text) || !Read(stat, out string status))
        {
            return false;
        }
        return StateOf(status) == 'S' && Read(syscall, out string again) && again == text;
    }

    private bool ReadRevalidatorSchedules()
    {
        _revalidatorSchedules.Clear();
        foreach ((FileStream _, FileStream schedule) in _revalidators)
        {
            if (!Read(schedule, out string text))
            {
                return false;
            }
            _revalidatorSchedules.Add(text);
        }
        return true;
    }

    private bool RevalidatorsAsleep()
    {
        foreach ((FileStream stat, FileStream _) in _revalidators)
        {
            if (!Read(stat, out string status) || StateOf(status) != 'S')
            {
                return false;
            }
        }
        return true;
    }

    private bool RevalidatorSchedulesUnchanged()
    {
        for (int i = 0; i < _revalidators.Count; i++)
        {
            if (!Read(_revalidators[i].Schedule, out string text) || text != _revalidatorSchedules[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The state letter of a <c>/proc/.../stat</c> line, "PID (COMM) STATE ...", whose command may hold spaces or parentheses.</summary>
    private static char StateOf(string status)
    {
        int close = status.LastIndexOf(')');
        return close > 0 && close + 2 < status.Length ? status[close + 2] : '?';
    }

    /// <summary>True for the text of a thread blocked in <c>poll(fds, nfds &gt; 0, timeout != 0)</c>.</summary>
    internal static bool IsBlockedInPoll(string text) => IsBlockedInPoll(text, s_pollNumber);

    internal static bool IsBlockedInPoll(string text, int pollNumber)
    {
        // "NR ARG1 ARG2 ARG3 ARG4 ARG5 ARG6 SP PC" while blocked, "running" or "-1 SP PC" otherwise.
        string[] fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (fields.Length < 4 || !int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int number) || number != pollNumber)
        {
            return false;
        }
        return TryParseHex(fields[2], out ulong descriptors) && descriptors > 0
            && TryParseHex(fields[3], out ulong timeoutMs) && timeoutMs != 0;
    }

    private static bool TryParseHex(string field, out ulong value) =>
        ulong.TryParse(field.StartsWith("0x", StringComparison.Ordinal) ? field[2..] : field, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);

    private bool Read(FileStream file, out string text)
    {
        file.Position = 0;
        int length = file.Read(_buffer, 0, _buffer.Length);
        text = Encoding.ASCII.GetString(_buffer, 0, length);
        return length > 0;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _switchSyscall.Dispose();
        _switchStat.Dispose();
        _switchSchedule.Dispose();
        _databaseSyscall.Dispose();
        _databaseStat.Dispose();
        foreach ((FileStream stat, FileStream schedule) in _revalidators)
        {
            stat.Dispose();
            schedule.Dispose();
        }
    }
}
