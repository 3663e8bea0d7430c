// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text.RegularExpressions;
using SharpSwitch.Packets;
using SharpSwitch.Testing;

namespace SharpSwitch.Bonding.Tests;

/// <summary>
/// lacp/show of a real OVS 3.1 bond (dummy interfaces, stopped clock, no partner) against the SharpSwitch engine
/// configured alike: the expired-attached "negotiated" quirk right after registration, then defaulted.
/// </summary>
public sealed partial class LacpOracleTests
{
    [GeneratedRegex(@"aggregation key: (\d+)")]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"sys_id: ([0-9a-f:]{17})")]
    private static partial Regex SysIdLine();

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")]
    public void A_partnerless_fast_active_bond_matches_real_ovs()
    {
        using var ovs = new OvsOracle();
        ovs.Vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy");
        ovs.Vsctl("add-bond", "br0", "bond0", "p1", "p2", "bond_mode=balance-tcp", "lacp=active", "other_config:lacp-time=fast");
        ovs.AppctlOk("time/stop");
        string first = ovs.AppctlOk("lacp/show", "bond0");

        MacAddress sysId = MacAddress.Parse(SysIdLine().Match(first).Groups[1].Value);
        ushort key = ushort.Parse(KeyLine().Match(first).Groups[1].Value, CultureInfo.InvariantCulture);
        var lacp = new Lacp(new LacpSettings { Name = "bond0", SystemId = sysId, Fast = true, SystemPriority = 65534 });
        var ports = new Dictionary<string, ushort>();
        foreach (string member in new[] { "p1", "p2" })
        {
            ports[member] = ushort.Parse(ovs.Vsctl("get", "interface", member, "ofport").Trim(), CultureInfo.InvariantCulture);
        }
        // The key member is the first one OVS registered: the one whose port id is the key.
        foreach (string member in ports.OrderBy(p => p.Value == key ? 0 : 1).Select(p => p.Key))
        {
            lacp.AddOrUpdateMember(member, new LacpMemberSettings { PortId = ports[member] }, true, 0);
        }
        lacp.Run(0, (LacpMember _, in LacpPdu _) => { });
        Assert.Equal(first, LacpText.RenderShow(lacp));
        Assert.Contains("status: active negotiated", first, StringComparison.Ordinal);

        ovs.AppctlOk("time/warp", "10000", "1000");
        for (long t = 1000; t <= 10_000; t += 1000)
        {
            lacp.Run(t, (LacpMember _, in LacpPdu _) => { });
        }
        string later = ovs.AppctlOk("lacp/show", "bond0");
        Assert.Equal(later, LacpText.RenderShow(lacp));
        Assert.Contains("member: p1: defaulted detached", later, StringComparison.Ordinal);
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")]
    public void A_passive_fallback_bond_with_custom_ids_matches_real_ovs()
    {
        using var ovs = new OvsOracle();
        ovs.Vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy");
        ovs.Vsctl("add-bond", "br0", "bond0", "p1", "p2", "bond_mode=active-backup", "lacp=passive",
            "other_config:lacp-fallback-ab=true", "other_config:lacp-system-id=aa:bb:cc:dd:ee:ff", "other_config:lacp-system-priority=100");
        ovs.Vsctl("set", "interface", "p1", "other_config:lacp-port-id=11", "other_config:lacp-port-priority=22");
        ovs.AppctlOk("time/stop");
        ovs.AppctlOk("time/warp", "5000", "1000");
        string shown = ovs.AppctlOk("lacp/show", "bond0");

        ushort key = ushort.Parse(KeyLine().Match(shown).Groups[1].Value, CultureInfo.InvariantCulture);
        var lacp = new Lacp(new LacpSettings
        {
            Name = "bond0", SystemId = MacAddress.Parse("aa:bb:cc:dd:ee:ff"), SystemPriority = 100, Active = false, FallbackAb = true,
        });
        var ports = new Dictionary<string, LacpMemberSettings>
        {
            ["p1"] = new() { PortId = 11, PortPriority = 22 },
            ["p2"] = new() { PortId = ushort.Parse(ovs.Vsctl("get", "interface", "p2", "ofport").Trim(), CultureInfo.InvariantCulture) },
        };
        ushort p1Ofport = ushort.Parse(ovs.Vsctl("get", "interface", "p1", "ofport").Trim(), CultureInfo.InvariantCulture);
        // The key member is the first one OVS registered; p1 was registered with its ofport, then got port id 11.
        string keyMember = key == ports["p2"].PortId ? "p2" : "p1";
        Assert.True(key == ports["p2"].PortId || key == 11 || key == p1Ofport);
        foreach (string member in ports.Keys.OrderBy(m => m == keyMember ? 0 : 1))
        {
            lacp.AddOrUpdateMember(member, ports[member], true, 0);
        }
        for (long t = 0; t <= 5000; t += 1000)
        {
            lacp.Run(t, (LacpMember _, in LacpPdu _) => { });
        }
        Assert.Equal(shown, LacpText.RenderShow(lacp));
        Assert.Contains("member: p1: defaulted attached", shown, StringComparison.Ordinal);
        Assert.Contains("may_enable: true", shown, StringComparison.Ordinal);
    }
}
