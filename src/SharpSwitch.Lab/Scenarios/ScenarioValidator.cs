// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Lab.Scenarios.Yaml;

namespace SharpSwitch.Lab.Scenarios;

/// <summary>
/// Checks a structurally valid scenario against itself: every name refers to something that exists, every
/// interface has at most one cable, every host is connected, addresses are unique, flows stay in one subnet and
/// events fall inside the run. After it passes, building the topology cannot fail on the user's input.
/// </summary>
internal static class ScenarioValidator
{
    /// <summary>The most frames a run may generate, so that a typo in a rate cannot make a run take minutes.</summary>
    public const long MaximumGeneratedFrames = 5_000_000;

    /// <summary>What an interface of a switch is, for checking what may be cabled or attached to it.</summary>
    private enum InterfaceRole
    {
        PlainPort,
        InternalPort,
        BondMember,
        BridgeLocal,
    }

    public static void Validate(Scenario scenario, ScenarioDiagnostics d)
    {
        ScenarioTopology topology = scenario.Topology;
        var nodes = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        var switchInterfaces = new Dictionary<string, Dictionary<string, InterfaceRole>>(StringComparer.Ordinal);
        foreach (SwitchSpec sw in topology.Switches)
        {
            nodes[sw.Name] = sw.Position;
            switchInterfaces[sw.Name] = CollectSwitchInterfaces(sw, d);
        }
        var hosts = new Dictionary<string, HostSpec>(StringComparer.Ordinal);
        foreach (HostSpec host in topology.Hosts)
        {
            nodes[host.Name] = host.Position;
            hosts[host.Name] = host;
        }

        var cabled = new Dictionary<(string, string), SourcePosition>();
        foreach (LinkSpec link in topology.Links)
        {
            if (link.A.Node == link.B.Node && link.A.Interface == link.B.Interface)
            {
                d.Report(link.B.Position, $"a link cannot join {link.A} to itself");
                continue;
            }
            foreach (Endpoint end in new[] { link.A, link.B })
            {
                if (!CheckEndpointExists(end, switchInterfaces, hosts, d))
                {
                    continue;
                }
                if (switchInterfaces.TryGetValue(end.Node, out Dictionary<string, InterfaceRole>? interfaces) && interfaces[end.Interface] == InterfaceRole.InternalPort)
                {
                    d.Report(end.Position, $"{end} is an internal port and has no cable; attach a host to it with 'attach: {end}'");
                    continue;
                }
                if (cabled.TryGetValue((end.Node, end.Interface), out SourcePosition first))
                {
                    d.Report(end.Position, $"{end} already has a cable (line {first.Line}); an interface takes one cable");
                    continue;
                }
                cabled[(end.Node, end.Interface)] = end.Position;
            }
        }

        ValidateHosts(topology, hosts, switchInterfaces, cabled, d);
        ValidateTraffic(scenario, hosts, d);
        ValidateEvents(scenario, switchInterfaces, hosts, cabled, d);
    }

    private static Dictionary<string, InterfaceRole> CollectSwitchInterfaces(SwitchSpec sw, ScenarioDiagnostics d)
    {
        var interfaces = new Dictionary<string, InterfaceRole>(StringComparer.Ordinal);
        var portNames = new HashSet<string>(StringComparer.Ordinal);
        void AddInterface(string name, InterfaceRole role, SourcePosition position)
        {
            if (!interfaces.TryAdd(name, role))
            {
                d.Report(position, $"switch '{sw.Name}' already has an interface named '{name}'");
            }
        }
        // Every bridge has a LOCAL internal port named after it, so no port or interface may take a bridge's name.
        foreach (BridgeSpec bridge in sw.Bridges)
        {
            if (!interfaces.TryAdd(bridge.Name, InterfaceRole.BridgeLocal))
            {
                d.Report(bridge.Position, $"switch '{sw.Name}' already has a bridge or interface named '{bridge.Name}'");
            }
        }
        foreach (BridgeSpec bridge in sw.Bridges)
        {
            foreach (PortSpec port in bridge.Ports)
            {
                portNames.Add(port.Name);
                AddInterface(port.Name, port.Internal ? InterfaceRole.InternalPort : InterfaceRole.PlainPort, port.Position);
            }
            foreach (BondSpec bond in bridge.Bonds)
            {
                if (!portNames.Add(bond.Name) || interfaces.ContainsKey(bond.Name))
                {
                    d.Report(bond.Position, $"switch '{sw.Name}' already has a port or interface named '{bond.Name}'");
                }
                foreach (BondInterfaceSpec member in bond.Interfaces)
                {
                    AddInterface(member.Name, InterfaceRole.BondMember, member.Position);
                }
                if (bond.OtherConfig.TryGetValue("bond-primary", out string? primary) && bond.Interfaces.All(m => m.Name != primary))
                {
                    d.Report(bond.Position, $"bond '{bond.Name}' other_config:bond-primary names '{ScenarioValues.Shorten(primary)}', which is not one of its interfaces ({string.Join(", ", bond.Interfaces.Select(m => m.Name))})");
                }
                CheckBondValues(bond, d);
            }
        }
        return interfaces;
    }

