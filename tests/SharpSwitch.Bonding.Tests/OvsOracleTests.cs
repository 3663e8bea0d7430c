// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;
using SharpSwitch.Testing;

namespace SharpSwitch.Bonding.Tests;

/// <summary>
/// Drives a real OVS 3.1 (dummy netdevs, stopped clock, <c>time/warp</c>) and the SharpSwitch bond through the same
/// steps, and requires the same <c>bond/show</c> text after every step, the same command replies and the same bond
/// log lines. The scenarios stay under OVS's log rate limit (a burst of 20 lines).
/// </summary>
public sealed class OvsOracleTests
{
    /// <summary>One bond in both worlds; our clock advances by exactly what OVS's time/warp adds.</summary>
    private sealed class Twin
    {
        private readonly OvsOracle _ovs;
        private readonly RecordingSink _sink = new();
        private readonly int _ovsLogStart;
        private long _nowMs;

        public Twin(OvsOracle ovs, string[] members, BondSettings settings, string[] portSettings)
        {
            _ovs = ovs;
            ovs.Vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy");
            ovs.Vsctl(["add-bond", "br0", "bond0", .. members, .. portSettings]);
            ovs.AppctlOk("time/stop");
            Bond = new Bond("bond0", settings, _sink);
            foreach (string member in members)
            {
                string mac = ovs.Vsctl("get", "interface", member, "mac_in_use").Trim().Trim('"');
                Bond.AddMember(member, MacAddress.Parse(mac), MemberSettings.Default, true, 0);
            }
            Bond.Run(0);
            if (settings.Primary is null)
            {
                // OVS's first choice without a primary is arbitrary (hash order); align both on the first member.
                Command("bond/set-active-member", members[0]);
            }
            _ovsLogStart = ovs.BondLog().Count;
            _sink.Clear();
            AssertSameShow("setup");
        }

        public Bond Bond { get; }

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

        public void AssertSameLog()
        {
            Assert.Equal(_ovs.BondLog().Skip(_ovsLogStart).ToList(), _sink.OvsLog);
        }

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
        var twin = new Twin(ovs, ["p1", "p2"], new BondSettings { Primary = "p1", UpDelayMs = 100 },
            ["bond_mode=active-backup", "bond_updelay=100", "other_config:bond-primary=p1"]);
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
        var twin = new Twin(ovs, ["p1", "p2"], new BondSettings { UpDelayMs = 200, DownDelayMs = 150 },
            ["bond_mode=active-backup", "bond_updelay=200", "bond_downdelay=150"]);
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
}
