// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using SharpSwitch.Datapath;
using SharpSwitch.NetDev;
using SharpSwitch.Switchd.Unixctl;

namespace SharpSwitch.Switchd.Commands;

/// <summary>The <c>fdb/*</c> and <c>dpif/show</c> commands.</summary>
internal static class BridgeCommands
{
    public static IEnumerable<UnixctlCommand> Create(SwitchDaemon daemon)
    {
        yield return new UnixctlCommand("fdb/show", "bridge", 1, 1, args => OnBridge(daemon, args[0], bridge => bridge.FormatFdbShow(daemon.Clock.NowMs)));
        yield return new UnixctlCommand("fdb/stats-show", "bridge", 1, 1, args => OnBridge(daemon, args[0], bridge => bridge.FormatFdbStatsShow()));
        yield return new UnixctlCommand("fdb/flush", "[bridge]", 0, 1, args =>
        {
            if (args.Count == 0)
            {
                foreach (Bridge bridge in daemon.Datapath.Bridges)
                {
                    bridge.FlushFdb();
                }
                return UnixctlResult.Ok("table successfully flushed");
            }
            return OnBridge(daemon, args[0], bridge =>
            {
                bridge.FlushFdb();
                return "table successfully flushed";
            });
        });
        yield return new UnixctlCommand("dpif/show", "", 0, 0, _ => UnixctlResult.Ok(DpifShow(daemon)));
    }

    private static UnixctlResult OnBridge(SwitchDaemon daemon, string name, Func<Bridge, string> action)
    {
        return daemon.Datapath.TryGetBridge(name, out Bridge bridge) ? UnixctlResult.Ok(action(bridge)) : UnixctlResult.Error("no such bridge");
    }

    /// <summary>OVS's <c>dpif/show</c> layout: the datapath line, then bridges and their interfaces sorted by name.</summary>
    private static string DpifShow(SwitchDaemon daemon)
    {
        long processed = 0;
        foreach (Bridge bridge in daemon.Datapath.Bridges)
        {
            processed += bridge.Statistics.Processed;
        }
        // SharpSwitch has no flow cache: every packet is handled by the bridge directly, which OVS would count as a hit.
        var text = new StringBuilder($"netdev@{daemon.Datapath.Name}: hit:{processed} missed:0\n");
        foreach (Bridge bridge in daemon.Datapath.Bridges.OrderBy(b => b.Name, StringComparer.Ordinal))
        {
            text.Append("  ").Append(bridge.Name).Append(":\n");
            var lines = new List<(string Name, string Line)>();
            foreach (BridgePort port in bridge.Ports)
            {
                foreach (PortInterface portInterface in port.Interfaces)
                {
                    string ofPort = portInterface.OfPort == 65534 ? "65534" : portInterface.OfPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    string type = portInterface.Device is DummyNetDev dummy && dummy.Type == "dummy" ? "dummy" : "tap";
                    lines.Add((portInterface.Name, $"    {portInterface.Name} {ofPort}/{portInterface.DatapathPort}: ({type})\n"));
                }
            }
            foreach ((string _, string line) in lines.OrderBy(l => l.Name, StringComparer.Ordinal))
            {
                text.Append(line);
            }
        }
        return text.ToString();
    }
}
