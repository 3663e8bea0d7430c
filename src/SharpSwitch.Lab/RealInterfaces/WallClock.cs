// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;

namespace SharpSwitch.Lab.RealInterfaces;

/// <summary>
/// Keeps the lab's millisecond clock on wall time for a run on real interfaces: the discrete-event loop may not
/// reach an instant before that much real time has passed since the run began, so a scenario of 30 s takes 30 s and
/// every fault happens at its wall-clock time.
/// </summary>
internal sealed class WallClock
{
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();

    /// <summary>Milliseconds of wall time since the run began.</summary>
    public long ElapsedMs => (long)Stopwatch.GetElapsedTime(_startTimestamp).TotalMilliseconds;

    /// <summary>Blocks until <paramref name="instantMs"/> of wall time have passed since the run began.</summary>
    public void WaitUntil(long instantMs)
    {
        while (true)
        {
            long remaining = instantMs - ElapsedMs;
            if (remaining <= 0)
            {
                return;
            }
            // Sleeping the whole remainder at once would oversleep by the scheduler's slack; a short sleep is precise
            // to about a millisecond, which is the lab's resolution.
            Thread.Sleep(remaining > 2 ? (int)(remaining - 1) : 1);
        }
    }
}
