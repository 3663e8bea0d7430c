// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Switchd.Tests;

/// <summary>
/// LACP through the whole daemon: two bonds with <c>lacp=active</c> in one SharpSwitch, their members cabled pairwise
/// over unix sockets (netdev-dummy streams), configured with the real ovs-vsctl. LACP timers run on the daemon's
/// clock, driven by <c>time/warp</c>; the only waiting is for frames to cross the sockets.
/// </summary>
public sealed class LacpDaemonTests
{
    private static async Task<bool> WarpUntil(SwitchSandbox sandbox, Func<bool> condition)
    {
        for (int step = 0; step < 200; step++)
        {
            if (condition())
            {
                return true;
            }
            sandbox.AppctlOk("time/warp", "250");
            // Frames sent by one bridge reach the other through a socket; give the I/O a moment, not a timer.
            await Task.Delay(10);
        }
        return condition();
    }

    [SharpSwitch.Testing.RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")]
    public async Task Two_bonds_negotiate_over_socket_cables_and_see_a_cut_link()
    {
        await using SwitchSandbox sandbox = await SwitchSandbox.StartAsync(SwitchKind.SharpSwitch);
        string d = sandbox.Directory;
        sandbox.AppctlOk("time/stop");
        sandbox.Vsctl("add-br", "br0", "--", "add-bond", "br0", "bond0", "a1", "a2", "lacp=active", "other_config:lacp-time=fast",
            "--", "set", "interface", "a1", $"options:pstream=punix:{d}/l1.sock", "--", "set", "interface", "a2", $"options:pstream=punix:{d}/l2.sock");
        sandbox.Vsctl("add-br", "br1", "--", "add-bond", "br1", "bond1", "b1", "b2", "lacp=active", "other_config:lacp-time=fast",
            "--", "set", "interface", "b1", $"options:stream=unix:{d}/l1.sock", "--", "set", "interface", "b2", $"options:stream=unix:{d}/l2.sock");

        Assert.True(await WarpUntil(sandbox, () =>
            sandbox.AppctlOk("lacp/show", "bond0").Contains("status: active negotiated", StringComparison.Ordinal)
            && sandbox.AppctlOk("lacp/show", "bond1").Contains("status: active negotiated", StringComparison.Ordinal)
            && sandbox.AppctlOk("bond/show", "bond0").Contains("member a2: enabled", StringComparison.Ordinal)));
        string show = sandbox.AppctlOk("lacp/show", "bond0");
        Assert.Contains("member: a1: current attached", show, StringComparison.Ordinal);
        Assert.Contains("member: a2: current attached", show, StringComparison.Ordinal);
        Assert.Contains("lacp_status: negotiated", sandbox.AppctlOk("bond/show", "bond1"), StringComparison.Ordinal);

        // Cut the second link: its members stop hearing PDUs and are disabled on both sides; the bond stays negotiated.
        sandbox.Vsctl("set", "interface", "b2", $"options:stream=unix:{d}/nowhere.sock");
        Assert.True(await WarpUntil(sandbox, () =>
            sandbox.AppctlOk("bond/show", "bond0").Contains("member a2: disabled", StringComparison.Ordinal)
            && sandbox.AppctlOk("bond/show", "bond1").Contains("member b2: disabled", StringComparison.Ordinal)));
        Assert.Contains("member a1: enabled", sandbox.AppctlOk("bond/show", "bond0"), StringComparison.Ordinal);
        Assert.Contains("lacp_status: negotiated", sandbox.AppctlOk("bond/show", "bond0"), StringComparison.Ordinal);
        Assert.Contains("RX PDUs:", sandbox.AppctlOk("lacp/show-stats", "bond0"), StringComparison.Ordinal);

        // lacp_current as OVS writes it: true while the member has a partner (even expired), false once defaulted.
        Assert.True(await WarpUntil(sandbox, () => sandbox.AppctlOk("lacp/show", "bond0").Contains("member: a2: defaulted", StringComparison.Ordinal)));
        sandbox.AppctlOk("time/warp", "6000");
        sandbox.Vsctl("set", "open_vswitch", ".", "external_ids:probe=1");
        Assert.Equal("true\n", sandbox.Vsctl("get", "interface", "a1", "lacp_current"));
        Assert.Equal("false\n", sandbox.Vsctl("get", "interface", "a2", "lacp_current"));
    }
}
