// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding.Tests;

/// <summary>§A.2 parsing rules of <see cref="BondSettings.FromOvsdb(string?, string?, string?, long?, long?, IReadOnlyDictionary{string, string}, ICollection{string})"/> and the new keys.</summary>
public sealed class SettingsParsingTests
{
    private static BondSettings Parse(string? mode, Dictionary<string, string> config, List<string> warnings,
        string? lacp = null, long? updelay = null, long? downdelay = null)
    {
        return BondSettings.FromOvsdb("bond0", mode, lacp, updelay, downdelay, config, warnings);
    }

    [Fact]
    public void Empty_row_gives_ovs_defaults_and_the_default_mode_warning()
    {
        var warnings = new List<string>();
        BondSettings s = Parse(null, new(), warnings);
        Assert.Equal(BondMode.ActiveBackup, s.Mode);
        Assert.Equal(0, s.UpDelayMs);
        Assert.Equal(0, s.DownDelayMs);
        Assert.Null(s.Primary);
        Assert.Equal(0u, s.HashBasis);
        Assert.Equal(10000, s.RebalanceIntervalMs);
        Assert.Equal(LacpMode.Off, s.Lacp);
        Assert.False(s.LacpFallbackAb);
        Assert.False(s.AllMembersActive);
        Assert.Null(s.Failback);
        Assert.Equal(0, s.FailbackDelayMs);
        Assert.Equal(FailbackPolicy.Never, s.EffectiveFailback);
        Assert.Equal(
            ["port bond0: Using the default bond_mode active-backup. Note that in previous versions, the default bond_mode was balance-slb"],
            warnings);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("yes", false)]
    [InlineData("1", false)]
    [InlineData("on", false)]
    [InlineData("", false)]
    [InlineData(" true", false)]
    public void Only_case_insensitive_true_is_true(string value, bool expected)
    {
        var warnings = new List<string>();
        BondSettings s = Parse("balance-slb", new() { ["lacp-fallback-ab"] = value, ["all-members-active"] = value }, warnings);
        Assert.Equal(expected, s.LacpFallbackAb);
        Assert.Equal(expected, s.AllMembersActive);
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData("12345", 12345u)]
    [InlineData(" 7", 7u)]
    [InlineData("+7", 7u)]
    [InlineData("-1", 4294967295u)]
    [InlineData("7 ", 0u)]
    [InlineData("0x10", 0u)]
    [InlineData("abc", 0u)]
    [InlineData("", 0u)]
    [InlineData("2147483648", 0u)]
    [InlineData("-2147483648", 2147483648u)]
    public void Hash_basis_follows_ovs_integer_rules(string value, uint expected)
    {
        BondSettings s = Parse("balance-slb", new() { ["bond-hash-basis"] = value }, new());
        Assert.Equal(expected, s.HashBasis);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("1", 1000)]
    [InlineData("999", 1000)]
    [InlineData("1000", 1000)]
    [InlineData("5000", 5000)]
    [InlineData("-5", 1000)]
    [InlineData("bogus", 10000)]
    public void Rebalance_interval_is_raised_to_1000(string value, int expected)
    {
        BondSettings s = Parse("balance-tcp", new() { ["bond-rebalance-interval"] = value }, new());
        Assert.Equal(expected, s.RebalanceIntervalMs);
    }

    [Fact]
    public void Negative_delays_become_zero_and_huge_ones_are_clamped_with_a_warning()
    {
        var warnings = new List<string>();
        BondSettings s = Parse("active-backup", new(), warnings, updelay: -5, downdelay: -1);
        Assert.Equal(0, s.UpDelayMs);
        Assert.Equal(0, s.DownDelayMs);
        Assert.Empty(warnings);

        s = Parse("active-backup", new(), warnings, updelay: 3000, downdelay: 1L << 40);
        Assert.Equal(3000, s.UpDelayMs);
        Assert.Equal(int.MaxValue, s.DownDelayMs);
        Assert.Single(warnings);
        Assert.Contains("bond_downdelay", warnings[0]);
    }

