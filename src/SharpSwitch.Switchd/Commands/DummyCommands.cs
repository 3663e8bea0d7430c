// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.NetDev;
using SharpSwitch.Switchd.Flows;
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
        yield return new UnixctlCommand("netdev-dummy/conn-state", "[netdev]", 0, 1, args => ConnState(daemon, args));
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

    /// <summary>
    /// <c>netdev-dummy/conn-state [NAME]</c>: "connected" or "disconnected" for dummies with <c>options:stream</c>,
    /// "unknown" for a named device without one (listeners included); without a name only the known states are listed.
    /// </summary>
    private static UnixctlResult ConnState(SwitchDaemon daemon, IReadOnlyList<string> args)
    {
        static string Describe(bool? state) => state switch
        {
            true => "connected",
            false => "disconnected",
            null => "unknown",
        };
        if (args.Count == 1)
        {
            return UnixctlResult.Ok($"{args[0]}: {Describe(daemon.Netdevs.ConnectionState(args[0]))}\n");
        }
        var text = new System.Text.StringBuilder();
        foreach (INetDev device in daemon.Netdevs.Devices)
        {
            if (daemon.Netdevs.ConnectionState(device.Name) is bool state)
            {
                text.Append(device.Name).Append(": ").Append(Describe(state)).Append('\n');
            }
        }
        return UnixctlResult.Ok(text.ToString());
    }

    /// <summary>
    /// <c>netdev-dummy/receive NAME [--qid N] PACKET|FLOW [--len N]...</c>: each argument is a frame in hex or a
    /// datapath flow key; frames before a bad argument are still received, as in OVS, and the bad one gets OVS's error.
    /// </summary>
    private static UnixctlResult Receive(SwitchDaemon daemon, IReadOnlyList<string> args)
    {
        if (!daemon.Netdevs.TryGet(args[0], out INetDev device) || device is not DummyNetDev dummy)
        {
            return UnixctlResult.Error("no such dummy netdev");
        }
        int i = 1;
        if (args.Count > 2 && args[1] == "--qid")
        {
            // A dummy interface has a single receive queue, so only queue 0 exists.
            if (ParseCLong(args[2]) != 0)
            {
                return UnixctlResult.Error("bad rx queue id.");
            }
            i = 3;
        }
        string? error = null;
        for (; i < args.Count; i++)
        {
            if (TryParseHex(args[i], out byte[] frame))
            {
                dummy.InjectReceive(frame);
                continue;
            }
            int? length = null;
            string flowText = args[i];
            if (i + 1 < args.Count && args[i + 1] == "--len")
            {
                long wanted = i + 2 < args.Count ? ParseCLong(args[i + 2]) : 0;
                if (wanted < OdpFlowComposer.MinimumLength)
                {
                    error = "too small packet len";
                    break;
                }
                length = (int)Math.Min(wanted, OdpFlowComposer.MaximumLength + 1L);
                i += 2;
            }
            try
            {
                OdpFlow flow = OdpFlowParser.Parse(flowText);
                if (length > OdpFlowComposer.MaximumLength)
                {
                    // OVS builds such a frame and then cannot send it anywhere; counting it as an error says the same.
                    dummy.Counters.CountRxError();
                    continue;
                }
                byte[]? composed = OdpFlowComposer.Compose(flow, length, out string? composeError);
                if (composeError is not null)
                {
                    error = composeError;
                    break;
                }
                if (composed is not null)
                {
                    dummy.InjectReceive(composed);
                }
            }
            catch (OdpFlowParseException ex)
            {
                error = ex.Message;
                break;
            }
        }
        daemon.RunDatapath();
        return error is null ? UnixctlResult.Ok("") : UnixctlResult.Error(error);
    }

    /// <summary>Reads a number as C's strtol(s, NULL, 10) does: leading blanks, a sign, digits, anything after ignored.</summary>
    private static long ParseCLong(string text)
    {
        int i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
        bool negative = false;
        if (i < text.Length && text[i] is '+' or '-')
        {
            negative = text[i] == '-';
            i++;
        }
        long value = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            value = Math.Min(value * 10 + (text[i] - '0'), int.MaxValue * 100L);
            i++;
        }
        return negative ? -value : value;
    }

    /// <summary>
    /// Reads a frame in hex as OVS does: pairs of hex digits, with blanks (space, tab, CR, LF) allowed between
    /// bytes; the whole text must be consumed and hold at least an Ethernet header.
    /// </summary>
    private static bool TryParseHex(string text, out byte[] frame)
    {
        frame = [];
        var bytes = new List<byte>(text.Length / 2);
        int i = 0;
        while (true)
        {
            while (i < text.Length && text[i] is ' ' or '\t' or '\r' or '\n')
            {
                i++;
            }
            if (i + 1 >= text.Length || !char.IsAsciiHexDigit(text[i]) || !char.IsAsciiHexDigit(text[i + 1]))
            {
                break;
            }
            bytes.Add((byte)((HexValue(text[i]) << 4) | HexValue(text[i + 1])));
            i += 2;
        }
        if (i != text.Length || bytes.Count < EthernetHeaderLength)
        {
            return false;
        }
        frame = [.. bytes];
        return true;
    }

    private const int EthernetHeaderLength = 14;

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>
    /// <c>time/warp MSECS</c> moves time forward at once; <c>time/warp TOTAL STEP</c> moves it in steps, running the
    /// datapath after each step so that timers fire at the times they would have in real time.
    /// </summary>
    private static UnixctlResult Warp(SwitchDaemon daemon, IReadOnlyList<string> args)
    {
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
