// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;

namespace SharpSwitch.Linux.Tests;

/// <summary>
/// The bridge's own port (the Interface named after the bridge) on real interfaces: a TAP named after the bridge, as
/// OVS's userspace datapath makes it, so the host can address the bridge itself; and link facts the kernel reports
/// for a device (MTU, MAC) reaching its Interface row.
/// </summary>
[Collection("linux")]
public sealed class BridgeLocalPortTests(ITestOutputHelper output)
{
    private const string BridgeAddress = "192.0.2.20";

    [RequiresLinuxLabFact]
    public void An_address_on_the_bridge_TAP_reaches_the_gateway_behind_the_bond_and_the_TAP_goes_with_del_br()
    {
        using var lab = new LinuxLab(output);
        using var topology = new OperatorTopology(lab);
        string ns = topology.SwitchNs;

        // The TAP exists as soon as the bridge does, and the kernel calls it a tun device in TAP mode.
        Assert.Equal(0, lab.InNamespace(ns, "ip", "link", "show", "br0").ExitCode);
        string details = lab.Must("ip", "-n", ns, "-d", "link", "show", "br0");
        Assert.Contains("tun type tap", details, StringComparison.Ordinal);

        // The switch gives the TAP the bridge's MAC, so the host, the row and the datapath id agree on it.
        string tapMac = LinkMac(lab, ns, "br0");
        LinuxLab.WaitFor("Interface br0's mac_in_use", () => lab.Vsctl("get", "interface", "br0", "mac_in_use").Trim().Trim('"') == tapMac);
        Assert.Equal("65534", lab.Vsctl("get", "interface", "br0", "ofport").Trim());
        Assert.Equal("[]", lab.Vsctl("get", "interface", "br0", "error").Trim());
        Assert.EndsWith(tapMac.Replace(":", "", StringComparison.Ordinal), lab.Vsctl("get", "bridge", "br0", "datapath_id").Trim().Trim('"'), StringComparison.Ordinal);

        // Only the bridge's TAP holds an address on the gateway's subnet, so the ping can only leave through LOCAL.
        lab.Must("ip", "-n", ns, "addr", "flush", "dev", "port-mgt");
        lab.Must("ip", "-n", ns, "addr", "add", BridgeAddress + "/24", "dev", "br0");
        lab.Must("ip", "-n", ns, "link", "set", "br0", "up");
        LinuxLab.WaitFor("the gateway to answer through br0", () => lab.Ping(ns, OperatorTopology.Gateway, 1) == 1);
        (long rxBefore, long txBefore) = lab.KernelCounters(ns, "br0");
        Assert.Equal(10, lab.Ping(ns, OperatorTopology.Gateway, 10));
        (long rxAfter, long txAfter) = lab.KernelCounters(ns, "br0");
        // Requests left the host on the TAP (they entered the bridge as LOCAL) and the replies came back on it.
        Assert.True(txAfter - txBefore >= 10, $"br0 TX grew by {txAfter - txBefore}");
        Assert.True(rxAfter - rxBefore >= 10, $"br0 RX grew by {rxAfter - rxBefore}");
        // The gateway learned the address from frames with the TAP's source MAC, forwarded through the bond.
        string neighbour = lab.Must("ip", "-n", topology.UpstreamNs, "neigh", "show", BridgeAddress);
        Assert.Contains(tapMac, neighbour, StringComparison.OrdinalIgnoreCase);

        lab.Vsctl("del-br", "br0");
        LinuxLab.WaitFor("the br0 TAP to disappear", () => lab.InNamespace(ns, "ip", "link", "show", "br0").ExitCode != 0);
        // The bridge's other devices go with it too: the internal port's TAP as well.
        LinuxLab.WaitFor("the port-mgt TAP to disappear", () => lab.InNamespace(ns, "ip", "link", "show", "port-mgt").ExitCode != 0);
    }

    [RequiresLinuxLabFact]
    public void MTU_and_MAC_changes_made_in_the_kernel_reach_the_Interface_rows()
    {
        using var lab = new LinuxLab(output);
        using var topology = new OperatorTopology(lab);
        string ns = topology.SwitchNs;
        LinuxLab.WaitFor("Interface eno1's mtu", () => lab.Vsctl("get", "interface", "eno1", "mtu").Trim() == "1500");

        lab.Must("ip", "-n", ns, "link", "set", "eno1", "mtu", "1400");
        LinuxLab.WaitFor("Interface eno1's mtu to follow the kernel", () => lab.Vsctl("get", "interface", "eno1", "mtu").Trim() == "1400");

        const string NewMac = "02:00:5e:10:20:30";
        lab.Must("ip", "-n", ns, "link", "set", "port-mgt", "address", NewMac);
        LinuxLab.WaitFor("Interface port-mgt's mac_in_use to follow the kernel",
            () => lab.Vsctl("get", "interface", "port-mgt", "mac_in_use").Trim().Trim('"') == NewMac);
        Assert.Equal(NewMac, LinkMac(lab, ns, "port-mgt"));
    }

    private static string LinkMac(LinuxLab lab, string ns, string device)
    {
        using JsonDocument doc = JsonDocument.Parse(lab.Must("ip", "-n", ns, "-j", "link", "show", device));
        return doc.RootElement[0].GetProperty("address").GetString()!;
    }
}