    [Theory]
    [InlineData("active-backup", "false", "eno1")]
    [InlineData("balance-slb", "false", null)]
    [InlineData("balance-tcp", "false", null)]
    [InlineData("balance-tcp", "true", "eno1")]
    [InlineData("balance-slb", "TRUE", "eno1")]
    public void Bond_primary_is_read_only_for_active_backup_or_fallback(string mode, string fallback, string? expected)
    {
        BondSettings s = Parse(mode, new() { ["bond-primary"] = "eno1", ["lacp-fallback-ab"] = fallback }, new());
        Assert.Equal(expected, s.Primary);
        Assert.Equal(expected is null ? FailbackPolicy.Never : FailbackPolicy.Always, s.EffectiveFailback);
    }

    [Fact]
    public void Unknown_mode_lacp_and_detect_mode_warn_in_ovs_words()
    {
        var warnings = new List<string>();
        BondSettings s = Parse("round-robin", new() { ["bond-detect-mode"] = "arp" }, warnings, lacp: "sometimes");
        Assert.Equal(BondMode.ActiveBackup, s.Mode);
        Assert.Equal(LacpMode.Off, s.Lacp);
        Assert.Equal(BondDetectMode.Carrier, s.DetectMode);
        Assert.Equal(
            [
                "port bond0: unknown bond_mode round-robin, defaulting to active-backup",
                "port bond0: unknown LACP mode sometimes",
                "port bond0: unsupported bond-detect-mode arp, defaulting to carrier",
            ],
            warnings);
    }

    [Fact]
    public void Miimon_interval_applies_only_with_miimon_detection()
    {
        Assert.Equal(0, Parse("active-backup", new() { ["bond-miimon-interval"] = "50" }, new()).MiimonIntervalMs);
        BondSettings s = Parse("active-backup", new() { ["bond-detect-mode"] = "miimon", ["bond-miimon-interval"] = "50" }, new());
        Assert.Equal(BondDetectMode.Miimon, s.DetectMode);
        Assert.Equal(50, s.MiimonIntervalMs);
        Assert.Equal(200, Parse("active-backup", new() { ["bond-detect-mode"] = "miimon", ["bond-miimon-interval"] = "-3" }, new()).MiimonIntervalMs);
    }

    [Fact]
    public void Lacp_modes_and_lb_output_only_for_tcp()
    {
        Assert.Equal(LacpMode.Active, Parse("balance-tcp", new(), new(), lacp: "active").Lacp);
        Assert.Equal(LacpMode.Passive, Parse("balance-tcp", new(), new(), lacp: "passive").Lacp);
        Assert.Equal(LacpMode.Off, Parse("balance-tcp", new(), new(), lacp: "off").Lacp);
        Assert.True(Parse("balance-tcp", new() { ["lb-output-action"] = "true" }, new()).LbOutputAction);
        Assert.False(Parse("balance-slb", new() { ["lb-output-action"] = "true" }, new()).LbOutputAction);
    }

    [Theory]
    [InlineData("never", FailbackPolicy.Never)]
    [InlineData("always", FailbackPolicy.Always)]
    [InlineData("better", FailbackPolicy.Better)]
    [InlineData("failure", FailbackPolicy.Failure)]
    public void Failback_policies_parse(string value, FailbackPolicy expected)
    {
        var warnings = new List<string>();
        BondSettings s = Parse("active-backup", new() { ["bond-failback"] = value, ["bond-failback-delay"] = "30000" }, warnings);
        Assert.Equal(expected, s.Failback);
        Assert.Equal(expected, s.EffectiveFailback);
        Assert.Equal(30000, s.FailbackDelayMs);
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData("bond-failback", "sometimes", "port bond0: invalid bond-failback \"sometimes\" (expected never, always, better or failure); using the default")]
    [InlineData("bond-failback", "Always", "port bond0: invalid bond-failback \"Always\" (expected never, always, better or failure); using the default")]
    [InlineData("bond-failback-delay", "-1", "port bond0: invalid bond-failback-delay \"-1\" (expected a non-negative number of milliseconds); using 0")]
    [InlineData("bond-failback-delay", "5s", "port bond0: invalid bond-failback-delay \"5s\" (expected a non-negative number of milliseconds); using 0")]
    public void Invalid_new_keys_warn_and_are_ignored(string key, string value, string warning)
    {
        var warnings = new List<string>();
        BondSettings s = Parse("active-backup", new() { [key] = value }, warnings);
        Assert.Null(s.Failback);
        Assert.Equal(0, s.FailbackDelayMs);
        Assert.Equal([warning], warnings);
    }