    /// <summary>
    /// Lets the bonding layer read the bond's keys exactly as it reads the database, and turns each warning about a
    /// value into an error: OVS would fall back to a default with a log line, but in an experiment a silently ignored
    /// value means the run answers a different question than the one asked.
    /// </summary>
    private static void CheckBondValues(BondSpec bond, ScenarioDiagnostics d)
    {
        var warnings = new List<string>();
        // bond_mode is always given to the parser, because its absence only produces OVS's "default bond_mode" notice.
        _ = BondSettings.FromOvsdb(bond.Name, bond.BondMode ?? "active-backup", bond.Lacp, bond.UpdelayMs, bond.DowndelayMs, bond.OtherConfig, warnings);
        foreach (BondInterfaceSpec member in bond.Interfaces)
        {
            var memberWarnings = new List<string>();
            _ = MemberSettings.FromOvsdb(member.Name, member.OtherConfig, memberWarnings);
            foreach (string warning in memberWarnings)
            {
                d.Report(member.Position, $"bond '{bond.Name}' {warning}");
            }
        }
        foreach (string warning in warnings)
        {
            d.Report(bond.Position, $"bond '{bond.Name}': {warning}");
        }
    }

    private static bool CheckEndpointExists(Endpoint end, Dictionary<string, Dictionary<string, InterfaceRole>> switchInterfaces, Dictionary<string, HostSpec> hosts, ScenarioDiagnostics d, ScenarioTopology? topology = null)
    {
        if (switchInterfaces.TryGetValue(end.Node, out Dictionary<string, InterfaceRole>? interfaces))
        {
            BondSpec? bond = topology?.Switches.FirstOrDefault(s => s.Name == end.Node)?.Bridges.SelectMany(b => b.Bonds).FirstOrDefault(b => b.Name == end.Interface);
            if (bond is not null)
            {
                d.Report(end.Position, $"'{end.Interface}' on '{end.Node}' is a bond, not an interface; name one of its interfaces ({string.Join(", ", bond.Interfaces.Select(m => m.Name))})");
                return false;
            }
            if (!interfaces.TryGetValue(end.Interface, out InterfaceRole role))
            {
                List<string> names = interfaces.Where(i => i.Value != InterfaceRole.BridgeLocal).Select(i => i.Key).Order(StringComparer.Ordinal).ToList();
                string known = names.Count == 0 ? "it has none" : "it has " + string.Join(", ", names);
                d.Report(end.Position, $"switch '{end.Node}' has no interface '{end.Interface}' ({known})");
                return false;
            }
            if (role == InterfaceRole.BridgeLocal)
            {
                d.Report(end.Position, $"'{end.Interface}' is the LOCAL port of bridge '{end.Interface}' on '{end.Node}'; the lab does not use it (declare an internal port instead)");
                return false;
            }
            return true;
        }
        if (hosts.TryGetValue(end.Node, out HostSpec? host))
        {
            if (host.InterfaceName != end.Interface)
            {
                d.Report(end.Position, $"host '{end.Node}' has no interface '{end.Interface}' (its interface is '{host.InterfaceName}')");
                return false;
            }
            return true;
        }
        d.Report(end.Position, $"unknown node '{end.Node}'");
        return false;
    }

