// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Cli.Vsctl;

/// <summary>
/// One ovs-vsctl command as data: its name, how many arguments it takes, which per-command options it accepts
/// (an option ending in <c>=</c> takes a value), and the handler that runs it.
/// </summary>
internal sealed record VsctlCommandSpec(string Name, int MinArgs, int MaxArgs, IReadOnlyList<string> Options, Action<VsctlContext> Handler)
{
    public bool Accepts(string option) => Options.Contains(option) || Options.Contains(option + "=");
}

/// <summary>One command as written on the command line, after splitting at <c>--</c>.</summary>
internal sealed record VsctlInvocation(VsctlCommandSpec Spec, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string?> Options);

/// <summary>The table of every command ovs-vsctl accepts here.</summary>
internal static class VsctlCommands
{
    private const int Unlimited = int.MaxValue;

    public static readonly IReadOnlyDictionary<string, VsctlCommandSpec> All = new VsctlCommandSpec[]
    {
        new("init", 0, 0, [], _ => { }),
        new("show", 0, 0, [], ShowCommand.Run),
        new("add-br", 1, 3, ["--may-exist"], BridgeCommands.AddBridge),
        new("del-br", 1, 1, ["--if-exists"], BridgeCommands.DeleteBridge),
        new("list-br", 0, 0, ["--real", "--fake"], BridgeCommands.ListBridges),
        new("br-exists", 1, 1, [], BridgeCommands.BridgeExists),
        new("br-to-vlan", 1, 1, [], BridgeCommands.BridgeToVlan),
        new("br-to-parent", 1, 1, [], BridgeCommands.BridgeToParent),
        new("list-ports", 1, 1, [], BridgeCommands.ListPorts),
        new("add-port", 2, Unlimited, ["--may-exist"], BridgeCommands.AddPort),
        new("add-bond", 4, Unlimited, ["--may-exist", "--fake-iface"], BridgeCommands.AddBond),
        new("add-bond-iface", 2, 2, ["--may-exist"], BridgeCommands.AddBondInterface),
        new("del-bond-iface", 1, 2, ["--if-exists"], BridgeCommands.DeleteBondInterface),
        new("del-port", 1, 2, ["--if-exists", "--with-iface"], BridgeCommands.DeletePort),
        new("port-to-br", 1, 1, [], BridgeCommands.PortToBridge),
        new("list-ifaces", 1, 1, [], BridgeCommands.ListInterfaces),
        new("iface-to-br", 1, 1, [], BridgeCommands.InterfaceToBridge),
        new("get-fail-mode", 1, 1, [], ControllerCommands.GetFailMode),
        new("set-fail-mode", 2, 2, [], ControllerCommands.SetFailMode),
        new("del-fail-mode", 1, 1, [], ControllerCommands.DeleteFailMode),
        new("get-controller", 1, 1, [], ControllerCommands.GetController),
        new("set-controller", 1, Unlimited, [], ControllerCommands.SetController),
        new("del-controller", 1, 1, [], ControllerCommands.DeleteController),
        new("get-manager", 0, 0, [], ControllerCommands.GetManager),
        new("set-manager", 0, Unlimited, [], ControllerCommands.SetManager),
        new("del-manager", 0, 0, [], ControllerCommands.DeleteManager),
        new("br-set-external-id", 2, 3, [], ControllerCommands.SetExternalId),
        new("br-get-external-id", 1, 2, [], ControllerCommands.GetExternalId),
        new("get", 2, Unlimited, ["--if-exists", "--id="], DatabaseCommands.Get),
        new("list", 1, Unlimited, ["--if-exists", "--columns="], DatabaseCommands.List),
        new("find", 1, Unlimited, ["--columns="], DatabaseCommands.Find),
        new("set", 3, Unlimited, ["--if-exists"], DatabaseCommands.Set),
        new("add", 4, Unlimited, ["--if-exists"], DatabaseCommands.Add),
        new("remove", 4, Unlimited, ["--if-exists"], DatabaseCommands.Remove),
        new("clear", 3, Unlimited, ["--if-exists"], DatabaseCommands.Clear),
        new("create", 2, Unlimited, ["--id="], DatabaseCommands.Create),
        new("destroy", 1, Unlimited, ["--if-exists", "--all"], DatabaseCommands.Destroy),
        new("wait-until", 2, Unlimited, [], DatabaseCommands.WaitUntil),
    }.ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>Every per-command option name, so that options before the first command can be recognised.</summary>
    public static readonly IReadOnlySet<string> CommandOptions = All.Values.SelectMany(c => c.Options).Select(o => o.TrimEnd('=')).ToHashSet(StringComparer.Ordinal);
}
