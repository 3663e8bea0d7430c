// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Text;
using SharpSwitch.Ovsdb.Tests.Server;
using SharpSwitch.Testing;

namespace SharpSwitch.Ovsdb.Tests.Interop;

/// <summary>
/// Real ovsdb-client (dump, monitor, transact) and the real OVS Python IDL against the real ovsdb-server and
/// against ours: same inputs, same outputs up to UUIDs.
/// </summary>
public sealed class ClientInteropTests
{
    private static readonly string[] s_setup =
    [
        "init",
        "add-br br0 -- set bridge br0 datapath_type=netdev",
        "add-port br0 p1 tag=10 -- set interface p1 type=dummy",
        "add-bond br0 bond0 b0 b1 -- set port bond0 other_config:bond-primary=b1",
    ];

    private static string Normalize(string text) => VsctlInteropTests.SortSiblingBlocks(new UuidNormalizer(new HashSet<string>()).Normalize(text));

    private static async Task<(string Real, string Ours)> OnBoth(Func<ServerUnderTest, string> scenario)
    {
        string real, ours;
        await using (ServerUnderTest server = ServerUnderTest.StartReal())
        {
            real = scenario(server);
        }
        await using (ServerUnderTest server = ServerUnderTest.StartOurs())
        {
            ours = scenario(server);
        }
        return (real, ours);
    }

    [RequiresToolsFact("ovs-vsctl", "ovsdb-client", "ovsdb-server", "ovsdb-tool")]
    public async Task Ovsdb_client_dump_and_transact_agree()
    {
        (string real, string ours) = await OnBoth(server =>
        {
            foreach (string command in s_setup)
            {
                server.Vsctl(command);
            }
            var text = new StringBuilder();
            foreach (string[] columns in new[] { new[] { "Bridge", "name", "datapath_type", "flood_vlans" }, ["Port", "name", "tag", "other_config", "bond_mode"], ["Interface", "name", "type"] })
            {
                ProcessRunner.Result dump = server.Run("ovsdb-client", ["dump", server.Remote, "Open_vSwitch", .. columns]);
                text.Append(dump.ExitCode).Append('\n').Append(SortTableRows(dump.StandardOutput)).Append(dump.StandardError);
            }
            ProcessRunner.Result transact = server.Run("ovsdb-client", ["transact", server.Remote, """["Open_vSwitch",{"op":"select","table":"Port","where":[["name","==","p1"]],"columns":["name","tag"]},{"op":"update","table":"Bridge","where":[],"row":{"fail_mode":"bogus"}}]"""]);
            text.Append(transact.ExitCode).Append('\n').Append(transact.StandardOutput).Append(transact.StandardError);
            ProcessRunner.Result list = server.Run("ovsdb-client", ["list-dbs", server.Remote]);
            text.Append(list.StandardOutput);
            ProcessRunner.Result tables = server.Run("ovsdb-client", ["list-tables", server.Remote]);
            // list-tables prints in the client's hash order, which depends on the order the schema listed the tables.
            text.Append(SortTableRows(tables.StandardOutput));
            return text.ToString();
        });
        Assert.Contains("bond0", real);
        Assert.Equal(Normalize(real), Normalize(ours));
    }

    /// <summary>ovsdb-client prints table rows in an order that depends on their UUIDs; compare them sorted.</summary>
    private static string SortTableRows(string output)
    {
        string[] lines = output.Split('\n');
        var header = lines.Take(3).ToList();
        var rows = lines.Skip(3).Where(l => l.Length > 0).Order(StringComparer.Ordinal).ToList();
        return string.Join('\n', header.Concat(rows)) + "\n";
    }