    private static void ValidateHosts(ScenarioTopology topology, Dictionary<string, HostSpec> hosts, Dictionary<string, Dictionary<string, InterfaceRole>> switchInterfaces, Dictionary<(string, string), SourcePosition> cabled, ScenarioDiagnostics d)
    {
        var attachedInternalPorts = new Dictionary<(string, string), string>();
        var macs = new Dictionary<ulong, string>();
        var addresses = new Dictionary<uint, string>();
        foreach (HostSpec host in topology.Hosts)
        {
            bool hasCable = cabled.ContainsKey((host.Name, host.InterfaceName));
            if (host.AttachedTo is { } attach)
            {
                if (hasCable)
                {
                    d.Report(attach.Position, $"host '{host.Name}' is both cabled and attached to {attach}; choose one");
                }
                else if (!switchInterfaces.TryGetValue(attach.Node, out Dictionary<string, InterfaceRole>? interfaces))
                {
                    d.Report(attach.Position, hosts.ContainsKey(attach.Node) ? $"host '{host.Name}' can attach only to a switch's internal port, and '{attach.Node}' is a host" : $"unknown node '{attach.Node}'");
                }
                else if (!interfaces.TryGetValue(attach.Interface, out InterfaceRole role))
                {
                    d.Report(attach.Position, $"switch '{attach.Node}' has no interface '{attach.Interface}'");
                }
                else if (role != InterfaceRole.InternalPort)
                {
                    d.Report(attach.Position, $"{attach} is not an internal port (declare it with 'type: internal', or cable the host to it under links:)");
                }
                else if (attachedInternalPorts.TryGetValue((attach.Node, attach.Interface), out string? other))
                {
                    d.Report(attach.Position, $"{attach} already has host '{other}' behind it");
                }
                else
                {
                    attachedInternalPorts[(attach.Node, attach.Interface)] = host.Name;
                }
            }
            else if (!hasCable)
            {
                d.Report(host.Position, $"host '{host.Name}' is not connected: add a link to '{host.Name}:{host.InterfaceName}' or 'attach: SWITCH:INTERNAL-PORT'");
            }
            if (macs.TryGetValue(host.Mac.Value, out string? macOwner))
            {
                d.Report(host.Position, $"host '{host.Name}' has the same mac {host.Mac} as host '{macOwner}'");
            }
            else
            {
                macs[host.Mac.Value] = host.Name;
            }
            if (addresses.TryGetValue(host.Ipv4Address, out string? ipOwner))
            {
                d.Report(host.Position, $"host '{host.Name}' has the same ipv4 address {ScenarioValues.FormatIpv4(host.Ipv4Address)} as host '{ipOwner}'");
            }
            else
            {
                addresses[host.Ipv4Address] = host.Name;
            }
        }
    }

