// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Testing;

namespace SharpSwitch.Ovsdb.Tests.Interop;

/// <summary>
/// Database files move freely between the real ovsdb-server and ours: each serves what the other wrote, and real
/// ovs-vsctl sees the same configuration either way.
/// </summary>
public sealed class FileCompatibilityTests
{
    private static readonly string[] s_writes =
    [
        "init",
        "add-br br0 -- set bridge br0 datapath_type=netdev",
        "add-port br0 p1 tag=10 -- set interface p1 type=dummy",
        "add-bond br0 bond0 b0 b1 -- set port bond0 bond_mode=active-backup other_config:bond-primary=b0",
        "set port bond0 other_config:bond-primary=b1",
        "add bridge br0 flood_vlans 10 20 30",
        "remove bridge br0 flood_vlans 20",
        "clear port p1 tag",
        "add-br br1",
        "del-br br1",
    ];

    private static readonly string[] s_reads = ["show", "list-br", "list-ports br0", "get port bond0 other_config", "get bridge br0 flood_vlans", "get port p1 tag", "--columns=name,type find interface type=dummy"];

    private static string Reads(ServerUnderTest server) =>
        VsctlInteropTests.SortSiblingBlocks(string.Join("\n", s_reads.Select(server.Vsctl)));

    [RequiresToolsFact("ovs-vsctl", "ovsdb-server", "ovsdb-tool")]
    public async Task Our_server_serves_a_file_written_by_real_ovsdb_server()
    {
        string saved = Path.Combine(Path.GetTempPath(), "ovsdb-compat-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            string expected;
            await using (ServerUnderTest real = ServerUnderTest.StartReal())
            {
                foreach (string command in s_writes)
                {
                    Assert.Contains("rc=0", real.Vsctl(command));
                }
                expected = Reads(real);
                File.Copy(real.DatabasePath, saved);
            }
            await using ServerUnderTest ours = ServerUnderTest.StartOurs(saved);
            Assert.Equal(expected, Reads(ours));
            Assert.Contains("rc=0", ours.Vsctl("add-port br0 p9"));
        }
        finally
        {
            File.Delete(saved);
        }
    }

    [RequiresToolsFact("ovs-vsctl", "ovsdb-server", "ovsdb-tool")]
    public async Task Real_ovsdb_server_serves_a_file_written_by_ours()
    {
        string saved = Path.Combine(Path.GetTempPath(), "ovsdb-compat-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            string expected;
            await using (ServerUnderTest ours = ServerUnderTest.StartOurs())
            {
                foreach (string command in s_writes)
                {
                    Assert.Contains("rc=0", ours.Vsctl(command));
                }
                expected = Reads(ours);
                File.Copy(ours.DatabasePath, saved);
            }
            ProcessRunner.Result check = ProcessRunner.Run(Requirements.FindExecutable("ovsdb-tool")!, ["show-log", saved]);
            Assert.True(check.ExitCode == 0, check.StandardError);
            await using ServerUnderTest real = ServerUnderTest.StartReal(saved);
            Assert.Equal(expected, Reads(real));
        }
        finally
        {
            File.Delete(saved);
        }
    }
}
