// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>
/// ovs-vsctl reports some non-fatal problems as log lines on standard error
/// (<c>2026-11-26T01:27:18Z|00002|db_ctl_base|WARN|...</c>); they are collected and printed in that format.
/// </summary>
internal static class VsctlLog
{
    /// <summary>ovs-vsctl has already logged one message (at a level the console does not show) when these appear.</summary>
    private const int FirstSequenceNumber = 2;

    public static void Warn(VsctlContext context, string module, string message)
    {
        Warn(context.Run, module, message);
    }

    public static void Warn(VsctlRun run, string module, string message)
    {
        run.Warnings.Add(Format(FirstSequenceNumber + run.Warnings.Count, module, message));
    }

    public static string Format(int sequence, string module, string message)
    {
        string time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return $"{time}|{sequence:D5}|{module}|WARN|{message}\n";
    }
}
