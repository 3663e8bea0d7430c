// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Tests.Server;
using SharpSwitch.Testing;

namespace SharpSwitch.Ovsdb.Tests.Interop;

/// <summary>
/// Runs the same script of real ovs-vsctl commands against the real ovsdb-server and against ours; the outputs must
/// be identical once UUIDs are replaced by their order of appearance.
/// </summary>
public sealed class VsctlInteropTests
{
    private static readonly string[] s_script =
    [
        "init",
        "show",
        "add-br br0 -- set bridge br0 datapath_type=netdev",
        "add-port br0 p1 tag=10 -- set interface p1 type=dummy",
        "add-port br0 p2 -- set interface p2 type=internal",
        "add-bond br0 bond0 b0 b1",
        "set port bond0 bond_mode=active-backup other_config:bond-primary=b0 other_config:bond-detect-mode=miimon",
        "set port bond0 other_config:bond-primary=b1",
        "list port bond0",
        "get port p1 tag",
        "get port bond0 other_config:bond-primary bond_mode",
        "--columns=name,type find interface type=dummy",
        "--columns=name find port tag=10",
        "clear port p1 tag",
        "get port p1 tag",
        "remove port bond0 other_config bond-detect-mode",
        "get port bond0 other_config",
        "add bridge br0 flood_vlans 10 20",
        "remove bridge br0 flood_vlans 10",
        "get bridge br0 flood_vlans",
        "set bridge br0 fail_mode=bogus",
        "set port p1 tag=5000",
        "list-br",
        "list-ports br0",
        "list-ifaces br0",
        "port-to-br bond0",
        "iface-to-br b1",
        "br-exists nosuch",
        "add-br br0",
        "del-port br0 nosuch",
        "-- --id=@q create qos type=linux-htb -- set port p1 qos=@q",
        "get port p1 qos",
        "--all destroy qos",
        "clear port p1 qos",
        "--all destroy qos",
        "list qos",
        "show",
        "del-port br0 p2",
        "list interface p2",
        "del-br br0",
        "list-br",
        "show",
    ];

    [RequiresToolsFact("ovs-vsctl", "ovsdb-client", "ovsdb-server", "ovsdb-tool")]
    public async Task Real_ovs_vsctl_sees_the_same_results_from_our_server_as_from_real_ovsdb_server()
    {
        List<string> real;
        List<string> ours;
        await using (ServerUnderTest server = ServerUnderTest.StartReal())
        {
            real = [.. s_script.Select(server.Vsctl)];
        }
        await using (ServerUnderTest server = ServerUnderTest.StartOurs())
        {
            ours = [.. s_script.Select(server.Vsctl)];
        }
        var realNames = new UuidNormalizer(new HashSet<string>());
        var ourNames = new UuidNormalizer(new HashSet<string>());
        for (int i = 0; i < s_script.Length; i++)
        {
            string expected = SortSiblingBlocks(realNames.Normalize(real[i]));
            string actual = SortSiblingBlocks(ourNames.Normalize(ours[i]));
            Assert.True(expected == actual, $"step {i}:\n--- real ovsdb-server ---\n{expected}\n--- ours ---\n{actual}");
        }
        Assert.Contains("Port bond0", real[36]);
    }

    /// <summary>
    /// ovs-vsctl show lists ports and interfaces in the order of their UUIDs, which differ between runs, so sibling
    /// blocks (a line plus the more-indented lines under it) are compared in sorted order.
    /// </summary>
    internal static string SortSiblingBlocks(string text)
    {
        string[] lines = text.Split('\n');
        return string.Join('\n', SortLevel(lines, 0, lines.Length));
    }

    private static List<string> SortLevel(string[] lines, int start, int end)
    {
        var blocks = new List<List<string>>();
        int i = start;
        while (i < end)
        {
            int indent = Indent(lines[i]);
            int j = i + 1;
            while (j < end && lines[j].Length > 0 && Indent(lines[j]) > indent)
            {
                j++;
            }
            var block = new List<string> { lines[i] };
            block.AddRange(SortLevel(lines, i + 1, j));
            blocks.Add(block);
            i = j;
        }
        bool sortable = blocks.Count > 1 && blocks.All(b => Indent(b[0]) >= 8);
        IEnumerable<List<string>> ordered = sortable ? blocks.OrderBy(b => string.Join('\n', b), StringComparer.Ordinal) : blocks;
        return [.. ordered.SelectMany(b => b)];
    }

    private static int Indent(string line) => line.Length - line.TrimStart(' ').Length;
}
