// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Cli.Lab;
using SharpSwitch.Lab.Diff;
using SharpSwitch.Lab.RealOvs;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;
using SharpSwitch.Testing;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// Runs <see cref="RealOvsLabTests"/> on its own, after the tests that may run side by side: one of them checks that a
/// run leaves no temporary folder behind, which it can only tell while no other real-OVS run (the example sweep) is
/// making folders of its own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealOvsAloneCollection
{
    public const string Name = "real OVS, alone";
}

/// <summary>
/// <c>--switch ovs</c> and <c>vsw lab diff</c>: the same scenario on real Open vSwitch (one ovsdb-server and one
/// ovs-vswitchd --enable-dummy per switch node, virtual time by time/warp), compared with SharpSwitch.
/// </summary>
[Collection(RealOvsAloneCollection.Name)]
public sealed class RealOvsLabTests
{
    /// <summary>
    /// An example with only the ping flow: the bond's behaviour is the same, and real OVS, which the lab must wait for
    /// after every frame, runs it several times faster than with the 100 frames per second UDP stream.
    /// </summary>
    private static Scenario PingOnly(string example)
    {
        string text = File.ReadAllText(LabTestFiles.Example(example));
        string udp = "  - udp: { from: mgt, to: gw, rate: 100, size: 256, both-directions: true }\n";
        Assert.Contains(udp, text, StringComparison.Ordinal);
        ScenarioReadResult read = ScenarioReader.Parse(text.Replace(udp, "", StringComparison.Ordinal), "examples/" + example);
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));
        return read.Scenario!;
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")]
    public void Real_ovs_does_not_fail_back_without_bond_primary()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("operator-no-primary.yaml"), new LabRunOptions { Switch = LabSwitchKind.Ovs });

        Assert.Equal(["sw1 bond-mgt: traffic stayed on eno2: no failback"], result.AnswerLines);
        Assert.Equal(["eno1", "eno2", "eno2"], result.Phases.Select(p => p.Bonds.Single().ActiveMember));
        Assert.Contains(result.Timeline, e => e.TimeMs == 10_000 && e.Node == "sw1" && e.Text == "bond bond-mgt: active member is now eno2");
        Assert.All(result.Phases.SelectMany(p => p.Legs), leg => Assert.Equal(0, leg.Stats.Lost));
        // The counters are what crossed the wire between OVS and the rest of the lab.
        Assert.True(result.Phases[1].Interfaces.Single(i => i.Label == "sw1:eno2").AtEnd.RxPackets > 1000);
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")]
    public void Real_ovs_fails_back_with_bond_primary_and_leaves_nothing_running()
    {
        string[] before = Directory.GetDirectories(Path.GetTempPath(), "vsw-lab-*");
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("operator-primary.yaml"), new LabRunOptions { Switch = LabSwitchKind.Ovs });

        Assert.Equal(["sw1 bond-mgt: traffic failed back to eno1 at 20.000 s"], result.AnswerLines);
        Assert.Equal(["eno1", "eno2", "eno1"], result.Phases.Select(p => p.Bonds.Single().ActiveMember));
        Assert.Contains(result.Timeline, e => e.TimeMs == 20_000 && e.Node == "sw1" && e.Text == "bond bond-mgt: active member is now eno1");
        // The daemons were stopped and the run's directory removed. Other real-OVS runs on the machine (another test
        // process) make directories of their own meanwhile; theirs hold a running daemon or go away within moments,
        // while one this run left behind would stay without a daemon.
        string[] left = [];
        for (int look = 0; look < 40; look++)
        {
            left = Directory.GetDirectories(Path.GetTempPath(), "vsw-lab-*").Except(before).Where(dir => !HoldsLiveDaemon(dir)).ToArray();
            if (left.Length == 0)
            {
                break;
            }
            Thread.Sleep(500);
        }
        Assert.Empty(left);
    }

    /// <summary>True when a switch directory under <paramref name="runDirectory"/> names a daemon (by pidfile) that is running.</summary>
    private static bool HoldsLiveDaemon(string runDirectory)
    {
        try
        {
            return Directory.GetFiles(runDirectory, "*.pid", SearchOption.AllDirectories)
                .Any(pidFile => int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid) && Directory.Exists($"/proc/{pid}"));
        }
        catch (IOException)
        {
            // Removed while being looked at: not left behind.
            return true;
        }
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")]
    public void Diff_finds_no_difference_on_the_operator_experiment()
    {
        LabDiffResult diff = LabDiff.Run(PingOnly("operator-no-primary.yaml"));

        Assert.True(diff.Same, diff.Render());
        Assert.StartsWith("SharpSwitch and Open vSwitch behave the same on examples/operator-no-primary.yaml", diff.Render(), StringComparison.Ordinal);
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")]
    public void Diff_finds_no_difference_on_the_operator_experiment_with_bond_primary()
    {
        LabDiffResult diff = LabDiff.Run(PingOnly("operator-primary.yaml"));

        Assert.True(diff.Same, diff.Render());
        Assert.Equal(["sw1 bond-mgt: traffic failed back to eno1 at 20.000 s"], diff.Ovs.AnswerLines);
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")]
    public void Diff_reports_a_sharpswitch_only_failback_policy_and_exits_one()
    {
        // bond-failback=never is SharpSwitch's key: OVS ignores it and fails back to the primary anyway.
        string path = Path.Combine(Path.GetTempPath(), $"vsw-diff-{Guid.NewGuid():N}.yaml");
        string text = File.ReadAllText(LabTestFiles.Example("failback-never.yaml"));
        File.WriteAllText(path, text.Replace("  - udp: { from: mgt, to: gw, rate: 100, size: 256, both-directions: true }\n", "", StringComparison.Ordinal));
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = LabDiffCommand.Run([path], output, error);

            Assert.Equal(1, exit);
            string report = output.ToString();
            Assert.Contains("differ on", report, StringComparison.Ordinal);
            Assert.Contains("only OVS logged \"bond bond-mgt: active member is now eno1\"", report, StringComparison.Ordinal);
            Assert.Contains("sw1 bond-mgt active member at the end: SharpSwitch eno2, OVS eno1", report, StringComparison.Ordinal);
            Assert.Equal("", error.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [RequiresToolsFact("ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl")]
    public void Diff_finds_no_difference_where_the_lab_cannot_watch_ovs_main_loop()
    {
        // Without /proc's view of OVS's main thread (not root, another architecture) each step ends with the request
        // barrier and its probes instead; the run must come out the same.
        RealOvsSwitch.UseBarrierOnly = true;
        try
        {
            LabDiffResult diff = LabDiff.Run(PingOnly("operator-primary.yaml"));

            Assert.True(diff.Same, diff.Render());
        }
        finally
        {
            RealOvsSwitch.UseBarrierOnly = false;
        }
    }

    [Fact]
    public void Without_the_ovs_schema_the_run_stops_with_a_clear_error()
    {
        string? saved = Environment.GetEnvironmentVariable("OVS_PKGDATADIR");
        string empty = Directory.CreateTempSubdirectory("vsw-noschema-").FullName;
        Environment.SetEnvironmentVariable("OVS_PKGDATADIR", empty);
        try
        {
            RealOvsException error = Assert.Throws<RealOvsException>(() => LabRunner.Run(LabTestFiles.LoadExample("operator-no-primary.yaml"), new LabRunOptions { Switch = LabSwitchKind.Ovs }));
            Assert.StartsWith("--switch ovs needs Open vSwitch installed", error.Message, StringComparison.Ordinal);
            Assert.Contains("vswitch.ovsschema", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OVS_PKGDATADIR", saved);
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void Diff_of_two_sharpswitch_runs_lists_the_failback_they_disagree_on()
    {
        LabResult noPrimary = LabRunner.Run(LabTestFiles.LoadExample("operator-no-primary.yaml"));
        LabResult primary = LabRunner.Run(LabTestFiles.LoadExample("operator-primary.yaml"));

        Assert.True(LabDiff.Compare(noPrimary, LabRunner.Run(LabTestFiles.LoadExample("operator-no-primary.yaml"))).Same);
        LabDiffResult diff = LabDiff.Compare(noPrimary, primary);

        Assert.False(diff.Same);
        Assert.Contains("timeline 20.000 s sw1: only OVS logged \"bond bond-mgt: active member is now eno1\"", diff.Differences);
        Assert.Contains(diff.Differences, d => d.StartsWith("phase 3 (20.000 s to 30.000 s): sw1 bond-mgt active member at the end: SharpSwitch eno2, OVS eno1", StringComparison.Ordinal));
        Assert.Contains(diff.Differences, d => d.StartsWith("answer: sw1 bond-mgt: SharpSwitch: traffic stayed on eno2", StringComparison.Ordinal));
    }

    [Fact]
    public void Ovs_bond_log_lines_become_the_bond_events_sharpswitch_raises()
    {
        string log = Path.Combine(Path.GetTempPath(), $"vsw-bondlog-{Guid.NewGuid():N}.log");
        // Lines as ovs-vswitchd 3.1 writes them (captured on this machine with --enable-dummy).
        File.WriteAllText(log, string.Join('\n',
            "2026-11-26T03:59:00.041Z|00041|bridge|INFO|bridge br0: added interface eno2 on port 1",
            "2026-11-26T03:59:00.041Z|00045|bond|INFO|member eno2: enabled",
            "2026-11-26T03:59:00.041Z|00048|bond|INFO|bond bond0: active member is now eno2",
            "2026-11-26T03:59:01.000Z|00049|bond|INFO|member eno1: link state down",
            "2026-11-26T03:59:01.000Z|00050|bond|INFO|member eno1: will be enabled if it stays up for 3000 ms",
            "2026-11-26T03:59:01.000Z|00051|bond|INFO|bond bond0: all members disabled",
            "2026-11-26T03:59:01.000Z|00051|bond|INFO|bond bond0: shift 850kB of load (with hash 44) from eno2 to eno1 (now carrying 5950kB and 850kB load, respectively)",
            "2026-11-26T03:59:01.000Z|00052|bond|INFO|member eno1: disab") + "");
        try
        {
            var parser = new OvsBondLog(log, new Dictionary<string, string> { ["eno1"] = "bond0", ["eno2"] = "bond0" });
            List<BondEvent> first = parser.ReadNew(500);
            Assert.Equal(
                [(BondEventKind.Enabled, "eno2"), (BondEventKind.ActiveChanged, "eno2"), (BondEventKind.LinkDown, "eno1"), (BondEventKind.WillBeEnabled, "eno1"), (BondEventKind.AllMembersDisabled, null), (BondEventKind.LoadShifted, "eno1")],
                first.Select(e => (e.Kind, e.Member)));
            Assert.All(first, e => Assert.Equal(500, e.TimeMs));
            Assert.All(first, e => Assert.Equal("bond0", e.Bond));
            // A line still being written is read whole on the next call.
            File.AppendAllText(log, "led\n");
            BondEvent rest = Assert.Single(parser.ReadNew(700));
            Assert.Equal((BondEventKind.Disabled, "eno1", 700L, "member eno1: disabled"), (rest.Kind, rest.Member, rest.TimeMs, rest.Message));
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public void Main_loop_watch_calls_only_a_blocking_poll_on_descriptors_idle()
    {
        // /proc/PID/task/TID/syscall as Linux writes it for ovs-vswitchd's main thread (x86-64, poll is 7).
        Assert.True(MainLoopWatch.IsBlockedInPoll("7 0x562fc3971b00 0x8 0x1384 0x7550083db37ec594 0x0 0x562fc3938650 0x7ffce62f1b60 0x7f70f933326f\n", 7));
        Assert.True(MainLoopWatch.IsBlockedInPoll("7 0x562fc3971b00 0x8 0xffffffff 0x0 0x0 0x0 0x7ffce62f1b60 0x7f70f933326f\n", 7));
        // A zero timeout is a loop with work pending; no descriptors is time/warp's 10 ms sleep.
        Assert.False(MainLoopWatch.IsBlockedInPoll("7 0x562fc3971b00 0x8 0x0 0x0 0x0 0x0 0x7ffce62f1b60 0x7f70f933326f\n", 7));
        Assert.False(MainLoopWatch.IsBlockedInPoll("7 0x0 0x0 0xa 0x0 0x0 0x0 0x7ffce62f1b60 0x7f70f933326f\n", 7));
        // Running, or blocked in something else (a mutex), is not idle.
        Assert.False(MainLoopWatch.IsBlockedInPoll("running\n", 7));
        Assert.False(MainLoopWatch.IsBlockedInPoll("202 0x562fc3971b00 0x80 0x2 0x0 0x0 0x0 0x7ffce62f1b60 0x7f70f933326f\n", 7));
        Assert.False(MainLoopWatch.IsBlockedInPoll("-1 0x7ffce62f1b60 0x7f70f933326f\n", 7));
    }

    [Fact]
    public void Pcap_tail_hands_over_each_frame_once_however_the_file_grows()
    {
        string path = Path.Combine(Path.GetTempPath(), $"vsw-tail-{Guid.NewGuid():N}.pcap");
        byte[][] frames = [Enumerable.Range(0, 60).Select(i => (byte)i).ToArray(), Enumerable.Range(0, 1514).Select(i => (byte)(i * 7)).ToArray(), new byte[64]];
        // Classic pcap as OVS writes it: the global header, then a 16-byte header before each frame, little-endian here.
        var file = new List<byte>();
        file.AddRange(BitConverter.GetBytes(0xa1b2c3d4u));
        file.AddRange(new byte[20]);
        foreach (byte[] frame in frames)
        {
            file.AddRange(new byte[8]);
            file.AddRange(BitConverter.GetBytes((uint)frame.Length));
            file.AddRange(BitConverter.GetBytes((uint)frame.Length));
            file.AddRange(frame);
        }
        byte[] bytes = [.. file];
        try
        {
            using var tail = new PcapTail(path);
            var seen = new List<byte[]>();
            Assert.Equal(0, tail.ReadNew(f => seen.Add(f.ToArray())));
            // The file appears, and grows in pieces that cut headers and frames in two.
            int[] cuts = [10, 30, 100, 1600, bytes.Length];
            int written = 0;
            using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
            {
                foreach (int cut in cuts)
                {
                    stream.Write(bytes, written, cut - written);
                    stream.Flush();
                    written = cut;
                    tail.ReadNew(f => seen.Add(f.ToArray()));
                }
            }
            Assert.Equal(frames, seen);
            Assert.Equal(0, tail.ReadNew(f => seen.Add(f.ToArray())));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
