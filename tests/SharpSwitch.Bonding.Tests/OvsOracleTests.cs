// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;
using SharpSwitch.Testing;

namespace SharpSwitch.Bonding.Tests;

/// <summary>
/// Drives a real OVS 3.1 (dummy netdevs, stopped clock, <c>time/warp</c>) and the SharpSwitch bond through the same
/// steps, and requires the same <c>bond/show</c> text after every step, the same command replies and the same bond
/// log lines. OVS's log rate limit is switched off so that no line is dropped.
/// </summary>
public sealed class OvsOracleTests
{
    /// <summary>One bond in both worlds; our clock advances by exactly what OVS's time/warp adds.</summary>
    private sealed class Twin
    {
        private readonly OvsOracle _ovs;
        private readonly RecordingSink _sink = new();
        private long _nowMs;

        /// <summary>
        /// Creates the bond in both worlds from the same Port values; our settings come from our parser. With
        /// <c>lacp</c> set, OVS runs its LACP engine, which SharpSwitch does not have yet, so such scenarios must wait
        /// for it (a fresh LACP bond even reports a transient "negotiated" with every member disabled, §D.9). OVS's first
        /// choice without a primary is arbitrary (hash order), so both sides start in active-backup with the first
        /// member as primary, and then switch to the scenario's configuration.
        /// </summary>
        public Twin(OvsOracle ovs, string[] members, string bondMode, int updelayMs, int downdelayMs, Dictionary<string, string> otherConfig,
            string? lacp = null)
        {
            _ovs = ovs;
            // Every bond line must reach the log; OVS would otherwise drop some under its rate limit.
            ovs.AppctlOk("vlog/disable-rate-limit", "bond");
            ovs.Vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy");
            ovs.Vsctl(["add-bond", "br0", "bond0", .. members, "bond_mode=active-backup", $"other_config:bond-primary={members[0]}"]);
            ovs.AppctlOk("time/stop");
            var warnings = new List<string>();
            Settings = BondSettings.FromOvsdb("bond0", bondMode, lacp, updelayMs, downdelayMs, otherConfig, warnings);
            Assert.Empty(warnings);

            var columns = new List<string> { "set", "port", "bond0", $"bond_mode={bondMode}", $"bond_updelay={updelayMs}", $"bond_downdelay={downdelayMs}" };
            columns.AddRange(otherConfig.Select(kv => $"other_config:{kv.Key}={kv.Value}"));
            if (lacp is not null)
            {
                columns.Add($"lacp={lacp}");
            }
            ovs.Vsctl([.. columns]);
            if (!otherConfig.ContainsKey("bond-primary"))
            {
                ovs.Vsctl("remove", "port", "bond0", "other_config", "bond-primary");
            }
            RecirculationIdAllocator ids = new();
            if (Settings.Mode != BondMode.ActiveBackup)
            {
                // Our pool hands out the id OVS's pool gave this bond.
                string line = ovs.AppctlOk("bond/list").Split('\n')[1];
                uint ovsId = uint.Parse(line.Split('\t')[2], System.Globalization.CultureInfo.InvariantCulture);
                for (uint i = 1; i < ovsId; i++)
                {
                    ids.Allocate();
                }
            }

            Bond = new Bond("bond0", new BondSettings { Primary = members[0] }, _sink, ids);
            foreach (string member in members)
            {
                string mac = ovs.Vsctl("get", "interface", member, "mac_in_use").Trim().Trim('"');
                Bond.AddMember(member, MacAddress.Parse(mac), MemberSettings.Default, true, 0);
            }
            Bond.Run(0);
            Bond.Reconfigure(Settings, 0);
            Bond.Run(0);
            AssertSameShow("setup");
        }

        public BondSettings Settings { get; }

        public Bond Bond { get; }

        /// <summary>Changes the Port row in OVS (ovs-vsctl waits until vswitchd applied it) and reconfigures our bond.</summary>
        public void Reconfigure(BondSettings settings, params string[] vsctlArguments)
        {
            _ovs.Vsctl(vsctlArguments);
            Bond.Reconfigure(settings, _nowMs);
            Bond.Run(_nowMs);
            AssertSameShow(string.Join(' ', vsctlArguments));
        }

        public void LinkDown(string member) => Link(member, false);

