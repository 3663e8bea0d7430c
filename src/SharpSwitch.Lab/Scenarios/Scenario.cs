// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios.Yaml;
using SharpSwitch.Packets;

namespace SharpSwitch.Lab.Scenarios;

/// <summary>
/// A validated lab scenario: a topology of switches and hosts joined by cables, traffic between hosts, and a
/// schedule of faults, all read from one YAML file. Every name it refers to exists, so the runner needs no checks.
/// </summary>
public sealed class Scenario
{
    internal Scenario(string sourceName, string name, long durationMs, ScenarioTopology topology, IReadOnlyList<TrafficSpec> traffic, IReadOnlyList<EventSpec> events)
    {
        SourceName = sourceName;
        Name = name;
        DurationMs = durationMs;
        Topology = topology;
        Traffic = traffic;
        Events = events;
    }

    /// <summary>The file name the scenario came from, as given to the reader.</summary>
    public string SourceName { get; }

    /// <summary>The scenario's <c>name:</c>.</summary>
    public string Name { get; }

    /// <summary>How long the experiment runs, in virtual milliseconds.</summary>
    public long DurationMs { get; }

    internal ScenarioTopology Topology { get; private set; }

    /// <summary>
    /// A copy with another topology and every other property kept. It clones the object rather than calling the
    /// constructor, so a property added to the scenario later is carried over without this method knowing about it;
    /// <c>vsw lab compare</c> builds its variants this way.
    /// </summary>
    internal Scenario WithTopology(ScenarioTopology topology)
    {
        var copy = (Scenario)MemberwiseClone();
        copy.Topology = topology;
        return copy;
    }

    internal IReadOnlyList<TrafficSpec> Traffic { get; }

    /// <summary>The fault schedule, sorted by time; events with equal times keep their file order.</summary>
    internal IReadOnlyList<EventSpec> Events { get; }
}

/// <summary>The <c>topology:</c> section: nodes and the cables between them.</summary>
internal sealed record ScenarioTopology(IReadOnlyList<SwitchSpec> Switches, IReadOnlyList<HostSpec> Hosts, IReadOnlyList<LinkSpec> Links);

/// <summary>A <c>node:interface</c> reference, as containerlab writes link endpoints.</summary>
internal readonly record struct Endpoint(string Node, string Interface, SourcePosition Position)
{
    /// <inheritdoc/>
    public override string ToString() => Node + ":" + Interface;
}

/// <summary>A switch node: one or more OVS-style bridges.</summary>
internal sealed record SwitchSpec(string Name, IReadOnlyList<BridgeSpec> Bridges, SourcePosition Position);

/// <summary>A bridge with its plain ports and bonds, named as in <c>ovs-vsctl add-br</c>.</summary>
internal sealed record BridgeSpec(string Name, IReadOnlyList<PortSpec> Ports, IReadOnlyList<BondSpec> Bonds, SourcePosition Position);

/// <summary>How a port treats VLANs, with OVS's <c>vlan_mode</c> names.</summary>
internal enum VlanMode
{
    /// <summary>No <c>vlan_mode</c> given: access when <c>tag</c> is set, trunk otherwise (OVS's rule).</summary>
    Default,

    /// <summary><c>access</c>.</summary>
    Access,

    /// <summary><c>trunk</c>.</summary>
    Trunk,

    /// <summary><c>native-tagged</c>.</summary>
    NativeTagged,

    /// <summary><c>native-untagged</c>.</summary>
    NativeUntagged,
}

/// <summary>
/// A plain port of one interface. <see cref="Internal"/> ports are the switch's own interfaces (OVS
/// <c>type: internal</c>); a host can sit behind one, as the operator's management IP sits on <c>port-mgt</c>.
/// </summary>
internal sealed record PortSpec(string Name, bool Internal, int? Tag, IReadOnlyList<int> Trunks, VlanMode VlanMode, SourcePosition Position);

