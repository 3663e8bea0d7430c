// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Datapath;
using SharpSwitch.Switchd.Unixctl;

namespace SharpSwitch.Switchd.Commands;

/// <summary>
/// The <c>lacp/*</c> commands with OVS 3.1's names, replies and errors (bonding-spec.md §E.4, §E.5). There is no
/// <c>lacp/stats-show</c>, although the 3.1 man page documents that name.
/// </summary>
internal static class LacpCommands
{
    public static IEnumerable<UnixctlCommand> Create(SwitchDaemon daemon)
    {
        yield return new UnixctlCommand("lacp/show", "[port]", 0, 1, args => Render(daemon, args, LacpText.RenderShow));
        yield return new UnixctlCommand("lacp/show-stats", "[port]", 0, 1, args => Render(daemon, args, LacpText.RenderShowStats));
    }

    /// <summary>Every LACP object of every bridge, in bridge then port order.</summary>
    internal static IEnumerable<Lacp> AllLacps(SwitchDaemon daemon)
    {
        foreach (Bridge bridge in daemon.Datapath.Bridges)
        {
            foreach (Lacp lacp in bridge.LacpObjects)
            {
                yield return lacp;
            }
        }
    }

    private static UnixctlResult Render(SwitchDaemon daemon, IReadOnlyList<string> args, Func<IEnumerable<Lacp>, string> render)
    {
        if (args.Count == 0)
        {
            return UnixctlResult.Ok(render(AllLacps(daemon)));
        }
        Lacp? lacp = AllLacps(daemon).FirstOrDefault(l => l.Name == args[0]);
        return lacp is null ? UnixctlResult.Error(LacpText.NoSuchLacpObject) : UnixctlResult.Ok(render([lacp]));
    }
}
