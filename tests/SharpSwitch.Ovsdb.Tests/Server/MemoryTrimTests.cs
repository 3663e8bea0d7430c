// SharpSwitch: an Open vSwitch-compatible virtual switch.
using Microsoft.Extensions.Time.Testing;
using SharpSwitch.JsonRpc;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Server;
using SharpSwitch.Ovsdb.Storage;

namespace SharpSwitch.Ovsdb.Tests.Server;

/// <summary>
/// When the server gives memory back: after a compaction only while <c>memory-trim-on-compaction</c> is on (off by
/// default, as in OVS 3.1), and after a burst of requests followed by a quiet second, with one follow-up 65 s later;
/// all under virtual time.
/// </summary>
public sealed class MemoryTrimTests
{
    private const long MB = 1024 * 1024;

    [Fact]
    public void Trimming_on_compaction_is_off_until_switched_on()
    {
        var policy = new MemoryTrimPolicy(idleDelay: null);
        Assert.False(policy.TrimOnCompaction);
        Assert.Null(policy.RequestHandled(nowMs: 10, allocatedBytes: 100 * MB, compacted: true));
        policy.TrimOnCompaction = true;
        Assert.Equal(MemoryTrimReason.AfterCompaction, policy.RequestHandled(nowMs: 20, allocatedBytes: 100 * MB, compacted: true));
        Assert.Null(policy.RequestHandled(nowMs: 30, allocatedBytes: 200 * MB, compacted: false));
        Assert.Null(policy.DeadlineMs);
    }

    [Fact]
    public void A_burst_is_trimmed_once_after_a_quiet_delay_that_each_request_restarts()
    {
        var policy = new MemoryTrimPolicy(TimeSpan.FromSeconds(1), burstBytes: 8 * MB);
        // Below the burst amount nothing is scheduled.
        Assert.Null(policy.RequestHandled(nowMs: 0, allocatedBytes: 7 * MB, compacted: false));
        Assert.Null(policy.DeadlineMs);
        Assert.Null(policy.RequestHandled(nowMs: 100, allocatedBytes: 9 * MB, compacted: false));
        Assert.Equal(1100, policy.DeadlineMs);
        Assert.Null(policy.RequestHandled(nowMs: 600, allocatedBytes: 12 * MB, compacted: false));
        Assert.Equal(1600, policy.DeadlineMs);
        Assert.Null(policy.Tick(nowMs: 1599, allocatedBytes: 12 * MB));
        Assert.Equal(MemoryTrimReason.IdleAfterBurst, policy.Tick(nowMs: 1600, allocatedBytes: 12 * MB));
        // One follow-up trim comes 65 s later, then nothing.
        Assert.Equal(66_600, policy.DeadlineMs);
        Assert.Null(policy.Tick(nowMs: 5000, allocatedBytes: 12 * MB));
        Assert.Equal(MemoryTrimReason.FollowUp, policy.Tick(nowMs: 66_600, allocatedBytes: 12 * MB));
        Assert.Null(policy.DeadlineMs);
        Assert.Null(policy.Tick(nowMs: 200_000, allocatedBytes: 12 * MB));
        // The next burst is counted from the trim.
        Assert.Null(policy.RequestHandled(nowMs: 6000, allocatedBytes: 19 * MB, compacted: false));
        Assert.Null(policy.DeadlineMs);
        Assert.Null(policy.RequestHandled(nowMs: 7000, allocatedBytes: 20 * MB, compacted: false));
        Assert.Equal(8000, policy.DeadlineMs);
    }

    [Fact]
    public void The_follow_up_comes_whatever_arrives_before_it_and_a_new_burst_replaces_it()
    {
        var policy = new MemoryTrimPolicy(TimeSpan.FromSeconds(1), burstBytes: 8 * MB);
        Assert.Null(policy.RequestHandled(nowMs: 0, allocatedBytes: 10 * MB, compacted: false));
        Assert.Equal(MemoryTrimReason.IdleAfterBurst, policy.Tick(nowMs: 1000, allocatedBytes: 10 * MB));
        // Small requests in between do not push the follow-up back.
        Assert.Null(policy.RequestHandled(nowMs: 30_000, allocatedBytes: 11 * MB, compacted: false));
        Assert.Equal(66_000, policy.DeadlineMs);
        Assert.Equal(MemoryTrimReason.FollowUp, policy.Tick(nowMs: 66_000, allocatedBytes: 11 * MB));

        // A new burst before the follow-up: its own quiet-time trim comes first and schedules the follow-up anew.
        Assert.Null(policy.RequestHandled(nowMs: 100_000, allocatedBytes: 20 * MB, compacted: false));
        Assert.Equal(MemoryTrimReason.IdleAfterBurst, policy.Tick(nowMs: 101_000, allocatedBytes: 20 * MB));
        Assert.Null(policy.RequestHandled(nowMs: 110_000, allocatedBytes: 29 * MB, compacted: false));
        Assert.Equal(111_000, policy.DeadlineMs);
        Assert.Equal(MemoryTrimReason.IdleAfterBurst, policy.Tick(nowMs: 111_000, allocatedBytes: 29 * MB));
        Assert.Equal(176_000, policy.DeadlineMs);
    }