/// <summary>
/// A bond port: OVS Port columns (<c>bond_mode</c>, <c>lacp</c>, <c>bond_updelay</c>, <c>bond_downdelay</c>,
/// <c>other_config</c>) plus per-interface <c>other_config</c>, all kept as OVS stores them (strings) so that the
/// bonding layer parses them exactly as it parses the database.
/// </summary>
internal sealed record BondSpec(
    string Name,
    IReadOnlyList<BondInterfaceSpec> Interfaces,
    string? BondMode,
    string? Lacp,
    long UpdelayMs,
    long DowndelayMs,
    IReadOnlyDictionary<string, string> OtherConfig,
    int? Tag,
    IReadOnlyList<int> Trunks,
    VlanMode VlanMode,
    SourcePosition Position);

/// <summary>One bond member and its Interface <c>other_config</c>.</summary>
internal sealed record BondInterfaceSpec(string Name, IReadOnlyDictionary<string, string> OtherConfig, SourcePosition Position);

/// <summary>
/// A host: one interface with a MAC and an IPv4 address, an ARP and ICMP echo responder, and the senders and
/// counters of the traffic flows that name it. It is cabled through <c>links:</c> (to a switch port) or sits
/// behind a switch's internal port (<see cref="AttachedTo"/>).
/// </summary>
internal sealed record HostSpec(string Name, string InterfaceName, MacAddress Mac, uint Ipv4Address, int PrefixLength, Endpoint? AttachedTo, SourcePosition Position);

/// <summary>A cable between two interfaces.</summary>
internal sealed record LinkSpec(Endpoint A, Endpoint B, SourcePosition Position)
{
    /// <summary>What the cable does to frames for the whole run (netem on it from the start), in file order.</summary>
    public IReadOnlyList<LinkImpairmentSpec> Impairments { get; init; } = [];
}

/// <summary>A traffic flow between two hosts.</summary>
internal abstract record TrafficSpec(string Name, string From, string To, long StartMs, long StopMs, SourcePosition Position);

/// <summary>ICMP echo requests every <see cref="IntervalMs"/>; the target answers each one.</summary>
internal sealed record PingSpec(string Name, string From, string To, long StartMs, long StopMs, long IntervalMs, int PayloadBytes, SourcePosition Position)
    : TrafficSpec(Name, From, To, StartMs, StopMs, Position);

/// <summary>
/// A UDP stream at <see cref="RatePps"/> frames of <see cref="FrameBytes"/> bytes, optionally in both directions,
/// spread round-robin over <see cref="Flows"/> distinct source ports (5-tuples), so that balance-slb and balance-tcp
/// bonds have something to balance.
/// </summary>
internal sealed record UdpStreamSpec(string Name, string From, string To, long StartMs, long StopMs, int RatePps, int FrameBytes, bool BothDirections, SourcePosition Position)
    : TrafficSpec(Name, From, To, StartMs, StopMs, Position)
{
    /// <summary>How many 5-tuples the stream uses (each direction separately).</summary>
    public int Flows { get; init; } = 1;
}

/// <summary>
/// A TCP-like stream (see <c>Traffic/TcpSender</c>): the application offers <see cref="RatePps"/> segments a second in
/// frames of <see cref="FrameBytes"/> bytes; at most <see cref="Window"/> may be unacknowledged, and a segment
/// unacknowledged for <see cref="RtoMs"/> (doubling on each repeat) is sent again.
/// </summary>
internal sealed record TcpStreamSpec(string Name, string From, string To, long StartMs, long StopMs, int RatePps, int FrameBytes, int Window, long RtoMs, SourcePosition Position)
    : TrafficSpec(Name, From, To, StartMs, StopMs, Position)
{
    /// <summary>True for a second, independent stream with the same settings from <c>To</c> back to <c>From</c>.</summary>
    public bool BothDirections { get; init; }
}

/// <summary>What a scheduled event does to an interface.</summary>
internal enum EventAction
{
    /// <summary><c>link-down</c>: the cable is pulled; both ends lose carrier.</summary>
    LinkDown,

    /// <summary><c>link-up</c>: the cable is plugged back in.</summary>
    LinkUp,

    /// <summary><c>admin-down</c>: the interface is set administratively down (<c>ip link set dev X down</c>).</summary>
    AdminDown,