    [RequiresToolsFact("ovs-vsctl", "ovsdb-client", "ovsdb-server", "ovsdb-tool", "stdbuf")]
    public async Task Ovsdb_client_monitor_sees_the_same_updates()
    {
        (string real, string ours) = await OnBoth(server =>
        {
            foreach (string command in s_setup)
            {
                server.Vsctl(command);
            }
            var psi = new ProcessStartInfo(Requirements.FindExecutable("stdbuf")!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in new[] { "-oL", Requirements.FindExecutable("ovsdb-client")!, "monitor", server.Remote, "Open_vSwitch", "Bridge", "name,external_ids,flood_vlans", "--format=json" })
            {
                psi.ArgumentList.Add(arg);
            }
            foreach ((string key, string value) in server.Environment)
            {
                psi.Environment[key] = value;
            }
            using Process monitor = Process.Start(psi)!;
            var lines = new List<string>();
            monitor.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (lines)
                    {
                        lines.Add(e.Data);
                    }
                }
            };
            monitor.BeginOutputReadLine();
            WaitForLines(lines, 1);
            server.Vsctl("set bridge br0 external_ids:k=v");
            WaitForLines(lines, 2);
            server.Vsctl("add bridge br0 flood_vlans 10 20");
            WaitForLines(lines, 3);
            server.Vsctl("add-br br1");
            WaitForLines(lines, 4);
            server.Vsctl("del-br br1");
            WaitForLines(lines, 5);
            server.Vsctl("set bridge br0 external_ids:k=v");
            server.Vsctl("remove bridge br0 external_ids k");
            WaitForLines(lines, 6);
            monitor.Kill();
            monitor.WaitForExit();
            lock (lines)
            {
                return string.Join('\n', lines.Select(CanonicalJsonLine)) + "\n";
            }
        });
        Assert.Equal(6, real.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(Normalize(real), Normalize(ours));
    }

    private static string CanonicalJsonLine(string line)
    {
        try
        {
            return EngineHarness.Canonical(line);
        }
        catch (System.Text.Json.JsonException)
        {
            return line;
        }
    }

    private static void WaitForLines(List<string> lines, int count)
    {
        // Interop with an external process: poll its output with a deadline.
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            lock (lines)
            {
                if (lines.Count >= count)
                {
                    return;
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"monitor printed {lines.Count} lines, expected {count}");
            }
            Thread.Sleep(20);
        }
    }

    private const string PythonIdlScript = """
        import sys, time
        sys.path.insert(0, "/usr/share/openvswitch/python")
        import ovs.db.idl, ovs.poller
        remote, schema = sys.argv[1], sys.argv[2]
        helper = ovs.db.idl.SchemaHelper(schema)
        helper.register_columns('Open_vSwitch', ['bridges', 'next_cfg', 'external_ids'])
        helper.register_columns('Bridge', ['name', 'ports', 'datapath_type', 'external_ids'])
        helper.register_columns('Port', ['name', 'interfaces', 'tag'])
        helper.register_columns('Interface', ['name', 'type'])
        idl = ovs.db.idl.Idl(remote, helper)
        def run_until(pred, timeout=20):
            t0 = time.time()
            while time.time() - t0 < timeout:
                idl.run()
                if pred():
                    return True
                p = ovs.poller.Poller(); idl.wait(p); p.timer_wait(100); p.block()
            return False
        seq = idl.change_seqno
        run_until(lambda: idl.has_ever_connected() and idl.change_seqno != seq)
        def state(tag):
            print(tag, "bridges:", sorted(b.name for b in idl.tables['Bridge'].rows.values()),
                  "ports:", sorted((p.name, tuple(p.tag)) for p in idl.tables['Port'].rows.values()),
                  "ifaces:", sorted((i.name, i.type) for i in idl.tables['Interface'].rows.values()),
                  "ext:", sorted((b.name, sorted(b.external_ids.items())) for b in idl.tables['Bridge'].rows.values()))
        state("initial")
        ovsrow = next(iter(idl.tables['Open_vSwitch'].rows.values()))
        txn = ovs.db.idl.Transaction(idl)
        txn.add_comment("python idl: add-br pybr")
        iface = txn.insert(idl.tables['Interface']); iface.name = 'pybr'; iface.type = 'internal'
        port = txn.insert(idl.tables['Port']); port.name = 'pybr'; port.interfaces = [iface]
        br = txn.insert(idl.tables['Bridge']); br.name = 'pybr'; br.datapath_type = 'netdev'; br.ports = [port]
        ovsrow.verify('bridges')
        ovsrow.bridges = list(ovsrow.bridges) + [br]
        ovsrow.increment('next_cfg')
        st = txn.commit_block()
        print("commit1:", ovs.db.idl.Transaction.status_to_string(st), txn.get_increment_new_value())
        run_until(lambda: any(b.name == 'pybr' for b in idl.tables['Bridge'].rows.values()))
        state("after insert")
        pybr = [b for b in idl.tables['Bridge'].rows.values() if b.name == 'pybr'][0]
        txn = ovs.db.idl.Transaction(idl)
        pybr.setkey('external_ids', 'k1', 'v1'); pybr.setkey('external_ids', 'owner', 'python')
        print("commit2:", ovs.db.idl.Transaction.status_to_string(txn.commit_block()))
        txn = ovs.db.idl.Transaction(idl)
        pybr.setkey('external_ids', 'k1', 'v2'); pybr.delkey('external_ids', 'owner')
        print("commit3:", ovs.db.idl.Transaction.status_to_string(txn.commit_block()))
        run_until(lambda: dict(pybr.external_ids) == {'k1': 'v2'})
        state("after setkey")
        txn = ovs.db.idl.Transaction(idl)
        ovsrow.verify('bridges')
        ovsrow.bridges = [b for b in ovsrow.bridges if b.name != 'pybr']
        print("commit4:", ovs.db.idl.Transaction.status_to_string(txn.commit_block()))
        run_until(lambda: not any(b.name == 'pybr' for b in idl.tables['Bridge'].rows.values()))
        state("after removal")
        txn = ovs.db.idl.Transaction(idl)
        print("commit5 (no change):", ovs.db.idl.Transaction.status_to_string(txn.commit_block()))
        idl.close()
        """;

    [RequiresToolsFact("ovs-vsctl", "ovsdb-server", "ovsdb-tool")]
    public async Task The_real_python_idl_behaves_the_same()
    {
        Assert.True(File.Exists("/usr/bin/python3"), "Debian's /usr/bin/python3 with the ovs package is required");
        (string real, string ours) = await OnBoth(server =>
        {
            foreach (string command in s_setup)
            {
                server.Vsctl(command);
            }
            string script = Path.Combine(server.Directory, "idl.py");
            File.WriteAllText(script, PythonIdlScript);
            ProcessRunner.Result run = ProcessRunner.Run("/usr/bin/python3", [script, server.Remote, SchemaTests_InstalledSchema], server.Environment, 120_000);
            return $"rc={run.ExitCode}\n{run.StandardOutput}{run.StandardError}";
        });
        Assert.Contains("commit1: success", real);
        Assert.Contains("after removal bridges: ['br0']", real);
        Assert.Equal(real, ours);
    }

    private static string SchemaTests_InstalledSchema => Schema.SchemaTests.InstalledOvsSchema;
}
