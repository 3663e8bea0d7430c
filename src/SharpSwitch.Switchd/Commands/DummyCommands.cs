// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.NetDev;
using SharpSwitch.Switchd.Unixctl;

namespace SharpSwitch.Switchd.Commands;

/// <summary>
/// The commands <c>--enable-dummy</c> adds, as OVS's dummy mode has them: control over dummy interfaces and over
/// time itself, so a test freezes the clock and warps it to run every timer deterministically.
/// </summary>
internal static class DummyCommands
{
    public static IEnumerable<UnixctlCommand> Create(SwitchDaemon daemon)
    {
        yield return new UnixctlCommand("netdev-dummy/set-admin-state", "[netdev] up|down", 1, 2, args => SetAdminState(daemon, args));
        yield return new UnixctlCommand("netdev-dummy/receive", "name [--qid queue_id] packet|flow [--len packet_len]", 2, int.MaxValue, args => Receive(daemon, args));
        yield return new UnixctlCommand("time/stop", "", 0, 0, _ =>
        {
            daemon.Clock.Stop();
            return UnixctlResult.Ok("");
        });
        yield return new UnixctlCommand("time/warp", "[large_msecs] msecs", 1, 2, args => Warp(daemon, args));
    }

    private static UnixctlResult SetAdminState(SwitchDaemon daemon, IReadOnlyList<string> args)
    {
        string state = args[^1];
        if (state is not ("up" or "down"))
        {
            return UnixctlResult.Error("Invalid Admin State");
        }
        bool up = state == "up";
        if (args.Count == 2)
        {
            if (!daemon.Netdevs.TryGet(args[0], out INetDev device) || device is not DummyNetDev dummy)
            {
                return UnixctlResult.Error("Unknown Dummy Interface");
            }
            dummy.SetAdminState(up);
        }
        else
        {
            foreach (INetDev device in daemon.Netdevs.Devices)
            {
                if (device is DummyNetDev dummy)
                {
                    dummy.SetAdminState(up);
                }
            }
        }
        daemon.RunDatapath();
        return UnixctlResult.Ok("OK");
    }

    private static UnixctlResult Receive(SwitchDaemon daemon, IReadOnlyList<string> args)
    {
        if (!daemon.Netdevs.TryGet(args[0], out INetDev device) || device is not DummyNetDev dummy)
        {
            return UnixctlResult.Error("no such dummy netdev");
        }
        for (int i = 1; i < args.Count; i++)
        {
            string packet = args[i];
            if (packet is "--qid" or "--len")
            {
                i++;
                continue;
            }
            if (!TryParseHex(packet, out byte[] frame))
            {
                return UnixctlResult.Error($"bad packet or flow syntax: {packet}");
            }
            dummy.InjectReceive(frame);
        }
        daemon.RunDatapath();
        return UnixctlResult.Ok("");
    }

    private static bool TryParseHex(string text, out byte[] frame)
    {
        frame = [];
        if (text.Length == 0 || text.Length % 2 != 0)
        {
            return false;
        }
        try
        {
            frame = Convert.FromHexString(text);
            return frame.Length >= 14;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// <c>time/warp MSECS</c> moves time forward at once; <c>time/warp TOTAL STEP</c> moves it in steps, running the
    /// datapath after each step so that timers fire at the times they would have in real time.
    /// </summary>
    private static UnixctlResult Warp(SwitchDaemon daemon, IReadOnlyList<string> args)
    {
        if (!daemon.Clock.IsStopped)
        {
            return UnixctlResult.Error("A previous time/stop command is required");
        }
        if (!long.TryParse(args[^1], NumberStyles.None, CultureInfo.InvariantCulture, out long step) || step <= 0)
        {
            return UnixctlResult.Error("invalid msecs");
        }
        long total = step;
        if (args.Count == 2 && (!long.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out total) || total < 0))
        {
            return UnixctlResult.Error("invalid large_msecs");
        }
        for (long warped = 0; warped < total; warped += step)
        {
            daemon.Clock.Warp(Math.Min(step, total - warped));
            daemon.RunDatapath();
        }
        return UnixctlResult.Ok("warped");
    }
}