    [Fact]
    public void Warnings_without_a_port_name_have_no_prefix()
    {
        var warnings = new List<string>();
        BondSettings.FromOvsdb("foo", null, null, null, new Dictionary<string, string>(), warnings);
        Assert.Equal(["unknown bond_mode foo, defaulting to active-backup"], warnings);
    }

    [Fact]
    public void Member_settings_parse_and_warn()
    {
        var warnings = new List<string>();
        MemberSettings m = MemberSettings.FromOvsdb("eno1", new Dictionary<string, string> { ["bond-member-priority"] = "-20", ["bond-member-disabled"] = "TRUE" }, warnings);
        Assert.Equal(-20, m.Priority);
        Assert.True(m.MaintenanceDisabled);
        Assert.Empty(warnings);

        m = MemberSettings.FromOvsdb("eno1", new Dictionary<string, string> { ["bond-member-priority"] = "high", ["bond-member-disabled"] = "yes" }, warnings);
        Assert.Equal(0, m.Priority);
        Assert.False(m.MaintenanceDisabled);
        Assert.Equal(
            [
                "interface eno1: invalid bond-member-priority \"high\" (expected an integer); using 0",
                "interface eno1: invalid bond-member-disabled \"yes\" (expected true or false); ignoring it",
            ],
            warnings);

        Assert.Equal(MemberSettings.Default, MemberSettings.FromOvsdb(new Dictionary<string, string> { ["bond-member-disabled"] = "false" }, warnings));
    }

    [Fact]
    public void Active_slave_column_parses_a_mac_or_nothing()
    {
        Assert.Equal(TestBonds.Mac(5), Bond.ParseActiveSlaveColumn("02:00:00:00:00:05"));
        Assert.Null(Bond.ParseActiveSlaveColumn(null));
        Assert.Null(Bond.ParseActiveSlaveColumn(""));
        Assert.Null(Bond.ParseActiveSlaveColumn("not-a-mac"));
    }

    [Fact]
    public void Lacp_port_keys_parse_and_a_bad_system_id_turns_lacp_off()
    {
        var warnings = new List<string>();
        BondSettings s = Parse("balance-tcp", new() { ["lacp-system-id"] = "aa:bb:cc:dd:ee:ff", ["lacp-system-priority"] = "100", ["lacp-time"] = "FAST" }, warnings, lacp: "active");
        Assert.Equal(LacpMode.Active, s.Lacp);
        Assert.Equal(Packets.MacAddress.Parse("aa:bb:cc:dd:ee:ff"), s.LacpSystemId);
        Assert.Equal(100, s.LacpSystemPriority);
        Assert.True(s.LacpFastTime);
        Assert.Empty(warnings);

        s = Parse("balance-tcp", new() { ["lacp-system-priority"] = "70000", ["lacp-time"] = "slow" }, warnings, lacp: "passive");
        Assert.Null(s.LacpSystemId);
        Assert.Equal(0, s.LacpSystemPriority);
        Assert.False(s.LacpFastTime);

        s = Parse("balance-tcp", new() { ["lacp-system-id"] = "nonsense" }, warnings, lacp: "active");
        Assert.Equal(LacpMode.Off, s.Lacp);
        s = Parse("balance-tcp", new() { ["lacp-system-id"] = "00:00:00:00:00:00" }, warnings, lacp: "active");
        Assert.Equal(LacpMode.Off, s.Lacp);
        Assert.Equal(["port bond0: LACP system ID (nonsense) must be an Ethernet address.", "port bond0: Invalid zero LACP system ID."], warnings);

        // Without LACP the key is not even looked at, as in OVS.
        Assert.Equal(LacpMode.Off, Parse("balance-tcp", new() { ["lacp-system-id"] = "nonsense" }, warnings).Lacp);
        Assert.Equal(2, warnings.Count);
    }
}
