// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Lab.Scenarios;

namespace SharpSwitch.Lab.Simulation;

/// <summary>
/// A switch node's bridges, ports and bonds as one <c>ovs-vsctl</c> command line (commands joined by <c>--</c>): the
/// same rows the in-process lab writes through <see cref="InProcess.LabConfigWriter"/>. The backends that configure
/// a real daemon (real OVS over dummies, SharpSwitch on veths) share it, so the three ways of building a topology
/// cannot drift apart; each backend adds only what differs, the bridge's datapath and each interface's type.
/// </summary>
internal static class VsctlScript
{
    /// <summary>
    /// Builds the arguments: <paramref name="options"/> first, then the commands. <paramref name="bridgeColumns"/> are
    /// extra <c>Bridge</c> columns (<c>datapath_type=netdev</c>, say); <paramref name="interfaceColumns"/> gives the
    /// extra <c>Interface</c> columns of a port's or member's interface (its name, and whether it is internal), and an
    /// interface with neither those nor <c>other_config</c> gets no <c>set interface</c> command.
    /// </summary>
    public static string[] Build(
        SwitchSpec spec,
        IEnumerable<string> options,
        IReadOnlyList<string> bridgeColumns,
        Func<string, bool, IReadOnlyList<string>> interfaceColumns)
    {
        var args = new List<string>(options);
        void Command(IEnumerable<string> words)
        {
            args.Add("--");
            args.AddRange(words);
        }

        foreach (BridgeSpec bridge in spec.Bridges)
        {
            Command(["add-br", bridge.Name]);
            Command(["set", "bridge", bridge.Name, .. bridgeColumns,
                "other_config:hwaddr=\"" + LabTopology.DeriveMac(spec.Name + "/" + bridge.Name) + "\""]);
            foreach (PortSpec port in bridge.Ports)
            {
                Command(["add-port", bridge.Name, port.Name]);
                IReadOnlyList<string> columns = interfaceColumns(port.Name, port.Internal);
                if (columns.Count > 0)
                {
                    Command(["set", "interface", port.Name, .. columns]);
                }
                AddVlan(port.Name, port.Tag, port.Trunks, port.VlanMode, Command);
            }
            foreach (BondSpec bond in bridge.Bonds)
            {
                Command(["add-bond", bridge.Name, bond.Name, .. bond.Interfaces.Select(m => m.Name)]);
                var columns = new List<string> { "set", "port", bond.Name };
                if (bond.BondMode is not null)
                {
                    columns.Add("bond_mode=" + bond.BondMode);
                }
                if (bond.Lacp is not null)
                {
                    columns.Add("lacp=" + bond.Lacp);
                }
                columns.Add(string.Create(CultureInfo.InvariantCulture, $"bond_updelay={bond.UpdelayMs}"));
                columns.Add(string.Create(CultureInfo.InvariantCulture, $"bond_downdelay={bond.DowndelayMs}"));
                columns.AddRange(OtherConfig(bond.OtherConfig));
                Command(columns);
                AddVlan(bond.Name, bond.Tag, bond.Trunks, bond.VlanMode, Command);
                foreach (BondInterfaceSpec member in bond.Interfaces)
                {
                    string[] memberColumns = [.. interfaceColumns(member.Name, false), .. OtherConfig(member.OtherConfig)];
                    if (memberColumns.Length > 0)
                    {
                        Command(["set", "interface", member.Name, .. memberColumns]);
                    }
                }
            }
        }
        return [.. args];
    }

    /// <summary>The <c>vlan_mode</c> value OVS spells for a mode, or null for the default (no value written).</summary>
    public static string? VlanModeName(VlanMode mode) => mode switch
    {
        VlanMode.Default => null,
        VlanMode.Access => "access",
        VlanMode.Trunk => "trunk",
        VlanMode.NativeTagged => "native-tagged",
        VlanMode.NativeUntagged => "native-untagged",
        _ => throw new InvalidOperationException("unknown VLAN mode"),
    };

    private static IEnumerable<string> OtherConfig(IReadOnlyDictionary<string, string> pairs) =>
        pairs.Select(kv => $"other_config:{kv.Key}=\"{kv.Value}\"");

    private static void AddVlan(string port, int? tag, IReadOnlyList<int> trunks, VlanMode mode, Action<IEnumerable<string>> command)
    {
        var columns = new List<string> { "set", "port", port };
        if (tag is int value)
        {
            columns.Add(string.Create(CultureInfo.InvariantCulture, $"tag={value}"));
        }
        if (trunks.Count > 0)
        {
            columns.Add("trunks=" + string.Join(',', trunks.Select(t => t.ToString(CultureInfo.InvariantCulture))));
        }
        if (VlanModeName(mode) is string name)
        {
            columns.Add("vlan_mode=" + name);
        }
        if (columns.Count > 3)
        {
            command(columns);
        }
    }
}