    [Fact]
    public void A_compaction_trim_also_settles_a_pending_burst()
    {
        var policy = new MemoryTrimPolicy(TimeSpan.FromSeconds(1), burstBytes: 8 * MB) { TrimOnCompaction = true };
        Assert.Null(policy.RequestHandled(nowMs: 0, allocatedBytes: 10 * MB, compacted: false));
        Assert.Equal(1000, policy.DeadlineMs);
        Assert.Equal(MemoryTrimReason.AfterCompaction, policy.RequestHandled(nowMs: 500, allocatedBytes: 11 * MB, compacted: true));
        Assert.Null(policy.DeadlineMs);
    }

    [Fact]
    public async Task The_server_trims_after_a_quiet_second_and_after_a_compaction_when_switched_on()
    {
        var trims = new List<string>();
        string dir = Directory.CreateTempSubdirectory("ovsdb-trim-").FullName;
        try
        {
            string db = Path.Combine(dir, "conf.db");
            DatabaseFile.Create(db, VswitchSchema.Load());
            using DatabaseFile file = DatabaseFile.Open(db);
            var engine = new OvsdbServerEngine([new ServedDatabase(file)]);
            var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1));
            long allocated = 0;
            var policy = new MemoryTrimPolicy(TimeSpan.FromSeconds(1), burstBytes: 8 * MB);
            OvsdbServer server = OvsdbServer.Start(engine, [JsonRpcAddress.Parse("punix:" + Path.Combine(dir, "db.sock"))], time,
                log: line => { lock (trims) { trims.Add(line); } },
                trimPolicy: policy, trim: () => new ProcessMemory.TrimResult(20 * MB, 5 * MB, 30 * MB, 10 * MB), allocatedBytes: () => Volatile.Read(ref allocated));
            try
            {
                using var client = new RawClient(Path.Combine(dir, "db.sock"));
                Volatile.Write(ref allocated, 3 * MB);
                Assert.StartsWith("""{"id":1,"result":""", client.Request("""{"id":1,"method":"list_dbs","params":[]}"""));
                server.Invoke(_ => 0); // The reply goes out before the server reports the request; this waits for that.
                Assert.Null(policy.DeadlineMs);

                Volatile.Write(ref allocated, 12 * MB);
                Assert.StartsWith("""{"id":2,"result":""", client.Request("""{"id":2,"method":"list_dbs","params":[]}"""));
                server.Invoke(_ => 0);
                time.Advance(TimeSpan.FromMilliseconds(999));
                Assert.Empty(Trims());
                time.Advance(TimeSpan.FromMilliseconds(1));
                Assert.Equal(["memory trimmed (idle after a burst of requests): managed heap 20480 kB -> 5120 kB, committed 30720 kB -> 10240 kB"], Trims());
                time.Advance(TimeSpan.FromSeconds(10));
                Assert.Single(Trims());
                time.Advance(TimeSpan.FromSeconds(55));
                Assert.Equal(2, Trims().Count);
                Assert.StartsWith("memory trimmed (follow-up after a burst): ", Trims()[1]);

                // A compaction trims at once only while memory-trim-on-compaction is on.
                server.Invoke(e => { e.Compact(); return 0; });
                Assert.Equal(2, Trims().Count);
                policy.TrimOnCompaction = true;
                server.Invoke(e => { e.Compact(); return 0; });
                Assert.Equal(3, Trims().Count);
                Assert.StartsWith("memory trimmed (after compaction): ", Trims()[2]);
            }
            finally
            {
                await server.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        List<string> Trims()
        {
            lock (trims)
            {
                return [.. trims.Where(line => line.StartsWith("memory trimmed", StringComparison.Ordinal))];
            }
        }
    }

    [Fact]
    public void A_real_trim_reports_the_heap_before_and_after()
    {
        // Garbage that only a full collection frees: large arrays, dropped at once.
        for (int i = 0; i < 50; i++)
        {
            GC.KeepAlive(new byte[200_000]);
        }
        ProcessMemory.TrimResult result = ProcessMemory.Trim();
        Assert.True(result.HeapBytesAfter > 0);
        Assert.True(result.CommittedBytesAfter >= result.HeapBytesAfter);
    }
}
