// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Linux.Tests;

/// <summary>
/// LACP between a SharpSwitch bond and a real OVS 3.1 bond (userspace <c>netdev</c> datapath on real veths), each
/// switch in its own namespace with its own database: both negotiate, traffic flows between an internal port on
/// either side, and a cut member is disabled on both sides.
/// </summary>
[Collection("linux")]
public sealed class LacpWithOvsTests(ITestOutputHelper output)
{
    [RequiresLinuxLabFact("ovs-vswitchd")]
    public void A_SharpSwitch_bond_and_an_OVS_bond_negotiate_carry_traffic_and_both_see_a_cut_member()
    {
        using var lab = new LinuxLab(output);
        string ours = lab.AddNamespace("sw");
        string theirs = lab.AddNamespace("ovs");
        foreach (int i in new[] { 1, 2 })
        {
            lab.Must("ip", "link", "add", $"eno{i}", "netns", ours, "type", "veth", "peer", "name", $"p{i}", "netns", theirs);
            lab.Must("ip", "-n", ours, "link", "set", $"eno{i}", "up");
            lab.Must("ip", "-n", theirs, "link", "set", $"p{i}", "up");
        }
        lab.StartDatabase();
        lab.StartSharpSwitch(ours);
        string ovsDirectory = Path.Combine(lab.RunDirectory, "ovs");
        lab.StartDatabase(ovsDirectory);
        lab.StartOvsSwitch(theirs, ovsDirectory);
        string ovsControl = Path.Combine(ovsDirectory, "ovs-vswitchd.ctl");

        lab.Vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
            "--", "add-bond", "br0", "bond0", "eno1", "eno2", "lacp=active", "bond_mode=balance-slb", "other_config:lacp-time=fast",
            "--", "add-port", "br0", "port-mgt", "--", "set", "interface", "port-mgt", "type=internal");
        lab.VsctlIn(ovsDirectory, "add-br", "obr", "--", "set", "bridge", "obr", "datapath_type=netdev",
            "--", "add-bond", "obr", "obond", "p1", "p2", "lacp=active", "bond_mode=balance-slb", "other_config:lacp-time=fast");
        LinuxLab.WaitFor("port-mgt", () => lab.InNamespace(ours, "ip", "link", "show", "port-mgt").ExitCode == 0);
        LinuxLab.WaitFor("obr's TAP", () => lab.InNamespace(theirs, "ip", "link", "show", "obr").ExitCode == 0);
        lab.Must("ip", "-n", ours, "addr", "add", "192.0.2.10/24", "dev", "port-mgt");
        lab.Must("ip", "-n", ours, "link", "set", "port-mgt", "up");
        lab.Must("ip", "-n", theirs, "addr", "add", "192.0.2.1/24", "dev", "obr");
        lab.Must("ip", "-n", theirs, "link", "set", "obr", "up");

        LinuxLab.WaitFor("SharpSwitch's bond to negotiate", () => lab.Appctl(lab.SwitchControl, "bond/show", "bond0").Contains("lacp_status: negotiated", StringComparison.Ordinal));
        LinuxLab.WaitFor("OVS's bond to negotiate", () => lab.Appctl(ovsControl, "bond/show", "obond").Contains("lacp_status: negotiated", StringComparison.Ordinal));
        LinuxLab.WaitFor("both members enabled on both sides", () =>
            lab.Appctl(lab.SwitchControl, "bond/show", "bond0").Split("member eno").Skip(1).All(m => m.Contains(": enabled", StringComparison.Ordinal))
            && lab.Appctl(ovsControl, "bond/show", "obond").Split("member p").Skip(1).All(m => m.Contains(": enabled", StringComparison.Ordinal)));
        string ourLacp = lab.Appctl(lab.SwitchControl, "lacp/show", "bond0");
        output.WriteLine(ourLacp);
        Assert.Contains("status: active negotiated", ourLacp);
        Assert.Equal(10, lab.Ping(ours, "192.0.2.1", 10));

        // Cut eno1's wire on the OVS side: both switches must take the member out.
        lab.Must("ip", "-n", theirs, "link", "set", "p1", "down");
        LinuxLab.WaitFor("SharpSwitch to disable eno1", () => lab.Appctl(lab.SwitchControl, "bond/show", "bond0").Contains("member eno1: disabled", StringComparison.Ordinal));
        LinuxLab.WaitFor("OVS to disable p1", () => lab.Appctl(ovsControl, "bond/show", "obond").Contains("member p1: disabled", StringComparison.Ordinal));
        LinuxLab.WaitFor("traffic over the remaining member", () => lab.Ping(ours, "192.0.2.1", 1) == 1);
        Assert.Equal(10, lab.Ping(ours, "192.0.2.1", 10));
        Assert.Contains("member eno2: enabled", lab.Appctl(lab.SwitchControl, "bond/show", "bond0"));
        Assert.Contains("lacp_status: negotiated", lab.Appctl(ovsControl, "bond/show", "obond"));
    }
}
