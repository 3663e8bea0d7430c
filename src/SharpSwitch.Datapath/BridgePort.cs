// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;

namespace SharpSwitch.Datapath;

/// <summary>
/// A port of a bridge (OVS's bundle): one interface, or a bond of several. MAC learning, VLAN rules and flooding
/// work on ports, so a MAC learned on any member of a bond is learned on the bond.
/// </summary>
public sealed class BridgePort
{
    private PortInterface[] _interfaces = [];

    /// <summary>Bond member index → interface; rebuilt whenever the membership changes.</summary>
    private PortInterface?[] _memberInterfaces = [];

    internal BridgePort(Bridge bridge, PortConfig config, VlanRules rules)
    {
        Bridge = bridge;
        Config = config;
        Rules = rules;
    }

    /// <summary>Port.name.</summary>
    public string Name => Config.Name;

    /// <summary>The bridge that owns the port.</summary>
    public Bridge Bridge { get; }

    /// <summary>The configuration last applied.</summary>
    public PortConfig Config { get; internal set; }

    /// <summary>The interfaces, in configuration order.</summary>
    public IReadOnlyList<PortInterface> Interfaces => _interfaces;

    /// <summary>The bond, when the port has two or more interfaces; null for a plain port.</summary>
    public Bond? Bond { get; internal set; }

    /// <summary>True when the port is a bond.</summary>
    public bool IsBond => Bond is not null;

    /// <summary>The port's LACP engine when it is a bond with <c>lacp</c> active or passive; null otherwise.</summary>
    public Lacp? Lacp { get; internal set; }

    /// <summary>The configuration and interface set the LACP engine was last synchronised with.</summary>
    internal PortConfig? LacpConfigSeen { get; set; }

    internal PortInterface[]? LacpInterfacesSeen { get; set; }

    /// <summary>The effective VLAN mode (OVS's default applied).</summary>
    public PortVlanMode VlanMode => Rules.Mode;

    /// <summary>The access or native VLAN, or -1 for a trunk.</summary>
    public int Vlan => Rules.Vlan;

    /// <summary>True while at least one interface has carrier; a port going down loses its learned MACs.</summary>
    public bool LinkUp { get; internal set; }

    /// <summary>MACs currently learned on this port.</summary>
    public int LearnedMacCount => MacEntryCount;

    internal VlanRules Rules { get; set; }

    /// <summary>Entries of the bridge's MAC table that point here (kept by <see cref="MacLearningTable"/>).</summary>
    internal int MacEntryCount { get; set; }

    /// <summary>The interfaces as an array, for allocation-free loops.</summary>
    internal PortInterface[] InterfaceArray => _interfaces;

    /// <summary>True for the bridge's own internal port (ofport 65534, LOCAL).</summary>
    internal bool IsLocal { get; init; }

    internal void SetInterfaces(PortInterface[] interfaces)
    {
        _interfaces = interfaces;
        RebuildMemberMap();
    }

    /// <summary>The interface behind bond member <paramref name="memberIndex"/>, or null.</summary>
    internal PortInterface? InterfaceOfMember(int memberIndex)
    {
        return (uint)memberIndex < (uint)_memberInterfaces.Length ? _memberInterfaces[memberIndex] : null;
    }

    /// <summary>Maps the bond's member indexes back to interfaces by name, after members came or went.</summary>
    internal void RebuildMemberMap()
    {
        for (int i = 0; i < _interfaces.Length; i++)
        {
            _interfaces[i].BondMemberIndex = -1;
        }
        if (Bond is null)
        {
            _memberInterfaces = [];
            return;
        }
        // The bond names members by their position in Bond.Members (what Admit and SelectTxMember use).
        IReadOnlyList<BondMember> members = Bond.Members;
        var map = new PortInterface?[members.Count];
        for (int m = 0; m < members.Count; m++)
        {
            for (int i = 0; i < _interfaces.Length; i++)
            {
                if (_interfaces[i].Name == members[m].Name)
                {
                    map[m] = _interfaces[i];
                    _interfaces[i].BondMemberIndex = m;
                }
            }
        }
        _memberInterfaces = map;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