    /// <summary><c>admin-up</c>: the interface is set administratively up again.</summary>
    AdminUp,

    /// <summary><c>impair</c>: the cable at the interface starts impairing frames (netem's <c>tc qdisc change</c>).</summary>
    Impair,

    /// <summary><c>clear-impairments</c>: the cable at the interface carries frames faithfully again (<c>tc qdisc del</c>).</summary>
    ClearImpairments,

    /// <summary>
    /// The end of an <c>impair</c> event's <c>for:</c> window (never written in a file): each direction the impair
    /// changed goes back to what it did before it, unless a later event has changed that direction since.
    /// </summary>
    ImpairmentEnds,
}

/// <summary>
/// Where an expanded <c>flap</c> event came from: cycle <see cref="Cycle"/> of <see cref="Count"/>, each cycle
/// <see cref="DownMs"/> with the cable out and <see cref="UpMs"/> with it back in.
/// </summary>
internal sealed record FlapOrigin(int Cycle, int Count, long DownMs, long UpMs);

/// <summary>
/// One entry of <c>events:</c>. A <c>flap</c> is read as its link-down and link-up events, each carrying its
/// <see cref="Flap"/> origin; only the first link-down and the last link-up of a flap open a phase, so a flap of many
/// cycles is reported as one stretch of trouble and one recovery rather than as dozens of tiny phases.
/// </summary>
internal sealed record EventSpec(long AtMs, EventAction Action, Endpoint Target, SourcePosition Position)
{
    /// <summary>False for the inner link-down and link-up events of a flap, which do not split the run into phases.</summary>
    public bool OpensPhase { get; init; } = true;

    /// <summary>The flap this event was expanded from, or null.</summary>
    public FlapOrigin? Flap { get; init; }

    /// <summary>For <see cref="EventAction.Impair"/>, what the cable does to frames from then on.</summary>
    public ImpairmentSpec? Impairment { get; init; }

    /// <summary>For <see cref="EventAction.Impair"/> with <c>for:</c>, how long the impairment lasts, or null for the rest of the run.</summary>
    public long? ForMs { get; init; }

    /// <summary>For <see cref="EventAction.ImpairmentEnds"/>, the impair event whose window ends.</summary>
    public EventSpec? EndsImpairment { get; init; }

    /// <summary>
    /// For impairment events, the end whose sent frames are affected (netem acts on an interface's egress), or null
    /// for both directions of the cable.
    /// </summary>
    public Endpoint? From { get; init; }

    /// <summary>The action's name as written in scenario files.</summary>
    public string ActionName => Action switch
    {
        EventAction.LinkDown => "link-down",
        EventAction.LinkUp => "link-up",
        EventAction.AdminDown => "admin-down",
        EventAction.AdminUp => "admin-up",
        EventAction.Impair => "impair",
        EventAction.ClearImpairments => "clear-impairments",
        EventAction.ImpairmentEnds => "impair-end",
        _ => throw new InvalidOperationException("unknown event action"),
    };

    /// <summary>
    /// The event as the timeline prints it: the action and target, then what a flap cycle or an impairment means,
    /// e.g. <c>link-down sw1:eno1 (flap 2/5)</c> or <c>impair sw1:eno1 from sw1:eno1 (loss 5%, delay 20ms)</c>.
    /// </summary>
    public string Description
    {
        get
        {
            string text = $"{ActionName} {Target}";
            if (From is { } from)
            {
                text += $" from {from}";
            }
            if (Flap is { } flap)
            {
                text += $" (flap {flap.Cycle}/{flap.Count})";
            }
            if (Impairment is { } impairment)
            {
                text += $" ({impairment.Describe()})";
            }
            if (ForMs is { } forMs)
            {
                text += $" for {ScenarioValues.FormatSeconds(forMs)}";
            }
            if (EndsImpairment is { } started)
            {
                text += $" (end of the {ScenarioValues.FormatSeconds(started.ForMs ?? 0)} impair from {ScenarioValues.FormatSeconds(started.AtMs)})";
            }
            return text;
        }
    }
}
