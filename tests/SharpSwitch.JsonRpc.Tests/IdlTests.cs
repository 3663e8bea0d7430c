// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using SharpSwitch.Ovsdb;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Testing;

namespace SharpSwitch.JsonRpc.Tests;

public sealed class IdlTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(20);

    private static Datum Value(IdlRow row, string column, string ovsText)
    {
        return Datum.ParseOvsString(row.Table.Schema.FindColumn(column)!.Type, ovsText);
    }

    /// <summary>Interop only: waits, with a deadline, until the external server's update reaches the replica.</summary>
    private static async Task RunUntilAsync(OvsdbIdl idl, Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        idl.Run();
        while (!condition())
        {
            TimeSpan left = s_deadline - clock.Elapsed;
            Assert.True(left > TimeSpan.Zero, "the replica did not reach the expected state in time");
            try
            {
                await idl.WaitForUpdatesAsync().WaitAsync(left);
            }
            catch (TimeoutException)
            {
                Assert.Fail("the replica did not reach the expected state in time");
            }
            idl.Run();
        }
    }

    private static async Task<IdlRow> EnsureRootRowAsync(OvsdbIdl idl)
    {
        idl.Run();
        IdlRow? root = idl.GetTable("Open_vSwitch").Rows.FirstOrDefault();
        if (root is not null)
        {
            return root;
        }
        using IdlTransaction txn = idl.CreateTransaction();
        txn.VerifyTableEmpty("Open_vSwitch");
        txn.Insert("Open_vSwitch");
        IdlCommitResult result = await txn.CommitAsync();
        Assert.Equal(IdlTransactionStatus.Success, result.Status);
        return idl.GetTable("Open_vSwitch").Rows.Single();
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public async Task Replica_follows_changes_made_by_ovs_vsctl()
    {
        using var server = new OvsdbServerProcess();
        await using OvsdbIdl idl = await OvsdbIdl.ConnectAsync(server.Remote, new IdlOptions { FirstRequestId = 1 });
        idl.Run();
        Assert.Empty(idl.GetTable("Open_vSwitch").Rows);
        long sequence = idl.SequenceNumber;
        // A run with nothing to apply allocates nothing: the switch daemon's loop calls it after every signal.
        while (idl.Run())
        {
        }
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        Assert.False(idl.Run());
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);

        Assert.Equal(0, server.Vsctl("--no-wait", "init").ExitCode);
        Assert.Equal(0, server.Vsctl("--no-wait", "add-br", "br0", "--", "add-port", "br0", "p1", "tag=10", "--", "set", "port", "p1", "other_config:a=1", "other_config:b=2").ExitCode);
        await RunUntilAsync(idl, () => idl.GetTable("Port").Rows.Any(r => r.GetString("name") == "p1"));
        Assert.True(idl.SequenceNumber > sequence);
        IdlRow bridge = idl.GetTable("Bridge").Rows.Single();
        Assert.Equal("br0", bridge.GetString("name"));
        Assert.Equal(2, bridge["ports"].Count);
        IdlRow port = idl.GetTable("Port").Rows.Single(r => r.GetString("name") == "p1");
        Assert.Equal("10", port["tag"].ToOvsString());
        Assert.Equal("{a=\"1\", b=\"2\"}", port["other_config"].ToOvsString());

        // Diffs in update3: a cleared optional, a map key removed and one changed, a set element added.
        var changes = new List<IdlRowChange>();
        idl.Changed += changes.AddRange;
        Assert.Equal(0, server.Vsctl("--no-wait", "clear", "port", "p1", "tag", "--", "remove", "port", "p1", "other_config", "a", "--", "set", "port", "p1", "other_config:b=3", "--", "add", "port", "p1", "trunks", "5", "7").ExitCode);
        await RunUntilAsync(idl, () => port["tag"].Count == 0);
        Assert.Equal("{b=\"3\"}", port["other_config"].ToOvsString());
        Assert.Equal("[5, 7]", port["trunks"].ToOvsString());
        Assert.Contains(changes, c => c.Kind == IdlChangeKind.Modify && c.Uuid == port.Uuid && c.Columns.Contains("other_config"));

        Assert.Equal(0, server.Vsctl("--no-wait", "del-br", "br0").ExitCode);
        await RunUntilAsync(idl, () => !idl.GetTable("Bridge").Rows.Any());
        Assert.Empty(idl.GetTable("Port").Rows);
        Assert.Contains(changes, c => c.Kind == IdlChangeKind.Delete && c.Uuid == port.Uuid);
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public async Task Transaction_inserts_with_forward_references_and_increments_next_cfg()
    {
        using var server = new OvsdbServerProcess();
        await using OvsdbIdl idl = await OvsdbIdl.ConnectAsync(server.Remote);
        IdlRow root = await EnsureRootRowAsync(idl);

        using IdlTransaction txn = idl.CreateTransaction();
        IdlRow bridge = txn.Insert("Bridge");
        IdlRow port = txn.Insert("Port");
        IdlRow iface = txn.Insert("Interface");
        txn.Write(bridge, "name", Value(bridge, "name", "br9"));
        txn.Write(bridge, "ports", Datum.Single(bridge.Table.Schema.FindColumn("ports")!.Type, Atom.FromUuid(port.Uuid)));
        txn.Write(port, "name", Value(port, "name", "br9"));
        txn.Write(port, "interfaces", Datum.Single(port.Table.Schema.FindColumn("interfaces")!.Type, Atom.FromUuid(iface.Uuid)));
        txn.Write(iface, "name", Value(iface, "name", "br9"));
        txn.Write(iface, "type", Value(iface, "type", "internal"));
        txn.Verify(root, "bridges");
        txn.Write(root, "bridges", root["bridges"].Union(Datum.Single(root.Table.Schema.FindColumn("bridges")!.Type, Atom.FromUuid(bridge.Uuid))));
        txn.Increment(root, "next_cfg");
        txn.AddComment("sharpswitch idl test");
        Assert.Equal("br9", idl.GetTable("Bridge").Rows.Single().GetString("name"));
        IdlCommitResult result = await txn.CommitAsync();

        Assert.Equal(IdlTransactionStatus.Success, result.Status);
        Assert.Equal(1, result.IncrementedValue);
        Assert.Equal(3, result.InsertedUuids.Count);
        Guid realBridge = result.InsertedUuids[bridge.Uuid];
        IdlRow committed = idl.GetTable("Bridge").Rows.Single();
        Assert.Equal(realBridge, committed.Uuid);
        Assert.Equal("br9", committed.GetString("name"));
        Assert.Equal("internal", idl.GetTable("Interface").Rows.Single().GetString("type"));
        Assert.Equal("br9\n", server.Vsctl("list-br").StandardOutput);
        Assert.Equal("1\n", server.Vsctl("get", "Open_vSwitch", ".", "next_cfg").StandardOutput);
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public async Task A_verified_column_changed_by_someone_else_means_try_again_and_nothing_changes_means_unchanged()
    {
        using var server = new OvsdbServerProcess();
        Assert.Equal(0, server.Vsctl("--no-wait", "init", "--", "add-br", "br0").ExitCode);
        await using OvsdbIdl idl = await OvsdbIdl.ConnectAsync(server.Remote);
        idl.Run();
        IdlRow bridge = idl.GetTable("Bridge").Rows.Single();

        using (IdlTransaction same = idl.CreateTransaction())
        {
            same.Write(bridge, "name", bridge["name"]);
            same.Verify(bridge, "external_ids");
            same.Increment(idl.GetTable("Open_vSwitch").Rows.Single(), "next_cfg");
            Assert.Equal(IdlTransactionStatus.Unchanged, (await same.CommitAsync()).Status);
        }

        IdlTransaction txn = idl.CreateTransaction();
        txn.Verify(bridge, "external_ids");
        txn.Write(bridge, "fail_mode", Value(bridge, "fail_mode", "secure"));
        Assert.Equal(0, server.Vsctl("--no-wait", "set", "bridge", "br0", "external_ids:k=v").ExitCode);
        IdlCommitResult result = await txn.CommitAsync();
        Assert.Equal(IdlTransactionStatus.TryAgain, result.Status);
        Assert.Equal("[]\n", server.Vsctl("get", "bridge", "br0", "fail_mode").StandardOutput);

        await RunUntilAsync(idl, () => bridge["external_ids"].Count == 1);
        using IdlTransaction retry = idl.CreateTransaction();
        retry.Verify(bridge, "external_ids");
        retry.Write(bridge, "fail_mode", Value(bridge, "fail_mode", "secure"));
        Assert.Equal(IdlTransactionStatus.Success, (await retry.CommitAsync()).Status);
        Assert.Equal("secure\n", server.Vsctl("get", "bridge", "br0", "fail_mode").StandardOutput);
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public async Task A_server_side_constraint_error_is_reported_with_the_ovs_text()
    {
        using var server = new OvsdbServerProcess();
        Assert.Equal(0, server.Vsctl("--no-wait", "init", "--", "add-br", "br0").ExitCode);
        await using OvsdbIdl idl = await OvsdbIdl.ConnectAsync(server.Remote);
        idl.Run();
        using IdlTransaction txn = idl.CreateTransaction();
        IdlRow second = txn.Insert("Bridge");
        txn.Write(second, "name", Value(second, "name", "br0"));
        IdlRow root = idl.GetTable("Open_vSwitch").Rows.Single();
        txn.Write(root, "bridges", root["bridges"].Union(Datum.Single(root.Table.Schema.FindColumn("bridges")!.Type, Atom.FromUuid(second.Uuid))));
        IdlCommitResult result = await txn.CommitAsync();
        Assert.Equal(IdlTransactionStatus.Error, result.Status);
        Assert.StartsWith("{\"details\":\"Transaction causes multiple rows in \\\"Bridge\\\" table to have identical values (br0)", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("\"error\":\"constraint violation\"}", result.Error, StringComparison.Ordinal);
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public async Task Lock_is_granted_to_the_first_client_and_asserted_in_transactions()
    {
        using var server = new OvsdbServerProcess();
        Assert.Equal(0, server.Vsctl("--no-wait", "init").ExitCode);
        var options = new IdlOptions { LockName = "sharpswitch_test" };
        await using OvsdbIdl first = await OvsdbIdl.ConnectAsync(server.Remote, options);
        await RunUntilAsync(first, () => first.HasLock);
        await using OvsdbIdl second = await OvsdbIdl.ConnectAsync(server.Remote, options);
        second.Run();
        Assert.False(second.HasLock);

        using (IdlTransaction refused = second.CreateTransaction())
        {
            IdlRow root = second.GetTable("Open_vSwitch").Rows.Single();
            refused.Write(root, "external_ids", Value(root, "external_ids", "{who=second}"));
            Assert.Equal(IdlTransactionStatus.NotLocked, (await refused.CommitAsync()).Status);
        }
        using (IdlTransaction accepted = first.CreateTransaction())
        {
            IdlRow root = first.GetTable("Open_vSwitch").Rows.Single();
            accepted.Write(root, "external_ids", Value(root, "external_ids", "{who=first}"));
            Assert.Equal(IdlTransactionStatus.Success, (await accepted.CommitAsync()).Status);
        }

        // When the owner goes away the server hands the lock to the next in line.
        await first.DisposeAsync();
        await RunUntilAsync(second, () => second.HasLock);
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public async Task Reconnects_with_backoff_after_the_server_restarts_and_resynchronises()
    {
        using var server = new OvsdbServerProcess();
        Assert.Equal(0, server.Vsctl("--no-wait", "init", "--", "add-br", "br0").ExitCode);
        var time = new FakeTimeProvider();
        await using OvsdbIdl idl = await OvsdbIdl.ConnectAsync(server.Remote, new IdlOptions { TimeProvider = time });
        idl.Run();
        Assert.True(idl.IsConnected);

        server.Stop();
        await RunUntilAsync(idl, () => !idl.IsConnected);
        server.Start();
        Assert.Equal(0, server.Vsctl("--no-wait", "add-br", "br1").ExitCode);

        // The first reconnection attempt comes one (virtual) second after the disconnection.
        Assert.False(idl.IsConnected);
        time.Advance(TimeSpan.FromSeconds(1));
        await RunUntilAsync(idl, () => idl.IsConnected);
        Assert.Equal(["br0", "br1"], idl.GetTable("Bridge").Rows.Select(r => r.GetString("name")).Order(StringComparer.Ordinal));
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool")]
    public async Task Connecting_to_a_database_the_server_does_not_have_fails_clearly()
    {
        using var server = new OvsdbServerProcess();
        var error = await Assert.ThrowsAsync<OvsdbException>(() => OvsdbIdl.ConnectAsync(server.Remote, new IdlOptions { Database = "NoSuchDb" }));
        Assert.Equal("unknown database", error.Tag);
    }
}