    private static void ValidateTraffic(Scenario scenario, Dictionary<string, HostSpec> hosts, ScenarioDiagnostics d)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        long frames = 0;
        foreach (TrafficSpec flow in scenario.Traffic)
        {
            if (!names.Add(flow.Name))
            {
                d.Report(flow.Position, $"two traffic flows are named '{flow.Name}'; give one a different 'name:'");
            }
            HostSpec? from = LookUpHost(flow.From, flow.Position, hosts, d);
            HostSpec? to = LookUpHost(flow.To, flow.Position, hosts, d);
            if (from is null || to is null)
            {
                continue;
            }
            if (from == to)
            {
                d.Report(flow.Position, $"traffic from '{from.Name}' to itself never leaves the host");
                continue;
            }
            if (!SameSubnet(from, to))
            {
                d.Report(flow.Position, $"'{from.Name}' ({ScenarioValues.FormatIpv4(from.Ipv4Address)}/{from.PrefixLength}) and '{to.Name}' ({ScenarioValues.FormatIpv4(to.Ipv4Address)}/{to.PrefixLength}) are not in one subnet; lab hosts have no router");
            }
            long seconds = Math.Max(1, (flow.StopMs - flow.StartMs + 999) / 1000);
            frames += flow switch
            {
                PingSpec ping => 2 * ((flow.StopMs - flow.StartMs) / ping.IntervalMs + 1),
                UdpStreamSpec udp => (udp.BothDirections ? 2 : 1) * udp.RatePps * seconds,
                // Each segment is acknowledged, so a TCP-like stream sends twice its rate.
                TcpStreamSpec tcp => (tcp.BothDirections ? 2 : 1) * 2 * tcp.RatePps * seconds,
                _ => 0,
            };
        }
        if (frames > MaximumGeneratedFrames)
        {
            d.Report(SourcePosition.FileStart, $"the traffic would send about {frames} frames; the lab allows at most {MaximumGeneratedFrames} per run (lower a rate or the duration)");
        }
    }

    private static HostSpec? LookUpHost(string name, SourcePosition position, Dictionary<string, HostSpec> hosts, ScenarioDiagnostics d)
    {
        if (hosts.TryGetValue(name, out HostSpec? host))
        {
            return host;
        }
        d.Report(position, $"traffic names '{name}', which is not a host");
        return null;
    }

    private static bool SameSubnet(HostSpec a, HostSpec b)
    {
        if (a.PrefixLength != b.PrefixLength)
        {
            return false;
        }
        uint mask = uint.MaxValue << (32 - a.PrefixLength);
        return (a.Ipv4Address & mask) == (b.Ipv4Address & mask);
    }

    private static void ValidateEvents(Scenario scenario, Dictionary<string, Dictionary<string, InterfaceRole>> switchInterfaces, Dictionary<string, HostSpec> hosts, Dictionary<(string, string), SourcePosition> cabled, ScenarioDiagnostics d)
    {
        var linkAt = new Dictionary<(string, string), LinkSpec>();
        foreach (LinkSpec link in scenario.Topology.Links)
        {
            linkAt.TryAdd((link.A.Node, link.A.Interface), link);
            linkAt.TryAdd((link.B.Node, link.B.Interface), link);
        }
        ValidateLinkImpairments(scenario.Topology.Links, d);
        foreach (EventSpec e in scenario.Events)
        {
            // A flap's events share the flap's position and target; checking its first event says all there is.
            if (e.Flap is { } flap && (flap.Cycle != 1 || e.Action != EventAction.LinkDown))
            {
                continue;
            }
            // The end of an impair's 'for:' window shares the impair's position, target and direction; the impair
            // was checked, and the reader checked that the window ends before the scenario does.
            if (e.Action == EventAction.ImpairmentEnds)
            {
                continue;
            }
            string actionName = e.Flap is null ? e.ActionName : "flap";
            if (e.AtMs >= scenario.DurationMs)
            {
                d.Report(e.Position, $"event at {ScenarioValues.FormatSeconds(e.AtMs)} is not before the end of the scenario ({ScenarioValues.FormatSeconds(scenario.DurationMs)})");
            }
            if (!CheckEndpointExists(e.Target, switchInterfaces, hosts, d, scenario.Topology))
            {
                continue;
            }
            bool needsCable = e.Action is EventAction.LinkDown or EventAction.LinkUp or EventAction.Impair or EventAction.ClearImpairments;
            if (!needsCable)
            {
                continue;
            }
            if (!cabled.ContainsKey((e.Target.Node, e.Target.Interface)))
            {
                d.Report(e.Target.Position, DescribeMissingCable(actionName, e.Target, switchInterfaces, hosts));
                continue;
            }
            if (e.From is { } from)
            {
                LinkSpec link = linkAt[(e.Target.Node, e.Target.Interface)];
                CheckDirection(from, link, actionName, d);
            }
        }
    }

    /// <summary>Why an event that acts on a cable cannot act on <paramref name="target"/>, with what would work instead.</summary>
    private static string DescribeMissingCable(string actionName, Endpoint target, Dictionary<string, Dictionary<string, InterfaceRole>> switchInterfaces, Dictionary<string, HostSpec> hosts)
    {
        if (switchInterfaces.TryGetValue(target.Node, out Dictionary<string, InterfaceRole>? interfaces) && interfaces[target.Interface] == InterfaceRole.InternalPort)
        {
            return $"{actionName} needs a cable, and {target} is an internal port, which has none; use admin-down/admin-up on it instead";
        }
        if (hosts.TryGetValue(target.Node, out HostSpec? host) && host.AttachedTo is { } attach)
        {
            return $"{actionName} needs a cable, and host '{host.Name}' sits behind the internal port {attach} with none; use admin-down/admin-up on {target} instead";
        }
        return $"{actionName} needs a cable, and {target} has none";
    }

    /// <summary>Checks that an impairment's <c>from:</c> names one of the two ends of its cable.</summary>
    private static bool CheckDirection(Endpoint from, LinkSpec link, string what, ScenarioDiagnostics d)
    {
        bool isEnd = (from.Node == link.A.Node && from.Interface == link.A.Interface) || (from.Node == link.B.Node && from.Interface == link.B.Interface);
        if (!isEnd)
        {
            d.Report(from.Position, $"{what} from {from}: that is not an end of the cable {link.A} -- {link.B} (line {link.Position.Line}); 'from' names the end whose sent frames are impaired");
        }
        return isEnd;
    }

    /// <summary>Each direction of a cable takes at most one whole-run impairment, and 'from' must name one of its ends.</summary>
    private static void ValidateLinkImpairments(IReadOnlyList<LinkSpec> links, ScenarioDiagnostics d)
    {
        foreach (LinkSpec link in links)
        {
            bool aImpaired = false;
            bool bImpaired = false;
            foreach (LinkImpairmentSpec impairment in link.Impairments)
            {
                bool toA = true;
                bool toB = true;
                if (impairment.From is { } from)
                {
                    if (!CheckDirection(from, link, "link impairment", d))
                    {
                        continue;
                    }
                    bool fromA = from.Node == link.A.Node && from.Interface == link.A.Interface;
                    toA = !fromA;
                    toB = fromA;
                }
                // Frames sent by A are the "to B" direction and the other way round.
                if ((toB && aImpaired) || (toA && bImpaired))
                {
                    d.Report(impairment.Position, $"the cable {link.A} -- {link.B} already has an impairment for this direction; give each direction one (use 'from:' to pick a direction)");
                    continue;
                }
                aImpaired |= toB;
                bImpaired |= toA;
            }
        }
    }
}
