// SharpSwitch: an Open vSwitch-compatible virtual switch.
using CsCheck;

namespace SharpSwitch.Bonding.Tests;

/// <summary>Arbitrary OVSDB values never crash the parsers, and what they produce keeps OVS's invariants.</summary>
public sealed class SettingsFuzzTests
{
    private static readonly string[] s_portKeys =
    [
        "bond-primary", "bond-hash-basis", "bond-rebalance-interval", "bond-detect-mode", "bond-miimon-interval",
        "lb-output-action", "all-members-active", "lacp-fallback-ab", "bond-failback", "bond-failback-delay", "other",
        "lacp-system-id", "lacp-system-priority", "lacp-time",
    ];

    private static readonly Gen<string> s_value = Gen.OneOf(
        Gen.String,
        Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf("true", "TRUE", "false", "yes", "", " 12", "12 ", "-0", "+5", "never", "always", "better", "failure", "miimon", "carrier"));

    private static readonly Gen<string?> s_nullableValue = Gen.OneOf(Gen.Const((string?)null), s_value.Select(v => (string?)v),
        Gen.OneOf<string?>("active-backup", "balance-slb", "balance-tcp", "active", "passive", "off"));

    private static readonly Gen<Dictionary<string, string>> s_map =
        Gen.Select(Gen.Int[0, s_portKeys.Length - 1], s_value).Array[0, 12]
            .Select(pairs => pairs.GroupBy(p => s_portKeys[p.Item1]).ToDictionary(g => g.Key, g => g.Last().Item2));

    [Fact]
    public void Port_rows_never_throw_and_respect_ovs_invariants()
    {
        Gen.Select(s_nullableValue, s_nullableValue, Gen.Long.Nullable(), Gen.Long.Nullable(), s_map).Sample((mode, lacp, up, down, map) =>
        {
            var warnings = new List<string>();
            BondSettings s = BondSettings.FromOvsdb("p", mode, lacp, up, down, map, warnings);
            Assert.InRange(s.UpDelayMs, 0, int.MaxValue);
            Assert.InRange(s.DownDelayMs, 0, int.MaxValue);
            Assert.True(s.RebalanceIntervalMs == 0 || s.RebalanceIntervalMs >= 1000);
            Assert.True(s.FailbackDelayMs >= 0);
            Assert.True(s.Primary is null || s.Mode == BondMode.ActiveBackup || s.LacpFallbackAb);
            Assert.True(!s.LbOutputAction || s.Mode == BondMode.BalanceTcp);
            Assert.InRange(s.LacpSystemPriority, 0, 65535);
            Assert.True(s.LacpSystemId is null || (!s.LacpSystemId.Value.IsZero && s.Lacp != LacpMode.Off));
            Assert.All(warnings, w => Assert.StartsWith("port p: ", w));
            Assert.Equal(s, BondSettings.FromOvsdb("p", mode, lacp, up, down, map, new List<string>()));

            // The bond accepts whatever the parser produced.
            var bond = new Bond("p", s);
            bond.AddMember("a", TestBonds.Mac(1), MemberSettings.Default, true, 0);
            bond.AddMember("b", TestBonds.Mac(2), MemberSettings.Default, false, 0);
            bond.Run(0);
            Assert.NotEmpty(BondText.RenderShow(bond, 0));
        }, iter: 2000);
    }

    [Fact]
    public void Interface_rows_never_throw()
    {
        Gen.Select(s_value, s_value).Sample((priority, disabled) =>
        {
            var warnings = new List<string>();
            MemberSettings m = MemberSettings.FromOvsdb("i",
                new Dictionary<string, string> { ["bond-member-priority"] = priority, ["bond-member-disabled"] = disabled }, warnings);
            Assert.Equal(m.MaintenanceDisabled, string.Equals(disabled, "true", StringComparison.OrdinalIgnoreCase));
            Assert.True(warnings.Count <= 2);
        }, iter: 2000);
    }
}
