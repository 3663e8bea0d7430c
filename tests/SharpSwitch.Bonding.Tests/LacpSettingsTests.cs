// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding.Tests;

/// <summary>LACP settings derived from OVSDB values as OVS's bridge.c does (bonding-spec.md §A.2, §D.8).</summary>
public sealed class LacpSettingsTests
{
    private static readonly MacAddress s_bridge = MacAddress.Parse("92:c0:e0:f4:17:47");

    [Fact]
    public void BondDefaultsAreActiveSlowPriority65534AndTheBridgeMac()
    {
        LacpSettings s = LacpSettings.FromBond("bond0", new BondSettings { Lacp = LacpMode.Active }, s_bridge, 2)!;
        Assert.Equal(new LacpSettings { Name = "bond0", SystemId = s_bridge, SystemPriority = 65534, Active = true, Fast = false }, s);
        Assert.Equal(65535, LacpSettings.FromBond("bs4", new BondSettings { Lacp = LacpMode.Passive }, s_bridge, 1)!.SystemPriority);
        Assert.False(LacpSettings.FromBond("bs4", new BondSettings { Lacp = LacpMode.Passive }, s_bridge, 1)!.Active);
        Assert.Null(LacpSettings.FromBond("bond0", new BondSettings(), s_bridge, 2));
    }

    [Fact]
    public void ConfiguredValuesWinAndAZeroSystemIdIsRefused()
    {
        var bond = new BondSettings
        {
            Lacp = LacpMode.Active, LacpSystemId = MacAddress.Parse("aa:bb:cc:dd:ee:ff"), LacpSystemPriority = 100, LacpFastTime = true, LacpFallbackAb = true,
        };
        LacpSettings s = LacpSettings.FromBond("bond0", bond, s_bridge, 2)!;
        Assert.Equal((MacAddress.Parse("aa:bb:cc:dd:ee:ff"), (ushort)100, true, true), (s.SystemId, s.SystemPriority, s.Fast, s.FallbackAb));

        var warnings = new List<string>();
        Assert.Null(LacpSettings.FromBond("bond0", new BondSettings { Lacp = LacpMode.Active }, MacAddress.Zero, 2, warnings));
        Assert.Equal(["port bond0: Invalid zero LACP system ID."], warnings);
    }

    [Theory]
    [InlineData(null, null, null, 5, 65535, 0)]
    [InlineData("11", "22", "33", 11, 22, 33)]
    [InlineData("0", "-1", "-5", 5, 65535, 0)]
    [InlineData("65536", "70000", "65536", 5, 65535, 0)]
    [InlineData("x", "y", "z", 5, 65535, 0)]
    public void MemberValuesFallBackAsOvsDoes(string? portId, string? priority, string? key, int expectedId, int expectedPriority, int expectedKey)
    {
        var config = new Dictionary<string, string>();
        if (portId is not null)
        {
            config["lacp-port-id"] = portId;
            config["lacp-port-priority"] = priority!;
            config["lacp-aggregation-key"] = key!;
        }
        LacpMemberSettings s = LacpMemberSettings.FromOvsdb(config, 5);
        Assert.Equal((expectedId, expectedPriority, expectedKey), ((int)s.PortId, (int)s.PortPriority, (int)s.Key));
    }
}
