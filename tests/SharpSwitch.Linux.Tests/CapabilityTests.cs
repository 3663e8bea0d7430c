// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.NetDev.Linux;

namespace SharpSwitch.Linux.Tests;

/// <summary>Without CAP_NET_RAW and CAP_NET_ADMIN real interfaces get a clear error; dummies keep working.</summary>
[Collection("linux")]
public sealed class CapabilityTests(ITestOutputHelper output)
{
    [Fact]
    public void CapEff_is_read_from_proc_status()
    {
        Assert.Equal(new LinuxCapabilities(NetAdmin: true, NetRaw: true), LinuxCapabilities.Parse("Name:\tx\nCapEff:\t000001ffffffffff\n"));
        Assert.Equal(new LinuxCapabilities(NetAdmin: false, NetRaw: false), LinuxCapabilities.Parse("CapEff:\t0000000000000000\n"));
        Assert.Equal(new LinuxCapabilities(NetAdmin: false, NetRaw: true), LinuxCapabilities.Parse("CapEff:\t0000000000002000\n"));
        Assert.Equal(new LinuxCapabilities(NetAdmin: true, NetRaw: false), LinuxCapabilities.Parse("CapEff:\t0000000000001000\n"));
        Assert.Equal(default, LinuxCapabilities.Parse("CapEff:\tzz\n"));
        Assert.Equal(default, LinuxCapabilities.Parse(""));
    }

    [Fact]
    public void The_error_names_what_is_missing()
    {
        Assert.Null(new LinuxCapabilities(true, true).MissingFor("eno1", "system"));
        Assert.Null(new LinuxCapabilities(true, false).MissingFor("port-mgt", "internal"));
        Assert.Contains("CAP_NET_RAW and CAP_NET_ADMIN", new LinuxCapabilities(false, false).MissingFor("eno1", "system"));
        Assert.StartsWith("could not open network device eno1 (Operation not permitted)", new LinuxCapabilities(false, true).MissingFor("eno1", "system"));
        Assert.Contains("CAP_NET_ADMIN", new LinuxCapabilities(false, true).MissingFor("port-mgt", "internal"));
    }

    [RequiresLinuxLabFact("setpriv")]
    public void A_daemon_without_the_capabilities_reports_them_on_real_interfaces_and_keeps_dummies_working()
    {
        using var lab = new LinuxLab(output);
        string ns = lab.AddNamespace("sw");
        lab.Must("ip", "link", "add", "eno1", "netns", ns, "type", "veth", "peer", "name", "eno1p", "netns", ns);
        lab.Must("ip", "-n", ns, "link", "set", "eno1", "up");
        lab.StartDatabase();
        // The unprivileged daemon must reach the database socket and write its own files in the run directory.
        lab.Must("chmod", "0777", lab.RunDirectory, lab.DbSocket);
        lab.StartSharpSwitch(ns, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]);
        lab.Vsctl("--no-wait", "add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev", "--", "add-port", "br0", "eno1",
            "--", "add-port", "br0", "d1", "--", "set", "interface", "d1", "type=dummy",
            "--", "add-port", "br0", "port-mgt", "--", "set", "interface", "port-mgt", "type=internal");
        LinuxLab.WaitFor("eno1's error", () => lab.Vsctl("get", "interface", "eno1", "error").Contains("CAP_NET", StringComparison.Ordinal));
        Assert.Contains("could not open network device eno1 (Operation not permitted)", lab.Vsctl("get", "interface", "eno1", "error"));
        Assert.Contains("CAP_NET_RAW and CAP_NET_ADMIN", lab.Vsctl("get", "interface", "eno1", "error"));
        LinuxLab.WaitFor("port-mgt's error", () => lab.Vsctl("get", "interface", "port-mgt", "error").Contains("CAP_NET_ADMIN", StringComparison.Ordinal));
        LinuxLab.WaitFor("the dummy's link state", () => lab.Vsctl("get", "interface", "d1", "link_state").Trim() == "up");
        Assert.Equal("[]", lab.Vsctl("get", "interface", "d1", "error").Trim());
        Assert.NotEqual(0, lab.InNamespace(ns, "ip", "link", "show", "port-mgt").ExitCode);
    }
}
