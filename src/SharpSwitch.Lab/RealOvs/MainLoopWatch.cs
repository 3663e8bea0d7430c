// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;

namespace SharpSwitch.Lab.RealOvs;

/// <summary>
/// Tells when a real <c>ovs-vswitchd</c> has nothing left to do: its main thread is blocked in <c>poll()</c> on its
/// descriptors with a timeout that is not zero. OVS's loop asks for a zero timeout whenever work is pending (a frame
/// in a receive queue, a sequence number that changed, a timer that is due), so a blocking poll means every frame
/// the lab queued has been switched and everything that followed from it inside the switch (LACP answering, ports
/// and bonds reacting one pass later, learning packets) has happened. Linux shows the system call a blocked thread
/// is in, with its arguments, in <c>/proc/PID/task/TID/syscall</c>; reading it needs the rights to trace the process
/// (root, or the same user without Yama's restrictions). <see cref="TryOpen"/> returns null when it cannot be read.
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

    private readonly FileStream _syscall;
    private readonly byte[] _buffer = new byte[256];

    private MainLoopWatch(FileStream syscall)
    {
        _syscall = syscall;
    }

    /// <summary>How many times <see cref="WaitUntilIdle"/> looked at the thread, for the lab's timing figures.</summary>
    public long Looks { get; private set; }

    /// <summary>Starts watching the main thread of process <paramref name="pid"/>, or returns null when that is not possible here.</summary>
    public static MainLoopWatch? TryOpen(int pid)
    {
        if (s_pollNumber < 0)
        {
            return null;
        }
        string path = string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/task/{pid}/syscall");
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            var watch = new MainLoopWatch(stream);
            // A file that opens but reads nothing useful (a kernel without CONFIG_HAVE_ARCH_TRACEHOOK) is no use.
            watch.Read(out _);
            return watch;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Returns once the main thread is blocked in a <c>poll</c> with descriptors and a timeout other than zero, or
    /// throws after <paramref name="timeout"/> (a switch that keeps itself busy).
    /// </summary>
    public void WaitUntilIdle(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var spin = new SpinWait();
        while (true)
        {
            Looks++;
            if (Read(out string text) && IsBlockedInPoll(text))
            {
                return;
            }
            if (Environment.TickCount64 > deadline)
            {
                throw new RealOvsException($"ovs-vswitchd did not fall idle within {timeout.TotalSeconds:0} s (main thread: {text.Trim()})");
            }
            // Yielding gives the switch the processor it needs to finish; on a machine with few cores the lab and OVS
            // share them.
            spin.SpinOnce(sleep1Threshold: -1);
        }
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

    private bool Read(out string text)
    {
        _syscall.Position = 0;
        int length = _syscall.Read(_buffer, 0, _buffer.Length);
        text = Encoding.ASCII.GetString(_buffer, 0, length);
        return length > 0;
    }

    /// <inheritdoc/>
    public void Dispose() => _syscall.Dispose();
}
