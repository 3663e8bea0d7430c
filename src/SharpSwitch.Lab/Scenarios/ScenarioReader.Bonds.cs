// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios.Yaml;

namespace SharpSwitch.Lab.Scenarios;

public static partial class ScenarioReader
{
    private static BondSpec? ReadBond(string name, YamlTreeNode node, SourcePosition namePosition, ScenarioDiagnostics d)
    {
        string what = $"bond '{name}'";
        MappingFields? fields = d.Fields(node, what, "interfaces", "bond_mode", "lacp", "bond_updelay", "bond_downdelay", "other_config", "tag", "trunks", "vlan_mode");
        if (fields is null)
        {
            return null;
        }
        var interfaces = new List<BondInterfaceSpec>();
        if (fields.Required("interfaces") is { } interfacesNode)
        {
            ReadBondInterfaces(interfacesNode, what, interfaces, d);
            if (interfaces.Count == 1)
            {
                d.Report(interfacesNode.Position, $"{what} has one interface; OVS makes a port with one interface a plain port, so declare it under 'ports:' or add a second interface");
            }
            else if (interfaces.Count == 0 && !d.HasErrors)
            {
                d.Report(interfacesNode.Position, $"{what} needs at least two interfaces");
            }
        }
        string? mode = null;
        if (fields.Optional("bond_mode") is { } modeNode && d.String(modeNode, $"{what} bond_mode") is { } modeText)
        {
            if (modeText is "active-backup" or "balance-slb" or "balance-tcp")
            {
                mode = modeText;
            }
            else
            {
                d.Report(modeNode.Position, $"{what} bond_mode '{ScenarioValues.Shorten(modeText)}' is not one of the allowed values (active-backup, balance-slb, balance-tcp)");
            }
        }
        string? lacp = null;
        if (fields.Optional("lacp") is { } lacpNode && d.String(lacpNode, $"{what} lacp") is { } lacpText)
        {
            if (lacpText is "active" or "passive" or "off")
            {
                lacp = lacpText;
            }
            else
            {
                d.Report(lacpNode.Position, $"{what} lacp '{ScenarioValues.Shorten(lacpText)}' is not one of the allowed values (active, passive, off)");
            }
        }
        long updelay = fields.Optional("bond_updelay") is { } upNode ? d.Integer(upNode, $"{what} bond_updelay (ms)", 0, int.MaxValue) ?? 0 : 0;
        long downdelay = fields.Optional("bond_downdelay") is { } downNode ? d.Integer(downNode, $"{what} bond_downdelay (ms)", 0, int.MaxValue) ?? 0 : 0;
        IReadOnlyDictionary<string, string> otherConfig = fields.Optional("other_config") is { } configNode
            ? ReadOtherConfig(configNode, $"{what} other_config", BondKeys.PortOtherConfigKeys, d)
            : new Dictionary<string, string>();
        (int? tag, IReadOnlyList<int> trunks, VlanMode vlanMode) = ReadVlanSettings(fields, what, d);
        return new BondSpec(name, interfaces, mode, lacp, updelay, downdelay, otherConfig, tag, trunks, vlanMode, namePosition);
    }

    private static void ReadBondInterfaces(YamlTreeNode node, string what, List<BondInterfaceSpec> interfaces, ScenarioDiagnostics d)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string? memberName, IReadOnlyDictionary<string, string> config, SourcePosition position)
        {
            if (memberName is null)
            {
                return;
            }
            if (!seen.Add(memberName))
            {
                d.Report(position, $"{what} lists interface '{memberName}' twice");
                return;
            }
            interfaces.Add(new BondInterfaceSpec(memberName, config, position));
        }

        switch (node)
        {
            case YamlTreeSequence sequence:
                // The short form: interfaces: [eno1, eno2].
                foreach (YamlTreeNode item in sequence.Items)
                {
                    Add(d.Name(item, $"{what} interface name"), new Dictionary<string, string>(), item.Position);
                }
                break;
            case YamlTreeMapping mapping:
                // The long form, for per-interface settings: interfaces: { eno1: { other_config: {...} }, eno2: {} }.
                foreach (KeyValuePair<YamlTreeScalar, YamlTreeNode> entry in mapping.Entries)
                {
                    string? memberName = d.Name(entry.Key, $"{what} interface name");
                    IReadOnlyDictionary<string, string> config = new Dictionary<string, string>();
                    if (entry.Value is not YamlTreeScalar { IsNull: true })
                    {
                        MappingFields? memberFields = d.Fields(entry.Value, $"interface '{entry.Key.Text}'", "other_config");
                        if (memberFields?.Optional("other_config") is { } configNode)
                        {
                            config = ReadOtherConfig(configNode, $"interface '{entry.Key.Text}' other_config", BondKeys.InterfaceOtherConfigKeys, d);
                        }
                    }
                    Add(memberName, config, entry.Key.Position);
                }
                break;
            default:
                d.Report(node.Position, $"{what} interfaces must be a list of names ([eno1, eno2]) or a mapping of names to interface settings, not {node.ShapeName}");
                break;
        }
    }

    private static Dictionary<string, string> ReadOtherConfig(YamlTreeNode node, string what, IReadOnlyCollection<string> knownKeys, ScenarioDiagnostics d)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (d.StringMap(node, what) is not { } map)
        {
            return result;
        }
        foreach (KeyValuePair<string, (string Value, SourcePosition Position)> entry in map)
        {
            if (!knownKeys.Contains(entry.Key))
            {
                // OVS ignores unknown other_config keys without a word (bonding-spec §A.1); in an experiment that
                // silence hides typos such as "bond_primary", so the lab refuses them.
                d.Report(entry.Value.Position, $"{what}: unknown key '{ScenarioValues.Shorten(entry.Key)}' (OVS would silently ignore it; known keys: {string.Join(", ", knownKeys)})");
                continue;
            }
            result[entry.Key] = entry.Value.Value;
        }
        return result;
    }
}
