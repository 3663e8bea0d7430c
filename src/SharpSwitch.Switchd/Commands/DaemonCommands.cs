// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Datapath;
using SharpSwitch.Switchd.Unixctl;

namespace SharpSwitch.Switchd.Commands;

/// <summary>The commands every daemon has beside <c>list-commands</c> and <c>version</c>: exit, logging, memory.</summary>
internal static class DaemonCommands
{
    public static IEnumerable<UnixctlCommand> Create(SwitchDaemon daemon)
    {
        // OVS accepts any argument to exit (even --bogus) and simply exits; so does SharpSwitch.
        yield return new UnixctlCommand("exit", "[--cleanup]", 0, 1, _ => UnixctlResult.Ok("") with { AfterReply = daemon.RequestExit });
        yield return new UnixctlCommand("vlog/list", "", 0, 0, _ => UnixctlResult.Ok(daemon.Log.RenderList()));
        yield return new UnixctlCommand("vlog/set", "{spec | PATTERN:destination:pattern}", 0, int.MaxValue, args =>
        {
            foreach (string spec in args)
            {
                if (daemon.Log.Set(spec) is string error)
                {
                    return UnixctlResult.Error(error);
                }
            }
            return UnixctlResult.Ok("");
        });
        yield return new UnixctlCommand("vlog/reopen", "", 0, 0, _ => daemon.Log.Reopen() is string error ? UnixctlResult.Error(error) : UnixctlResult.Ok(""));
        yield return new UnixctlCommand("memory/show", "", 0, 0, _ => UnixctlResult.Ok(MemoryShow(daemon)));
    }

    private static string MemoryShow(SwitchDaemon daemon)
    {
        int ports = 0;
        int macs = 0;
        foreach (Bridge bridge in daemon.Datapath.Bridges)
        {
            macs += bridge.LearnedMacCount;
            foreach (BridgePort port in bridge.Ports)
            {
                ports += port.Interfaces.Count;
            }
        }
        long managedBytes = GC.GetTotalMemory(forceFullCollection: false);
        long residentKilobytes = Environment.WorkingSet / 1024;
        return string.Create(CultureInfo.InvariantCulture, $"bridges:{daemon.Datapath.Bridges.Count} mac-entries:{macs} ports:{ports} managed-heap-kB:{managedBytes / 1024} resident-kB:{residentKilobytes}");
    }
}
