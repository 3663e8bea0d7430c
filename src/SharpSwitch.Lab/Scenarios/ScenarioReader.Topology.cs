// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios.Yaml;
using SharpSwitch.Packets;

namespace SharpSwitch.Lab.Scenarios;

public static partial class ScenarioReader
{
    private static ScenarioTopology? ReadTopology(YamlTreeNode node, ScenarioDiagnostics d)
    {
        MappingFields? fields = d.Fields(node, "topology", "nodes", "links");
        if (fields is null)
        {
            return null;
        }
        var switches = new List<SwitchSpec>();
        var hosts = new List<HostSpec>();
        if (fields.Required("nodes") is { } nodesNode)
        {
            if (nodesNode is not YamlTreeMapping nodes)
            {
                d.Report(nodesNode.Position, $"nodes must be a mapping of node names to nodes, not {nodesNode.ShapeName}");
            }
            else
            {
                foreach (KeyValuePair<YamlTreeScalar, YamlTreeNode> entry in nodes.Entries)
                {
                    string? nodeName = d.Name(entry.Key, "node name");
                    if (nodeName is null)
                    {
                        continue;
                    }
                    ReadNode(nodeName, entry.Value, entry.Key.Position, switches, hosts, d);
                }
            }
        }
        var links = new List<LinkSpec>();
        if (fields.Optional("links") is { } linksNode && d.List(linksNode, "links") is { } linkItems)
        {
            foreach (YamlTreeNode item in linkItems)
            {
                if (ReadLink(item, d) is { } link)
                {
                    links.Add(link);
                }
            }
        }
        return new ScenarioTopology(switches, hosts, links);
    }

    private static void ReadNode(string name, YamlTreeNode node, SourcePosition namePosition, List<SwitchSpec> switches, List<HostSpec> hosts, ScenarioDiagnostics d)
    {
        string what = $"node '{name}'";
        if (node is not YamlTreeMapping mapping)
        {
            d.Report(node.Position, $"{what} must be a mapping with 'kind: switch' or 'kind: host', not {node.ShapeName}");
            return;
        }
        YamlTreeNode? kindNode = mapping.Entries.FirstOrDefault(e => e.Key.Text == "kind").Value;
        string? kind = kindNode is null ? null : d.String(kindNode, $"{what} kind");
        switch (kind)
        {
            case "switch":
                if (ReadSwitch(name, node, namePosition, d) is { } switchSpec)
                {
                    switches.Add(switchSpec);
                }
                break;
            case "host":
                if (ReadHost(name, node, namePosition, d) is { } hostSpec)
                {
                    hosts.Add(hostSpec);
                }
                break;
            case null when kindNode is null:
                d.Report(mapping.Position, $"{what} is missing 'kind:' (switch or host)");
                break;
            case null:
                break;
            default:
                d.Report(kindNode!.Position, $"{what} has unknown kind '{ScenarioValues.Shorten(kind)}' (expected switch or host)");
                break;
        }
    }

    private static SwitchSpec? ReadSwitch(string name, YamlTreeNode node, SourcePosition namePosition, ScenarioDiagnostics d)
    {
        string what = $"switch '{name}'";
        MappingFields? fields = d.Fields(node, what, "kind", "bridges");
        if (fields?.Required("bridges") is not { } bridgesNode)
        {
            return null;
        }
        if (bridgesNode is not YamlTreeMapping bridgesMapping || bridgesMapping.Entries.Count == 0)
        {
            d.Report(bridgesNode.Position, $"{what} bridges must be a mapping of bridge names to bridges, with at least one bridge");
            return null;
        }
        var bridges = new List<BridgeSpec>();
        foreach (KeyValuePair<YamlTreeScalar, YamlTreeNode> entry in bridgesMapping.Entries)
        {
            string? bridgeName = d.Name(entry.Key, "bridge name");
            if (bridgeName is not null && ReadBridge(bridgeName, entry.Value, entry.Key.Position, d) is { } bridge)
            {
                bridges.Add(bridge);
            }
        }
        return new SwitchSpec(name, bridges, namePosition);
    }

