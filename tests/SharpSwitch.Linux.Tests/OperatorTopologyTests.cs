// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Linux.Tests;

/// <summary>
/// The operator's experiment (bonding-spec §H.1) on veth pairs: ping through the bond, pull the active member's
/// cable, plug it back, and read what the bond and the kernel's <c>ip -s link</c> counters say.
/// </summary>
[Collection("linux")]
public sealed class OperatorTopologyTests(ITestOutputHelper output)
{
    private const int Pings = 10;

    [RequiresLinuxLabFact]
    public void Without_a_primary_traffic_moves_to_the_other_member_and_does_not_fail_back()
    {
        using var lab = new LinuxLab(output);
        using var topology = new OperatorTopology(lab);
        Assert.Equal(Pings, topology.PingGateway(Pings));
        string first = topology.Active() ?? throw new InvalidOperationException("no active member");
        string other = first == "eno1" ? "eno2" : "eno1";

        // Before the failure the active member carries the traffic: the kernel saw the switch transmit on it.
        var before = (First: topology.Counters(first), Other: topology.Counters(other));
        Assert.Equal(Pings, topology.PingGateway(Pings));
        var during = (First: topology.Counters(first), Other: topology.Counters(other));
        Assert.True(during.First.Tx - before.First.Tx >= Pings, $"{first} TX grew by {during.First.Tx - before.First.Tx}");
        Assert.Equal(before.Other.Tx, during.Other.Tx);

        topology.SetCable(first, plugged: false);
        topology.WaitForActive(other);
        Assert.Contains($"member {first}: disabled", topology.BondShow());
        var failed = (First: topology.Counters(first), Other: topology.Counters(other));
        Assert.Equal(Pings, topology.PingGateway(Pings));
        var afterFailover = (First: topology.Counters(first), Other: topology.Counters(other));
        Assert.Equal(failed.First.Tx, afterFailover.First.Tx);
        Assert.True(afterFailover.Other.Tx - failed.Other.Tx >= Pings, $"{other} TX grew by {afterFailover.Other.Tx - failed.Other.Tx}");

        topology.SetCable(first, plugged: true);
        topology.WaitForMember(first, "enabled");
        var recovered = (First: topology.Counters(first), Other: topology.Counters(other));
        Assert.Equal(Pings, topology.PingGateway(Pings));
        var afterRecovery = (First: topology.Counters(first), Other: topology.Counters(other));
        // No failback: the recovered member stays a backup, as on OVS 3.1 without bond-primary.
        Assert.Equal(other, topology.Active());
        Assert.Equal(recovered.First.Tx, afterRecovery.First.Tx);
        Assert.True(afterRecovery.Other.Tx - recovered.Other.Tx >= Pings);
    }

    [RequiresLinuxLabTheory]
    [InlineData("other_config:bond-primary=eno1", true)]
    [InlineData("other_config:bond-primary=eno1 other_config:bond-failback=always", true)]
    [InlineData("other_config:bond-primary=eno1 other_config:bond-failback=never", false)]
    [InlineData("other_config:bond-primary=eno1 other_config:bond-failback=failure", false)]
    [InlineData("other_config:bond-failback=better", true)]
    public void The_configured_failback_policy_decides_whether_traffic_returns_to_eno1(string bondSettings, bool failsBack)
    {
        using var lab = new LinuxLab(output);
        using var topology = new OperatorTopology(lab, bondSettings);
        if (bondSettings.Contains("better", StringComparison.Ordinal))
        {
            // "better" ranks members by priority: eno1 is the better one.
            lab.Vsctl("set", "interface", "eno1", "other_config:bond-member-priority=10", "--", "set", "interface", "eno2", "other_config:bond-member-priority=5");
        }
        topology.WaitForActive("eno1");
        Assert.Equal(Pings, topology.PingGateway(Pings));

        topology.SetCable("eno1", plugged: false);
        topology.WaitForActive("eno2");
        Assert.Equal(Pings, topology.PingGateway(Pings));

        topology.SetCable("eno1", plugged: true);
        topology.WaitForMember("eno1", "enabled");
        if (failsBack)
        {
            topology.WaitForActive("eno1");
        }
        var start = (Eno1: topology.Counters("eno1"), Eno2: topology.Counters("eno2"));
        Assert.Equal(Pings, topology.PingGateway(Pings));
        var end = (Eno1: topology.Counters("eno1"), Eno2: topology.Counters("eno2"));
        string carrier = failsBack ? "eno1" : "eno2";
        string idle = failsBack ? "eno2" : "eno1";
        Assert.Equal(carrier, topology.Active());
        var (carrierStart, carrierEnd) = failsBack ? (start.Eno1, end.Eno1) : (start.Eno2, end.Eno2);
        var (idleStart, idleEnd) = failsBack ? (start.Eno2, end.Eno2) : (start.Eno1, end.Eno1);
        Assert.True(carrierEnd.Tx - carrierStart.Tx >= Pings, $"{carrier} TX grew by {carrierEnd.Tx - carrierStart.Tx}");
        Assert.Equal(idleStart.Tx, idleEnd.Tx);
    }

