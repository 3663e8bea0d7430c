// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.RegularExpressions;
using SharpSwitch.Testing;

namespace SharpSwitch.Switchd.Tests;

/// <summary>
/// The operator's experiment, driven only by the real ovs-vsctl and ovs-appctl: an active-backup bond of eno1 and
/// eno2, eno1 fails and comes back. SharpSwitch must print what real OVS 3.1 prints at every step, with and
/// without <c>other_config:bond-primary</c>, after normalising MAC addresses.
/// </summary>
public sealed partial class OperatorExperimentTests
{
    [GeneratedRegex("[0-9a-f]{2}(:[0-9a-f]{2}){5}")]
    private static partial Regex MacPattern();

    private static string NormaliseMacs(string text) => MacPattern().Replace(text, "xx:xx:xx:xx:xx:xx");

    /// <summary>
    /// ovs-vsctl prints ports and interfaces in the order of their row UUIDs, which are random, so two runs of real
    /// OVS differ too: sort every Port and Interface block among its siblings, and drop the root row's UUID.
    /// </summary>
    private static string NormaliseShow(string text)
    {
        var root = new ShowNode("");
        var stack = new Stack<(int Indent, ShowNode Node)>();
        stack.Push((-1, root));
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int indent = line.Length - line.TrimStart(' ').Length;
            while (stack.Peek().Indent >= indent)
            {
                stack.Pop();
            }
            var node = new ShowNode(Regex.IsMatch(line, "^[0-9a-f-]{36}$") ? "UUID" : line);
            stack.Peek().Node.Children.Add(node);
            stack.Push((indent, node));
        }
        var output = new StringBuilder();
        root.Write(output);
        return output.ToString();
    }

    private sealed record ShowNode(string Line)
    {
        public List<ShowNode> Children { get; } = [];

        public void Write(StringBuilder output)
        {
            if (Line.Length > 0)
            {
                output.Append(Line).Append('\n');
            }
            bool sortable = Children.Count > 0 && Children.All(c => c.Line.TrimStart().StartsWith("Port ", StringComparison.Ordinal) || c.Line.TrimStart().StartsWith("Interface ", StringComparison.Ordinal) || !c.Line.TrimStart().StartsWith("Bridge", StringComparison.Ordinal));
            IEnumerable<ShowNode> ordered = Children;
            if (sortable)
            {
                // Only Port and Interface blocks move; other lines keep their place at the front, as ovs-vsctl prints them first.
                ordered = Children.Where(c => !IsMovable(c)).Concat(Children.Where(IsMovable).OrderBy(c => c.Line, StringComparer.Ordinal));
            }
            foreach (ShowNode child in ordered)
            {
                child.Write(output);
            }
        }

        private static bool IsMovable(ShowNode node)
        {
            string line = node.Line.TrimStart();
            return line.StartsWith("Port ", StringComparison.Ordinal) || line.StartsWith("Interface ", StringComparison.Ordinal);
        }
    }

    /// <summary>OVS lists a bond's members in hash order, which changes from run to run; SharpSwitch uses name order.</summary>
    private static string NormaliseBondList(string text)
    {
        return string.Join('\n', text.Split('\n').Select(line =>
        {
            string[] columns = line.Split('\t');
            if (columns.Length == 4 && columns[0] != "bond")
            {
                columns[3] = string.Join(", ", columns[3].Split(", ").Order(StringComparer.Ordinal));
            }
            return string.Join('\t', columns);
        }));
    }

    /// <summary>Runs the experiment and returns the transcript of every command's output.</summary>
    private static async Task<string> RunExperiment(SwitchKind kind, bool withPrimary, DatabaseKind database = DatabaseKind.RealOvs)
    {
        await using SwitchSandbox sandbox = await SwitchSandbox.StartAsync(kind, database);
        var transcript = new StringBuilder();
        void Step(string title, string output)
        {
            transcript.Append("### ").Append(title).Append('\n').Append(NormaliseMacs(output));
        }

        // Without --no-wait: each command returns only once the switch has applied it (cur_cfg).
        sandbox.Vsctl("add-br", "ovsbr-mgt", "--", "set", "bridge", "ovsbr-mgt", "datapath_type=netdev");
        sandbox.Vsctl("add-bond", "ovsbr-mgt", "bond-mgt", "eno1", "eno2", "bond_mode=active-backup",
            "--", "set", "interface", "eno1", "type=dummy", "--", "set", "interface", "eno2", "type=dummy");
        sandbox.Vsctl("add-port", "ovsbr-mgt", "port-mgt", "tag=0", "--", "set", "interface", "port-mgt", "type=internal");
        sandbox.AppctlOk("time/stop");
        // OVS's first choice is arbitrary (hash order); start from the blog's state, then record deterministic steps.
        sandbox.AppctlOk("bond/set-active-member", "bond-mgt", "eno1");
        Step("set-active-member eno2", sandbox.AppctlOk("bond/set-active-member", "bond-mgt", "eno2"));
        Step("set-active-member eno1", sandbox.AppctlOk("bond/set-active-member", "bond-mgt", "eno1"));
        Step("set-active-member eno1 again", sandbox.AppctlOk("bond/set-active-member", "bond-mgt", "eno1"));
        if (withPrimary)
        {
            sandbox.Vsctl("set", "port", "bond-mgt", "other_config:bond-primary=eno1");
        }
        sandbox.AppctlOk("time/warp", "100");
        Step("bond/show (start)", sandbox.AppctlOk("bond/show", "bond-mgt"));
        Step("bond/list", NormaliseBondList(sandbox.AppctlOk("bond/list")));

        Step("eno1 down", sandbox.AppctlOk("netdev-dummy/set-admin-state", "eno1", "down"));
        sandbox.AppctlOk("time/warp", "100");
        Step("bond/show (eno1 down)", sandbox.AppctlOk("bond/show", "bond-mgt"));

        Step("eno1 up", sandbox.AppctlOk("netdev-dummy/set-admin-state", "eno1", "up"));
        sandbox.AppctlOk("time/warp", "100");
        Step("bond/show (eno1 back)", sandbox.AppctlOk("bond/show", "bond-mgt"));
        Step("fdb/show", sandbox.AppctlOk("fdb/show", "ovsbr-mgt"));
        Step("ovs-vsctl show", NormaliseShow(sandbox.Vsctl("show")));
        Step("list port bond-mgt", sandbox.Vsctl("--columns=name,bond_mode,bond_active_slave,other_config", "list", "port", "bond-mgt"));
        // link_resets is left out: OVS's netdev-dummy never counts carrier resets (it reports 0), SharpSwitch's dummies do.
        // ofport is left out: OVS numbers the ports created in one transaction in its hash-map order, SharpSwitch in name order.
        Step("interface eno1 state", sandbox.Vsctl("--columns=name,admin_state,link_state", "list", "interface", "eno1"));
        Step("bad command", sandbox.Appctl("bond/show", "nosuch").StandardError.Replace(sandbox.Directory, "RUNDIR", StringComparison.Ordinal));
        return transcript.ToString();
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl", "ovs-vswitchd")]
    public async Task No_primary_no_failback_same_as_ovs()
    {
        string ovs = await RunExperiment(SwitchKind.RealOvs, withPrimary: false);
        string ours = await RunExperiment(SwitchKind.SharpSwitch, withPrimary: false);
        Assert.Contains("active member mac: xx:xx:xx:xx:xx:xx(eno2)", ovs.Split("### bond/show (eno1 back)")[1], StringComparison.Ordinal);
        Assert.Equal(ovs, ours);
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl", "ovs-vswitchd")]
    public async Task Real_ovs_vswitchd_against_our_ovsdb_server_gives_the_same_transcript()
    {
        string reference = await RunExperiment(SwitchKind.RealOvs, withPrimary: true);
        string realSwitchOurDatabase = await RunExperiment(SwitchKind.RealOvs, withPrimary: true, DatabaseKind.SharpSwitch);
        string ourSwitchOurDatabase = await RunExperiment(SwitchKind.SharpSwitch, withPrimary: true, DatabaseKind.SharpSwitch);
        Assert.Equal(reference, realSwitchOurDatabase);
        Assert.Equal(reference, ourSwitchOurDatabase);
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")]
    public async Task Our_dummies_count_link_resets_and_write_bond_status()
    {
        await using SwitchSandbox sandbox = await SwitchSandbox.StartAsync(SwitchKind.SharpSwitch);
        sandbox.Vsctl("add-br", "br0", "--", "add-bond", "br0", "bond0", "eno1", "eno2", "other_config:bond-primary=eno1");
        sandbox.AppctlOk("time/stop");
        sandbox.AppctlOk("netdev-dummy/set-admin-state", "eno1", "down");
        sandbox.AppctlOk("time/warp", "100");
        sandbox.AppctlOk("netdev-dummy/set-admin-state", "eno1", "up");
        sandbox.AppctlOk("time/warp", "100");
        // A no-op write makes ovs-vsctl wait for cur_cfg, i.e. for the daemon to have written its status.
        sandbox.Vsctl("set", "open_vswitch", ".", "external_ids:probe=1");
        Assert.Equal("2\n", sandbox.Vsctl("get", "interface", "eno1", "link_resets"));
        string status = sandbox.Vsctl("get", "port", "bond0", "status");
        Assert.Contains("bond_active_member=eno1", status, StringComparison.Ordinal);
        Assert.Contains("bond_failovers=\"1\"", status, StringComparison.Ordinal);
        Assert.Contains("bond_failbacks=\"1\"", status, StringComparison.Ordinal);
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl", "ovs-vswitchd")]
    public async Task Primary_fails_back_same_as_ovs()
    {
        string ovs = await RunExperiment(SwitchKind.RealOvs, withPrimary: true);
        string ours = await RunExperiment(SwitchKind.SharpSwitch, withPrimary: true);
        Assert.Contains("active member mac: xx:xx:xx:xx:xx:xx(eno1)", ovs.Split("### bond/show (eno1 back)")[1], StringComparison.Ordinal);
        Assert.Equal(ovs, ours);
    }
}
