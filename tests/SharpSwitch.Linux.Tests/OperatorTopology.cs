// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Linux.Tests;

/// <summary>
/// The operator's setup on real interfaces: the switch (SharpSwitch's daemon) in namespace "sw" with veth ends
/// <c>eno1</c>/<c>eno2</c> in an active-backup bond and <c>port-mgt</c> (a TAP, internal port) at 192.0.2.10/24; the
/// veth peers <c>up1</c>/<c>up2</c> in namespace "up", joined by a Linux bridge holding the gateway 192.0.2.1/24.
/// Taking a peer down is the operator's pulled cable: the member loses carrier.
/// </summary>
public sealed class OperatorTopology : IDisposable
{
    public const string Gateway = "192.0.2.1";
    public const string Management = "192.0.2.10";

    public OperatorTopology(LinuxLab lab, string bondExtra = "")
    {
        Lab = lab;
        SwitchNs = lab.AddNamespace("sw");
        UpstreamNs = lab.AddNamespace("up");
        foreach (int i in new[] { 1, 2 })
        {
            lab.Must("ip", "link", "add", $"eno{i}", "netns", SwitchNs, "type", "veth", "peer", "name", $"up{i}", "netns", UpstreamNs);
            lab.Must("ip", "-n", SwitchNs, "link", "set", $"eno{i}", "up");
        }
        lab.Must("ip", "-n", UpstreamNs, "link", "add", "gw", "type", "bridge");
        foreach (int i in new[] { 1, 2 })
        {
            lab.Must("ip", "-n", UpstreamNs, "link", "set", $"up{i}", "master", "gw");
            lab.Must("ip", "-n", UpstreamNs, "link", "set", $"up{i}", "up");
        }
        lab.Must("ip", "-n", UpstreamNs, "link", "set", "gw", "up");
        lab.Must("ip", "-n", UpstreamNs, "addr", "add", Gateway + "/24", "dev", "gw");
        lab.StartDatabase();
        lab.StartSharpSwitch(SwitchNs);
        var command = new List<string> { "add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
            "--", "add-bond", "br0", "bond0", "eno1", "eno2", "bond_mode=active-backup" };
        command.AddRange(bondExtra.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        command.AddRange(["--", "add-port", "br0", "port-mgt", "--", "set", "interface", "port-mgt", "type=internal"]);
        lab.Vsctl([.. command]);
        LinuxLab.WaitFor("the port-mgt TAP", () => lab.InNamespace(SwitchNs, "ip", "link", "show", "port-mgt").ExitCode == 0);
        lab.Must("ip", "-n", SwitchNs, "addr", "add", Management + "/24", "dev", "port-mgt");
        lab.Must("ip", "-n", SwitchNs, "link", "set", "port-mgt", "up");
    }

    public LinuxLab Lab { get; }

    public string SwitchNs { get; }

    public string UpstreamNs { get; }

    public string BondShow() => Lab.Appctl(Lab.SwitchControl, "bond/show", "bond0");

    public string? Active() => LinuxLab.ActiveMember(BondShow());

    /// <summary>Pulls (or plugs back) the cable of <paramref name="member"/>: its peer in the upstream namespace goes down (up).</summary>
    public void SetCable(string member, bool plugged)
    {
        string peer = "up" + member[^1];
        Lab.Must("ip", "-n", UpstreamNs, "link", "set", peer, plugged ? "up" : "down");
    }

    public int PingGateway(int count) => Lab.Ping(SwitchNs, Gateway, count);

    /// <summary>
    /// Waits until the gateway answers again after a member change. The kernel enables a Linux bridge port only when
    /// its link-watch work runs after carrier returns, so the first frames after a failback can die in the upstream
    /// bridge whichever switch sends them; the tests then measure where the traffic flows, and the benchmark measures
    /// the loss.
    /// </summary>
    public void WaitForTraffic() => LinuxLab.WaitFor("the gateway to answer", () => PingGateway(1) == 1);

    public (long Rx, long Tx) Counters(string member) => Lab.KernelCounters(SwitchNs, member);

    public void WaitForActive(string member) => LinuxLab.WaitFor($"{member} to become the active member", () => Active() == member);

    public void WaitForMember(string member, string state) => LinuxLab.WaitFor($"member {member}: {state}", () => BondShow().Contains($"member {member}: {state}", StringComparison.Ordinal));

    public void Dispose()
    {
    }
}
