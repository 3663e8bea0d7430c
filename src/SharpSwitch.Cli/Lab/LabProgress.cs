// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Globalization;

namespace SharpSwitch.Cli.Lab;

/// <summary>
/// A one-line progress bar on stderr for lab runs that take longer than a second of wall time. It stays silent for
/// short runs and when stderr is not a terminal (a log file or a pipe would only collect carriage returns), redraws
/// at most ten times a second, and erases itself when the run ends. The report on stdout is never touched.
/// </summary>
internal sealed class LabProgress
{
    /// <summary>Wall time a run must take before the bar appears.</summary>
    public static readonly TimeSpan ShowAfter = TimeSpan.FromSeconds(1);

    /// <summary>Shortest wall time between two redraws.</summary>
    public static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(100);

    private const int BarWidth = 30;

    private readonly TextWriter _error;
    private readonly bool _enabled;
    private readonly Func<TimeSpan> _elapsed;
    private TimeSpan _lastDraw = TimeSpan.MinValue;
    private int _lastLength;

    /// <summary>A bar on <paramref name="error"/>, drawn only when <paramref name="isTerminal"/>; <paramref name="elapsed"/> reads wall time since the start.</summary>
    public LabProgress(TextWriter error, bool isTerminal, Func<TimeSpan> elapsed)
    {
        _error = error;
        _enabled = isTerminal;
        _elapsed = elapsed;
    }

    /// <summary>A bar on the process's stderr, timed by a stopwatch started now.</summary>
    public static LabProgress ForConsole()
    {
        long start = Stopwatch.GetTimestamp();
        return new LabProgress(Console.Error, !Console.IsErrorRedirected, () => Stopwatch.GetElapsedTime(start));
    }

    /// <summary>Whether the bar has been drawn (and so must be erased at the end).</summary>
    public bool Shown => _lastLength > 0;

    /// <summary>Reports virtual time <paramref name="nowMs"/> of <paramref name="durationMs"/>.</summary>
    public void Report(long nowMs, long durationMs)
    {
        if (!_enabled)
        {
            return;
        }
        TimeSpan elapsed = _elapsed();
        if (elapsed < ShowAfter || (_lastDraw != TimeSpan.MinValue && elapsed - _lastDraw < RedrawEvery))
        {
            return;
        }
        _lastDraw = elapsed;
        double fraction = durationMs <= 0 ? 1 : Math.Clamp(nowMs / (double)durationMs, 0, 1);
        int filled = (int)(fraction * BarWidth);
        string line = string.Create(CultureInfo.InvariantCulture, $"\r[{new string('#', filled)}{new string('.', BarWidth - filled)}] {fraction * 100,3:F0}%  {nowMs / 1000.0:F3} s of {durationMs / 1000.0:F3} s virtual time");
        _error.Write(line);
        _error.Flush();
        _lastLength = line.Length - 1;
    }

    /// <summary>Erases the bar if it was drawn, leaving the cursor at the start of an empty line.</summary>
    public void Finish()
    {
        if (_lastLength > 0)
        {
            _error.Write("\r" + new string(' ', _lastLength) + "\r");
            _error.Flush();
            _lastLength = 0;
        }
    }
}
