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
        MappingFields? fields = d.Fields(node, "a link", "endpoints", "impair");
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
        var impairments = new List<LinkImpairmentSpec>();
        if (fields.Optional("impair") is { } impairNode)
        {
            // One mapping impairs both directions (or the one named by 'from'); a list gives each direction its own.
            IReadOnlyList<YamlTreeNode> entries = impairNode is YamlTreeSequence sequence ? sequence.Items : [impairNode];
            foreach (YamlTreeNode entry in entries)
            {
                MappingFields? impairFields = d.Fields(entry, "a link impairment", ["from", .. s_impairmentKeys]);
                if (impairFields is null)
                {
                    continue;
                }
                Endpoint? from = impairFields.Optional("from") is { } fromNode ? d.Endpoint(fromNode, "link impairment from") : null;
                if (ReadImpairment(impairFields, "link impairment", d) is { } impairment)
                {
                    impairments.Add(new LinkImpairmentSpec(from, impairment, impairFields.Position));
                }
            }
        }
        return a is null || b is null ? null : new LinkSpec(a.Value, b.Value, fields.Position) { Impairments = impairments };
    }
}