    private static BridgeSpec? ReadBridge(string name, YamlTreeNode node, SourcePosition namePosition, ScenarioDiagnostics d)
    {
        string what = $"bridge '{name}'";
        if (node is YamlTreeScalar { IsNull: true })
        {
            d.Report(node.Position, $"{what} has no ports; give it 'ports:' or 'bonds:'");
            return null;
        }
        MappingFields? fields = d.Fields(node, what, "ports", "bonds");
        if (fields is null)
        {
            return null;
        }
        var ports = new List<PortSpec>();
        if (fields.Optional("ports") is { } portsNode)
        {
            if (portsNode is not YamlTreeMapping portsMapping)
            {
                d.Report(portsNode.Position, $"{what} ports must be a mapping of port names to port settings, not {portsNode.ShapeName}");
            }
            else
            {
                foreach (KeyValuePair<YamlTreeScalar, YamlTreeNode> entry in portsMapping.Entries)
                {
                    string? portName = d.Name(entry.Key, "port name");
                    if (portName is not null && ReadPort(portName, entry.Value, entry.Key.Position, d) is { } port)
                    {
                        ports.Add(port);
                    }
                }
            }
        }
        var bonds = new List<BondSpec>();
        if (fields.Optional("bonds") is { } bondsNode)
        {
            if (bondsNode is not YamlTreeMapping bondsMapping)
            {
                d.Report(bondsNode.Position, $"{what} bonds must be a mapping of bond names to bond settings, not {bondsNode.ShapeName}");
            }
            else
            {
                foreach (KeyValuePair<YamlTreeScalar, YamlTreeNode> entry in bondsMapping.Entries)
                {
                    string? bondName = d.Name(entry.Key, "bond name");
                    if (bondName is not null && ReadBond(bondName, entry.Value, entry.Key.Position, d) is { } bond)
                    {
                        bonds.Add(bond);
                    }
                }
            }
        }
        if (fields.Optional("ports") is null && fields.Optional("bonds") is null)
        {
            d.Report(fields.Position, $"{what} has no ports; give it 'ports:' or 'bonds:'");
        }
        return new BridgeSpec(name, ports, bonds, namePosition);
    }

    private static PortSpec? ReadPort(string name, YamlTreeNode node, SourcePosition namePosition, ScenarioDiagnostics d)
    {
        string what = $"port '{name}'";
        if (node is YamlTreeScalar { IsNull: true })
        {
            return new PortSpec(name, false, null, [], VlanMode.Default, namePosition);
        }
        MappingFields? fields = d.Fields(node, what, "type", "tag", "trunks", "vlan_mode");
        if (fields is null)
        {
            return null;
        }
        bool isInternal = false;
        if (fields.Optional("type") is { } typeNode)
        {
            switch (d.String(typeNode, $"{what} type"))
            {
                case "internal":
                    isInternal = true;
                    break;
                case "system":
                    break;
                case { } other:
                    d.Report(typeNode.Position, $"{what} has unknown type '{ScenarioValues.Shorten(other)}' (the lab knows 'internal' and 'system')");
                    break;
            }
        }
        (int? tag, IReadOnlyList<int> trunks, VlanMode mode) = ReadVlanSettings(fields, what, d);
        return new PortSpec(name, isInternal, tag, trunks, mode, namePosition);
    }

