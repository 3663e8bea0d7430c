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
        topology.WaitForTraffic();
        var failed = (First: topology.Counters(first), Other: topology.Counters(other));
        Assert.Equal(Pings, topology.PingGateway(Pings));
        var afterFailover = (First: topology.Counters(first), Other: topology.Counters(other));
        Assert.Equal(failed.First.Tx, afterFailover.First.Tx);
        Assert.True(afterFailover.Other.Tx - failed.Other.Tx >= Pings, $"{other} TX grew by {afterFailover.Other.Tx - failed.Other.Tx}");

        topology.SetCable(first, plugged: true);
        topology.WaitForMember(first, "enabled");
        topology.WaitForTraffic();
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
    [InlineData("other_config:bond-failback=better -- set interface eno1 other_config:bond-member-priority=10 -- set interface eno2 other_config:bond-member-priority=5", true)]
    public void The_configured_failback_policy_decides_whether_traffic_returns_to_eno1(string bondSettings, bool failsBack)
    {
        using var lab = new LinuxLab(output);
        using var topology = new OperatorTopology(lab, bondSettings);
        topology.WaitForActive("eno1");
        Assert.Equal(Pings, topology.PingGateway(Pings));

        topology.SetCable("eno1", plugged: false);
        topology.WaitForActive("eno2");
        topology.WaitForTraffic();
        Assert.Equal(Pings, topology.PingGateway(Pings));

        topology.SetCable("eno1", plugged: true);
        topology.WaitForMember("eno1", "enabled");
        if (failsBack)
        {
            topology.WaitForActive("eno1");
        }
        topology.WaitForTraffic();
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

    /// <summary>
    /// Sends <paramref name="count"/> broadcast frames tagged with <paramref name="vid"/> (EtherType 0x88b5, a marker
    /// payload) out of <paramref name="peer"/> in the upstream namespace, while counting marker frames that arrive on port-mgt.
    /// </summary>
    private static int SendTaggedAndCountOnPortMgt(LinuxLab lab, OperatorTopology topology, string peer, int vid, int count)
    {
        const string receiver = """
            import socket, sys, time
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5))
            s.bind(("port-mgt", 0))
            s.settimeout(0.2)
            print("ready", flush=True)
            seen, end = 0, time.time() + 4
            while time.time() < end:
                try:
                    frame = s.recv(2048)
                except socket.timeout:
                    continue
                if frame[12:14] == b"\x88\xb5" and frame[14:24] == b"sharpswitch"[:10]:
                    seen += 1
            print(seen)
            """;
        string sender = $$"""
            import socket, struct, time
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind(("{{peer}}", 0))
            frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x99" + struct.pack("!HH", 0x8100, {{vid}}) + b"\x88\xb5" + b"sharpswitch"[:10] + b"\x00" * 36
            time.sleep(1.5)
            for _ in range({{count}}):
                s.send(frame)
                time.sleep(0.01)
            """;
        Task<Testing.ProcessRunner.Result> listening = Task.Run(() => lab.InNamespace(topology.SwitchNs, "python3", "-c", receiver));
        Testing.ProcessRunner.Result sent = lab.InNamespace(topology.UpstreamNs, "python3", "-c", sender);
        Assert.Equal(0, sent.ExitCode);
        Testing.ProcessRunner.Result received = listening.Result;
        Assert.Equal(0, received.ExitCode);
        return int.Parse(received.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [RequiresLinuxLabFact("python3")]
    public void Vlan_tags_the_kernel_strips_are_restored_so_an_access_port_gets_only_its_VLAN()
    {
        using var lab = new LinuxLab(output);
        using var topology = new OperatorTopology(lab);
        lab.Vsctl("set", "port", "port-mgt", "tag=10");
        // Frames must arrive on the active member: an active-backup bond drops whatever reaches the backup.
        string peer = "up" + (topology.Active() ?? "eno1")[^1];
        // A veth moves the tag of every frame it receives into packet metadata before any packet socket sees it, so
        // the switch tells VLAN 10 from VLAN 20 (and from untagged) only if it puts the tag back.
        Assert.Equal(5, SendTaggedAndCountOnPortMgt(lab, topology, peer, vid: 10, count: 5));
        Assert.Equal(0, SendTaggedAndCountOnPortMgt(lab, topology, peer, vid: 20, count: 5));
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
        topology.WaitForTraffic();
        Assert.Equal(Pings, topology.PingGateway(Pings));
        topology.SetCable("eno1", plugged: true);
        topology.WaitForActive("eno1");
        topology.WaitForTraffic();
        Assert.Equal(Pings, topology.PingGateway(Pings));
    }
}
