// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Bonding;
using SharpSwitch.Datapath;
using SharpSwitch.Packets;
using SharpSwitch.Switchd.Unixctl;

namespace SharpSwitch.Switchd.Commands;

/// <summary>The <c>bond/*</c> commands, with OVS 3.1's names, hidden <c>-slave</c> aliases, replies and errors.</summary>
internal static class BondCommands
{
    public static IEnumerable<UnixctlCommand> Create(SwitchDaemon daemon)
    {
        yield return new UnixctlCommand("bond/list", "", 0, 0, _ => UnixctlResult.Ok(BondText.RenderList(AllBonds(daemon))));
        yield return new UnixctlCommand("bond/show", "[port]", 0, 1, args =>
        {
            if (args.Count == 0)
            {
                return UnixctlResult.Ok(BondText.RenderShow(AllBonds(daemon), daemon.Clock.NowMs));
            }
            return FindBond(daemon, args[0]) is Bond bond ? UnixctlResult.Ok(BondText.RenderShow(bond, daemon.Clock.NowMs)) : UnixctlResult.Error("no such bond");
        });
        foreach ((string name, string? usage) in new[] { ("bond/set-active-member", "port member"), ("bond/set-active-slave", (string?)null) })
        {
            yield return new UnixctlCommand(name, usage, 2, 2, args => OnBond(daemon, args, (bond, now) => bond.SetActiveMember(args[1], now)));
        }
        foreach ((string name, string? usage) in new[] { ("bond/enable-member", "port member"), ("bond/enable-slave", (string?)null) })
        {
            yield return new UnixctlCommand(name, usage, 2, 2, args => OnBond(daemon, args, (bond, now) => bond.EnableMember(args[1], now)));
        }
        foreach ((string name, string? usage) in new[] { ("bond/disable-member", "port member"), ("bond/disable-slave", (string?)null) })
        {
            yield return new UnixctlCommand(name, usage, 2, 2, args => OnBond(daemon, args, (bond, now) => bond.DisableMember(args[1], now)));
        }
        yield return new UnixctlCommand("bond/migrate", "port hash member", 3, 3, args => OnBond(daemon, args, (bond, now) => bond.Migrate(args[1], args[2], now)));
        yield return new UnixctlCommand("bond/hash", "mac [vlan] [basis]", 1, 3, Hash);
        yield return new UnixctlCommand("bond/events", "[port]", 0, 1, args => UnixctlResult.Ok(Events(daemon, args)));
    }

    /// <summary>Every bond of every bridge, in bridge then port order.</summary>
    internal static IEnumerable<Bond> AllBonds(SwitchDaemon daemon)
    {
        foreach (Bridge bridge in daemon.Datapath.Bridges)
        {
            foreach (BridgePort port in bridge.Ports)
            {
                if (port.Bond is Bond bond)
                {
                    yield return bond;
                }
            }
        }
    }

    internal static Bond? FindBond(SwitchDaemon daemon, string name) => AllBonds(daemon).FirstOrDefault(b => b.Name == name);

    private static UnixctlResult OnBond(SwitchDaemon daemon, IReadOnlyList<string> args, Func<Bond, long, string> action)
    {
        if (FindBond(daemon, args[0]) is not Bond bond)
        {
            return UnixctlResult.Error("no such bond");
        }
        try
        {
            string reply = action(bond, daemon.Clock.NowMs);
            // The change takes effect (and learning packets go out) on this loop iteration, as in OVS.
            daemon.RunDatapath();
            return UnixctlResult.Ok(reply);
        }
        catch (BondCommandException ex)
        {
            return UnixctlResult.Error(ex.Message);
        }
    }

    private static UnixctlResult Hash(IReadOnlyList<string> args)
    {
        if (!MacAddress.TryParse(args[0], out MacAddress mac))
        {
            return UnixctlResult.Error("invalid mac");
        }
        int vlan = 0;
        if (args.Count > 1 && !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out vlan))
        {
            return UnixctlResult.Error("invalid vlan");
        }
        uint basis = 0;
        if (args.Count > 2 && !uint.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out basis))
        {
            return UnixctlResult.Error("invalid basis");
        }
        return UnixctlResult.Ok(BondHash.SlbBucket(mac, vlan, basis).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>SharpSwitch's addition: the unthrottled bond event history with reasons, which OVS's rate-limited log loses.</summary>
    private static string Events(SwitchDaemon daemon, IReadOnlyList<string> args)
    {
        var text = new System.Text.StringBuilder();
        foreach (BondEvent e in daemon.BondEvents.Recent)
        {
            if (args.Count == 1 && e.Bond != args[0])
            {
                continue;
            }
            text.Append(CultureInfo.InvariantCulture, $"{e.TimeMs,10} ms  {e.Message}  ({e.Reason})\n");
        }
        return text.ToString();
    }
}