    private static (int? Tag, IReadOnlyList<int> Trunks, VlanMode Mode) ReadVlanSettings(MappingFields fields, string what, ScenarioDiagnostics d)
    {
        int? tag = fields.Optional("tag") is { } tagNode ? (int?)d.Integer(tagNode, $"{what} tag", 0, 4095) : null;
        var trunks = new List<int>();
        if (fields.Optional("trunks") is { } trunksNode && d.List(trunksNode, $"{what} trunks") is { } items)
        {
            foreach (YamlTreeNode item in items)
            {
                if (d.Integer(item, $"{what} trunk VLAN", 0, 4095) is { } vlan)
                {
                    trunks.Add((int)vlan);
                }
            }
        }
        VlanMode mode = VlanMode.Default;
        if (fields.Optional("vlan_mode") is { } modeNode)
        {
            string? text = d.String(modeNode, $"{what} vlan_mode");
            mode = text switch
            {
                null => VlanMode.Default,
                "access" => VlanMode.Access,
                "trunk" => VlanMode.Trunk,
                "native-tagged" => VlanMode.NativeTagged,
                "native-untagged" => VlanMode.NativeUntagged,
                _ => ReportAndDefault(d, modeNode.Position, $"{what} vlan_mode '{ScenarioValues.Shorten(text)}' is not one of access, trunk, native-tagged, native-untagged"),
            };
        }
        return (tag, trunks, mode);
    }

    private static VlanMode ReportAndDefault(ScenarioDiagnostics d, SourcePosition position, string message)
    {
        d.Report(position, message);
        return VlanMode.Default;
    }

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

    private static HostSpec? ReadHost(string name, YamlTreeNode node, SourcePosition namePosition, ScenarioDiagnostics d)
    {
        string what = $"host '{name}'";
        MappingFields? fields = d.Fields(node, what, "kind", "mac", "ipv4", "interface", "attach");
        if (fields is null)
        {
            return null;
        }
        MacAddress? mac = null;
        if (fields.Required("mac") is { } macNode && d.String(macNode, $"{what} mac") is { } macText)
        {
            if (!MacAddress.TryParse(macText, out MacAddress parsed))
            {
                d.Report(macNode.Position, $"{what} mac '{ScenarioValues.Shorten(macText)}' is not an Ethernet address (example: 02:00:00:00:00:01)");
            }
            else if (parsed.IsMulticast || parsed.IsZero)
            {
                d.Report(macNode.Position, $"{what} mac {parsed} is not a unicast address");
            }
            else
            {
                mac = parsed;
            }
        }
        uint? address = null;
        int prefixLength = 0;
        if (fields.Required("ipv4") is { } ipNode && d.String(ipNode, $"{what} ipv4") is { } ipText)
        {
            if (ScenarioValues.TryParseIpv4WithPrefix(ipText, out uint parsed, out prefixLength, out string error))
            {
                address = parsed;
            }
            else
            {
                d.Report(ipNode.Position, $"{what} ipv4: {error}");
            }
        }
        string interfaceName = fields.Optional("interface") is { } interfaceNode ? d.Name(interfaceNode, $"{what} interface") ?? "eth0" : "eth0";
        Endpoint? attach = fields.Optional("attach") is { } attachNode ? d.Endpoint(attachNode, $"{what} attach") : null;
        if (mac is null || address is null)
        {
            return null;
        }
        return new HostSpec(name, interfaceName, mac.Value, address.Value, prefixLength, attach, namePosition);
    }

    private static LinkSpec? ReadLink(YamlTreeNode node, ScenarioDiagnostics d)
    {
        MappingFields? fields = d.Fields(node, "a link", "endpoints");
        if (fields?.Required("endpoints") is not { } endpointsNode || d.List(endpointsNode, "link endpoints") is not { } items)
        {
            return null;
        }
        if (items.Count != 2)
        {
            d.Report(endpointsNode.Position, $"a link has exactly two endpoints, not {items.Count}");
            return null;
        }
        Endpoint? a = d.Endpoint(items[0], "link endpoint");
        Endpoint? b = d.Endpoint(items[1], "link endpoint");
        return a is null || b is null ? null : new LinkSpec(a.Value, b.Value, fields.Position);
    }
}
