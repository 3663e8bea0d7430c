// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Switchd.Tests;

/// <summary>
/// LACP between a SharpSwitch bond and a real ovs-vswitchd 3.1 bond, their members cabled pairwise over unix sockets
/// (netdev-dummy streams). Both daemons' clocks are stopped and warped in step, so every LACP timer runs on virtual
/// time; the only waiting is for frames to cross the sockets.
/// </summary>
public sealed class LacpInteropTests
{
    private static async Task<bool> WarpBothUntil(SwitchSandbox ours, SwitchSandbox ovs, Func<bool> condition)
    {
        for (int step = 0; step < 120; step++)
        {
            if (condition())
            {
                return true;
            }
            ours.AppctlOk("time/warp", "250");
            ovs.AppctlOk("time/warp", "250");
            // Frames cross a socket between two processes; give the I/O a moment (this is not a timer under test).
            await Task.Delay(20);
        }
        return condition();
    }

    [SharpSwitch.Testing.RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl", "ovs-vswitchd")]
    public async Task SharpSwitch_and_real_OVS_negotiate_and_both_see_a_lost_cable()
    {
        await using SwitchSandbox ours = await SwitchSandbox.StartAsync(SwitchKind.SharpSwitch);
        await using SwitchSandbox ovs = await SwitchSandbox.StartAsync(SwitchKind.RealOvs);
        string d = ours.Directory;
        ours.AppctlOk("time/stop");
        ovs.AppctlOk("time/stop");
        ours.Vsctl("add-br", "br0", "--", "add-bond", "br0", "bond0", "a1", "a2", "lacp=active", "bond_mode=balance-tcp", "other_config:lacp-time=fast",
            "--", "set", "interface", "a1", "type=dummy", $"options:pstream=punix:{d}/l1.sock",
            "--", "set", "interface", "a2", "type=dummy", $"options:pstream=punix:{d}/l2.sock");
        ovs.Vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev", "--", "add-bond", "br0", "bond0", "b1", "b2", "lacp=active", "bond_mode=balance-tcp", "other_config:lacp-time=fast",
            "--", "set", "interface", "b1", "type=dummy", $"options:stream=unix:{d}/l1.sock",
            "--", "set", "interface", "b2", "type=dummy", $"options:stream=unix:{d}/l2.sock");

        bool Negotiated(SwitchSandbox s, string m1, string m2)
        {
            string show = s.AppctlOk("lacp/show", "bond0");
            return show.Contains("status: active negotiated", StringComparison.Ordinal)
                && show.Contains($"member: {m1}: current attached", StringComparison.Ordinal)
                && show.Contains($"member: {m2}: current attached", StringComparison.Ordinal);
        }
        Assert.True(await WarpBothUntil(ours, ovs, () => Negotiated(ours, "a1", "a2") && Negotiated(ovs, "b1", "b2")),
            "ours:\n" + ours.AppctlOk("lacp/show", "bond0") + "\nOVS:\n" + ovs.AppctlOk("lacp/show", "bond0"));
        Assert.Contains("lacp_status: negotiated", ours.AppctlOk("bond/show", "bond0"), StringComparison.Ordinal);
        Assert.Contains("lacp_status: negotiated", ovs.AppctlOk("bond/show", "bond0"), StringComparison.Ordinal);

        // Lose the second cable on the OVS side: both ends stop hearing PDUs on it and take it out of service.
        ovs.Vsctl("remove", "interface", "b2", "options", "stream");
        Assert.True(await WarpBothUntil(ours, ovs, () =>
            ours.AppctlOk("bond/show", "bond0").Contains("member a2: disabled", StringComparison.Ordinal)
            && ovs.AppctlOk("bond/show", "bond0").Contains("member b2: disabled", StringComparison.Ordinal)),
            "ours:\n" + ours.AppctlOk("bond/show", "bond0") + "\nOVS:\n" + ovs.AppctlOk("bond/show", "bond0"));
        Assert.Contains("member a1: enabled", ours.AppctlOk("bond/show", "bond0"), StringComparison.Ordinal);
        Assert.Contains("member b1: enabled", ovs.AppctlOk("bond/show", "bond0"), StringComparison.Ordinal);
    }
}
