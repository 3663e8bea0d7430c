// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios;

namespace SharpSwitch.Lab.Diff;

/// <summary>
/// Finds the <c>other_config</c> keys a scenario sets that only SharpSwitch understands. OVS 3.1 stores such keys
/// and ignores them, so on a scenario that sets one the two switches are expected to differ, and on a scenario that
/// sets none they are expected to agree; the diff tests and <c>vsw lab diff</c>'s report both rely on this split.
/// </summary>
public static class SharpSwitchOnlyKeys
{
    /// <summary>Bond port keys of SharpSwitch's failback policy.</summary>
    public static readonly IReadOnlyCollection<string> PortKeys = ["bond-failback", "bond-failback-delay"];

    /// <summary>Bond member (Interface) keys of SharpSwitch's member priority and maintenance flag.</summary>
    public static readonly IReadOnlyCollection<string> InterfaceKeys = ["bond-member-priority", "bond-member-disabled"];

    /// <summary>
    /// The SharpSwitch-only settings of <paramref name="scenario"/>, one entry per bond or member that sets one, as
    /// <c>switch bond key</c> or <c>switch bond member key</c>, in the order of the file; empty when the scenario
    /// uses only OVS's keys.
    /// </summary>
    public static IReadOnlyList<string> UsedBy(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var used = new List<string>();
        foreach (SwitchSpec node in scenario.Topology.Switches)
        {
            foreach (BridgeSpec bridge in node.Bridges)
            {
                foreach (BondSpec bond in bridge.Bonds)
                {
                    used.AddRange(bond.OtherConfig.Keys.Where(PortKeys.Contains).Select(k => $"{node.Name} {bond.Name} {k}"));
                    foreach (BondInterfaceSpec member in bond.Interfaces)
                    {
                        used.AddRange(member.OtherConfig.Keys.Where(InterfaceKeys.Contains).Select(k => $"{node.Name} {bond.Name} {member.Name} {k}"));
                    }
                }
            }
        }
        return used;
    }
}