    [RequiresLinuxLabFact]
    public void Vlan_tags_the_kernel_strips_are_restored_so_an_access_port_reaches_a_tagged_gateway()
    {
        using var lab = new LinuxLab(output);
        using var topology = new OperatorTopology(lab);
        lab.Vsctl("set", "port", "port-mgt", "tag=10");
        lab.Must("ip", "-n", topology.UpstreamNs, "link", "add", "link", "gw", "name", "gw.10", "type", "vlan", "id", "10");
        lab.Must("ip", "-n", topology.UpstreamNs, "link", "set", "gw.10", "up");
        lab.Must("ip", "-n", topology.UpstreamNs, "addr", "add", "198.51.100.1/24", "dev", "gw.10");
        lab.Must("ip", "-n", topology.SwitchNs, "addr", "add", "198.51.100.10/24", "dev", "port-mgt");
        Assert.Equal(Pings, lab.Ping(topology.SwitchNs, "198.51.100.1", Pings));
        // The untagged gateway is in another VLAN now: nothing must leak across.
        Assert.Equal(0, lab.Ping(topology.SwitchNs, OperatorTopology.Gateway, 3));
    }

    [RequiresLinuxLabFact]
    public void A_missing_interface_reports_OVS_error_and_is_picked_up_when_it_appears()
    {
        using var lab = new LinuxLab(output);
        using var topology = new OperatorTopology(lab);
        lab.Vsctl("--no-wait", "add-port", "br0", "eno3");
        LinuxLab.WaitFor("the error of eno3", () => lab.Vsctl("get", "interface", "eno3", "error").Contains("No such device", StringComparison.Ordinal));
        Assert.Equal("\"could not open network device eno3 (No such device)\"", lab.Vsctl("get", "interface", "eno3", "error").Trim());
        Assert.Equal("-1", lab.Vsctl("get", "interface", "eno3", "ofport").Trim());

        lab.Must("ip", "-n", topology.SwitchNs, "link", "add", "eno3", "type", "veth", "peer", "name", "eno3p");
        lab.Must("ip", "-n", topology.SwitchNs, "link", "set", "eno3", "up");
        lab.Must("ip", "-n", topology.SwitchNs, "link", "set", "eno3p", "up");
        LinuxLab.WaitFor("eno3 to open", () => lab.Vsctl("get", "interface", "eno3", "error").Trim() == "[]");
        LinuxLab.WaitFor("eno3 link up", () => lab.Vsctl("get", "interface", "eno3", "link_state").Trim() == "up");
        Assert.NotEqual("-1", lab.Vsctl("get", "interface", "eno3", "ofport").Trim());
        Assert.Equal("10000000000", lab.Vsctl("get", "interface", "eno3", "link_speed").Trim());

        lab.Vsctl("set", "interface", "eno3", "mtu_request=1400");
        LinuxLab.WaitFor("the kernel MTU of eno3", () => lab.Must("ip", "-n", topology.SwitchNs, "link", "show", "eno3").Contains("mtu 1400", StringComparison.Ordinal));
        LinuxLab.WaitFor("Interface.mtu of eno3", () => lab.Vsctl("get", "interface", "eno3", "mtu").Trim() == "1400");
    }

    [RequiresLinuxLabFact]
    public void Deleting_the_internal_port_removes_its_TAP_device()
    {
        using var lab = new LinuxLab(output);
        using var topology = new OperatorTopology(lab);
        Assert.Equal(0, lab.InNamespace(topology.SwitchNs, "ip", "link", "show", "port-mgt").ExitCode);
        lab.Vsctl("del-port", "br0", "port-mgt");
        LinuxLab.WaitFor("port-mgt to disappear", () => lab.InNamespace(topology.SwitchNs, "ip", "link", "show", "port-mgt").ExitCode != 0);
    }

    [RequiresLinuxLabFact]
    public void Miimon_detects_a_pulled_cable_by_polling()
    {
        using var lab = new LinuxLab(output);
        using var topology = new OperatorTopology(lab, "other_config:bond-detect-mode=miimon other_config:bond-miimon-interval=100 other_config:bond-primary=eno1");
        topology.WaitForActive("eno1");
        topology.SetCable("eno1", plugged: false);
        topology.WaitForActive("eno2");
        Assert.Equal(Pings, topology.PingGateway(Pings));
        topology.SetCable("eno1", plugged: true);
        topology.WaitForActive("eno1");
        Assert.Equal(Pings, topology.PingGateway(Pings));
    }
}