        public void LinkUp(string member) => Link(member, true);

        public void Warp(int ms)
        {
            _ovs.AppctlOk("time/warp", ms.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _nowMs += ms;
            Bond.Run(_nowMs);
            AssertSameShow($"time/warp {ms}");
        }

        /// <summary>Runs a bond/* command on both sides and compares the replies (or errors).</summary>
        public string Command(string command, string member)
        {
            ProcessRunner.Result result = _ovs.Appctl(command, "bond0", member);
            string ours;
            try
            {
                ours = command switch
                {
                    "bond/set-active-member" => Bond.SetActiveMember(member, _nowMs),
                    "bond/enable-member" => Bond.EnableMember(member, _nowMs),
                    "bond/disable-member" => Bond.DisableMember(member, _nowMs),
                    _ => throw new ArgumentOutOfRangeException(nameof(command)),
                };
                Assert.True(result.ExitCode == 0, $"OVS refused {command} {member}: {result.StandardError}");
                Assert.Equal(result.StandardOutput.TrimEnd('\n'), ours);
            }
            catch (BondCommandException e)
            {
                Assert.Equal(2, result.ExitCode);
                Assert.StartsWith(e.Message + "\n", result.StandardError);
                ours = e.Message;
            }
            Bond.Run(_nowMs);
            AssertSameShow($"{command} {member}");
            return ours;
        }

        /// <summary>
        /// Closes vswitchd's log (it is written asynchronously; closing flushes it), then compares the bond log lines.
        /// </summary>
        public void AssertSameLog()
        {
            _ovs.AppctlOk("vlog/close");
            Assert.Equal(InMemberNameOrder(_ovs.BondLog()), InMemberNameOrder(_sink.OvsLog));
        }

        /// <summary>
        /// OVS updates members in hash order, so the lines of different members between two bond-level lines may come
        /// in either order; this sorts them by member name (stably, keeping each member's own order). Bond-level lines
        /// keep their places.
        /// </summary>
        private static List<string> InMemberNameOrder(List<string> lines)
        {
            var result = new List<string>();
            var segment = new List<string>();
            foreach (string line in lines)
            {
                if (line.StartsWith("member ", StringComparison.Ordinal))
                {
                    segment.Add(line);
                    continue;
                }
                result.AddRange(segment.OrderBy(MemberOf, StringComparer.Ordinal));
                segment.Clear();
                result.Add(line);
            }
            result.AddRange(segment.OrderBy(MemberOf, StringComparer.Ordinal));
            return result;
        }

        private static string MemberOf(string line) => line["member ".Length..line.IndexOf(':', StringComparison.Ordinal)];

        private void Link(string member, bool up)
        {
            _ovs.AppctlOk("netdev-dummy/set-admin-state", member, up ? "up" : "down");
            Bond.SetMemberLink(member, up, true, _nowMs);
            Bond.Run(_nowMs);
            AssertSameShow($"{member} {(up ? "up" : "down")}");
        }

        private void AssertSameShow(string step)
        {
            string expected = _ovs.AppctlOk("bond/show", "bond0");
            string actual = BondText.RenderShow(Bond, _nowMs);
            Assert.True(expected == actual, $"after {step}:\n--- OVS 3.1 ---\n{expected}--- SharpSwitch ---\n{actual}");
        }
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")]
    public void Primary_with_updelay_matches_real_ovs()
    {
        using var ovs = new OvsOracle();
        var twin = new Twin(ovs, ["p1", "p2"], "active-backup", 100, 0, new() { ["bond-primary"] = "p1" });
        twin.LinkDown("p1");
        twin.Warp(50);
        twin.LinkUp("p1");
        twin.Warp(60);
        twin.Warp(60);
        Assert.Equal("done", twin.Command("bond/set-active-member", "p2"));
        Assert.Equal("disabled", twin.Command("bond/disable-member", "p1"));
        twin.Warp(100);
        twin.LinkDown("p1");
        twin.LinkDown("p2");
        twin.LinkUp("p2");
        twin.Warp(30);
        twin.LinkUp("p1");
        twin.Warp(100);
        Assert.Equal("p1", twin.Bond.ActiveName());
        twin.AssertSameLog();
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")]
    public void No_primary_with_both_delays_matches_real_ovs()
    {
        using var ovs = new OvsOracle();
        var twin = new Twin(ovs, ["p1", "p2"], "active-backup", 200, 150, new());
        twin.LinkDown("p1");
        twin.Warp(100);
        twin.LinkUp("p1");
        twin.LinkDown("p1");
        twin.Warp(150);
        twin.LinkUp("p1");
        twin.Warp(100);
        twin.Warp(100);
        Assert.Equal("p2", twin.Bond.ActiveName());
        Assert.Equal("disabled", twin.Command("bond/disable-member", "p2"));
        twin.Warp(200);
        twin.LinkDown("p1");
        twin.LinkDown("p2");
        twin.Warp(150);
        Assert.Null(twin.Bond.ActiveMember);
        Assert.Equal("enabled", twin.Command("bond/enable-member", "p1"));
        twin.Warp(150);
        Assert.Equal("cannot make disabled member active", twin.Command("bond/set-active-member", "p1"));
        Assert.Equal("no such member", twin.Command("bond/set-active-member", "p9"));
        twin.AssertSameLog();
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")]
    public void Primary_with_downdelay_then_reconfigured_matches_real_ovs()
    {
        using var ovs = new OvsOracle();
        var twin = new Twin(ovs, ["p1", "p2"], "active-backup", 0, 200, new() { ["bond-primary"] = "p1" });
        BondSettings settings = twin.Settings;
        twin.LinkDown("p1");
        twin.Warp(100);
        Assert.Equal("p1", twin.Bond.ActiveName());
        twin.LinkUp("p1");
        twin.LinkDown("p1");
        twin.Warp(199);
        twin.Warp(1);
        Assert.Equal("p2", twin.Bond.ActiveName());
        twin.LinkUp("p1");
        Assert.Equal("p1", twin.Bond.ActiveName());
        Assert.Equal("no change", twin.Command("bond/set-active-member", "p1"));
        Assert.Equal("done", twin.Command("bond/set-active-member", "p2"));
        Assert.Equal("disabled", twin.Command("bond/disable-member", "p2"));
        Assert.Equal("enabled", twin.Command("bond/enable-member", "p1"));

        settings = settings with { UpDelayMs = 300 };
        twin.Reconfigure(settings, "set", "port", "bond0", "bond_updelay=300");
        settings = settings with { Primary = null };
        twin.Reconfigure(settings, "remove", "port", "bond0", "other_config", "bond-primary");
        twin.LinkDown("p1");
        twin.Warp(200);
        twin.LinkUp("p1");
        twin.Warp(299);
        twin.Warp(1);
        Assert.Equal("p2", twin.Bond.ActiveName());
        settings = settings with { Primary = "p9" };
        twin.Reconfigure(settings, "set", "port", "bond0", "other_config:bond-primary=p9");
        twin.AssertSameLog();
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")]
    public void Balance_slb_member_and_active_tracking_matches_real_ovs()
    {
        using var ovs = new OvsOracle();
        // OVS ignores bond-primary outside active-backup; our parser must too.
        var twin = new Twin(ovs, ["p1", "p2"], "balance-slb", 100, 0,
            new() { ["bond-primary"] = "p2", ["all-members-active"] = "true", ["bond-hash-basis"] = "7" });
        Assert.Null(twin.Settings.Primary);
        twin.LinkDown("p1");
        Assert.Equal("p2", twin.Bond.ActiveName());
        twin.Warp(40);
        twin.LinkUp("p1");
        twin.Warp(100);
        Assert.Equal("done", twin.Command("bond/set-active-member", "p1"));
        twin.LinkDown("p2");
        twin.LinkDown("p1");
        twin.LinkUp("p2");
        twin.Warp(60);
        twin.AssertSameLog();
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")]
    public void Balance_tcp_without_lacp_matches_real_ovs()
    {
        using var ovs = new OvsOracle();
        var twin = new Twin(ovs, ["p1", "p2"], "balance-tcp", 0, 300, new() { ["bond-rebalance-interval"] = "5000" });
        Assert.Equal(-1, twin.Bond.SelectTxMember(default));
        twin.LinkDown("p1");
        twin.Warp(100);
        twin.Warp(200);
        Assert.Equal("p2", twin.Bond.ActiveName());
        twin.LinkUp("p1");
        twin.AssertSameLog();
    }
}
