// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.NetDev;

namespace SharpSwitch.Datapath;

/// <summary>One interface of a port: the device and what OVSDB says about it.</summary>
/// <param name="Device">The device; it must not belong to another port.</param>
/// <param name="OfPortRequest">Interface.ofport_request: the OpenFlow port number wanted, if any.</param>
/// <param name="Member">Bond member settings (Interface.other_config), used when the port is a bond.</param>
public sealed record InterfaceConfig(INetDev Device, int? OfPortRequest = null, MemberSettings? Member = null)
{
    /// <summary>
    /// Interface.other_config, read for <c>lacp-port-id</c>, <c>lacp-port-priority</c> and <c>lacp-aggregation-key</c>
    /// when the port runs LACP (unset or invalid values: the ofport, 65535, none).
    /// </summary>
    public IReadOnlyDictionary<string, string>? OtherConfig { get; init; }
}

/// <summary>
/// The desired state of one <c>Port</c> row: its interfaces and VLAN columns and, when it has two or more
/// interfaces, its bond settings (a single-interface port ignores them, as OVS does).
/// </summary>
public sealed record PortConfig
{
    /// <summary>Creates a configuration for port <paramref name="name"/> over <paramref name="interfaces"/>.</summary>
    public PortConfig(string name, IReadOnlyList<InterfaceConfig> interfaces)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(interfaces);
        Name = name;
        Interfaces = interfaces;
    }

    /// <summary>Port.name.</summary>
    public string Name { get; }

    /// <summary>The port's interfaces, in configuration order.</summary>
    public IReadOnlyList<InterfaceConfig> Interfaces { get; init; }

    /// <summary>Port.tag: the access or native VLAN (0..4095), or null.</summary>
    public int? Tag { get; init; }

    /// <summary>Port.trunks: the trunked VLANs; empty means all of them.</summary>
    public IReadOnlyList<int> Trunks { get; init; } = [];

    /// <summary>Port.vlan_mode, or null for OVS's default (access when <see cref="Tag"/> is set, else trunk).</summary>
    public PortVlanMode? VlanMode { get; init; }

    /// <summary>Bond settings for a port with two or more interfaces; null means OVS's defaults.</summary>
    public BondSettings? Bond { get; init; }

    /// <summary>Receives the bond's events (state changes with reasons), when the port is a bond.</summary>
    public IBondEventSink? BondEventSink { get; init; }

    /// <summary>
    /// The LACP engine of this port: when set, Slow Protocols frames (EtherType 0x8809) arriving on any of the port's
    /// interfaces go to it instead of being forwarded (or dropped as reserved multicast).
    /// </summary>
    public ISlowProtocolsHandler? SlowProtocolsHandler { get; init; }

    /// <summary>Receives the events of the port's LACP engine (bonds with <c>lacp</c> active or passive).</summary>
    public Action<LacpEvent>? LacpEventSink { get; init; }

    /// <summary>Convenience: a plain port with one device and no VLAN settings.</summary>
    public static PortConfig Plain(INetDev device) => new(device.Name, [new InterfaceConfig(device)]);
}
