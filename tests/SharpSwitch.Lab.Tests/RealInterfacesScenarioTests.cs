// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Globalization;
using SharpSwitch.Lab.RealInterfaces;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;
using SharpSwitch.NetDev;
using SharpSwitch.Testing;
using Xunit.Abstractions;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// <c>vsw lab run --real</c> beyond the operator's experiment: the lab's counters checked against the kernel's and the
/// database's, LACP bonds, a flap, an impairment, and Ctrl-C. Each runs on veths in namespaces the run makes and
/// removes, and skips with its reason without root.
/// </summary>
[Collection(RealInterfacesCollection.Name)]
public sealed class RealInterfacesScenarioTests(ITestOutputHelper output)
{
    private static readonly LabRunOptions s_real = new() { Switch = LabSwitchKind.RealInterfaces };

    private static Scenario Parse(string text, string name)
    {
        ScenarioReadResult read = ScenarioReader.Parse(System.Text.Encoding.UTF8.GetBytes(text), name);
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));
        return read.Scenario!;
    }

    private static string Replace(string text, string from, string to)
    {
        Assert.Contains(from, text, StringComparison.Ordinal);
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    /// <summary>
    /// The counters of the report are the frames the lab's stand-ins exchanged with the switch through the veths; the
    /// kernel counts the same frames on the switch's end of each veth, and the switch itself counts them into the
    /// database's <c>Interface.statistics</c>. The traffic stops a second before the run ends and the readings are
    /// taken after the last phase has closed (the hosts send nothing unprompted, and the namespaces have IPv6 off, so
    /// the kernel adds nothing). The one tolerance is the frames in flight at the instant of reading: what the switch
    /// sent that still waits unread on the lab's end of the veth (usually none; a switch slowed by a loaded machine
    /// may still be forwarding its backlog when the run stops relaying). Those are counted from the lab's socket, so
    /// the comparison stays exact: lab + unread = kernel = database, in frames and bytes. The database is written
    /// every statistics interval (5 s), so its reading waits for the first write that has them, at most 6 s.
    /// </summary>
    [RequiresRootFact]
    public void Member_counters_agree_with_the_kernel_and_the_database()
    {
        Scenario scenario = RealInterfacesLabTests.Shortened("operator-no-primary.yaml", text => Replace(
            Replace(text, "interval: 100ms }", "interval: 100ms, stop: 5s }"),
            "both-directions: true }", "both-directions: true, stop: 5s }"));
        var readings = new List<(string Label, InterfaceStatistics Kernel, IReadOnlyDictionary<string, long> Database, (long Frames, long Bytes) Unread)>();
        LabResult? labResult = null;
        var options = new LabRunOptions
        {
            Switch = LabSwitchKind.RealInterfaces,
            BeforeRealTeardown = switches =>
            {
                foreach (VethSwitch sw in switches)
                {
                    foreach ((string name, DummyNetDev device) in sw.Devices)
                    {
                        (long Frames, long Bytes) unread = sw.DrainUnread(name);
                        InterfaceStatistics kernel = sw.KernelStatistics(name);
                        IReadOnlyDictionary<string, long> database = sw.DatabaseStatistics(name);
                        var waited = Stopwatch.StartNew();
                        while ((database.GetValueOrDefault("tx_packets") != kernel.TxPackets || database.GetValueOrDefault("rx_packets") != kernel.RxPackets)
                            && waited.Elapsed < TimeSpan.FromSeconds(6))
                        {
                            Thread.Sleep(250);
                            database = sw.DatabaseStatistics(name);
                        }
                        readings.Add(($"{sw.Name}:{name}", kernel, database, unread));
                    }
                }
            },
        };
        labResult = LabRunner.Run(scenario, options);

        Assert.Equal(["eno1", "eno2", "eno2"], labResult.Phases.Select(p => p.Bonds.Single().ActiveMember));
        Assert.Equal(["sw1:eno1", "sw1:eno2", "sw1:port-mgt", "tor:p1", "tor:p2", "tor:p3"], readings.Select(r => r.Label).Order(StringComparer.Ordinal));
        List<InterfaceSample> reported = labResult.Phases[^1].Interfaces.ToList();
        Assert.Equal(["sw1:eno1", "sw1:eno2"], reported.Select(i => i.Label));
        foreach (InterfaceSample sample in reported)
        {
            (string _, InterfaceStatistics kernel, IReadOnlyDictionary<string, long> database, (long Frames, long Bytes) unread) = readings.Single(r => r.Label == sample.Label);
            InterfaceStatistics lab = sample.AtEnd;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{sample.Label}: lab tx {lab.TxPackets}/{lab.TxBytes} rx {lab.RxPackets}/{lab.RxBytes}, unread {unread.Frames}/{unread.Bytes}; kernel tx {kernel.TxPackets}/{kernel.TxBytes} rx {kernel.RxPackets}/{kernel.RxBytes}; database tx {database.GetValueOrDefault("tx_packets")}/{database.GetValueOrDefault("tx_bytes")} rx {database.GetValueOrDefault("rx_packets")}/{database.GetValueOrDefault("rx_bytes")}"));
            Assert.True(lab.TxPackets > 50, $"{sample.Label} carried only {lab.TxPackets} frames");
            // What the lab read from the switch, plus what was still on its way when the run stopped, is what the
            // kernel saw the switch send, and what the switch counted.
            Assert.Equal((lab.TxPackets + unread.Frames, lab.TxBytes + unread.Bytes), (kernel.TxPackets, kernel.TxBytes));
            Assert.Equal((kernel.TxPackets, kernel.TxBytes), (database["tx_packets"], database["tx_bytes"]));
            // What the lab sent into the veth is what reached the switch's interface and what the switch received.
            Assert.Equal((lab.RxPackets, lab.RxBytes), (kernel.RxPackets, kernel.RxBytes));
            Assert.Equal((lab.RxPackets, lab.RxBytes), (database["rx_packets"], database["rx_bytes"]));
        }
        // The other interfaces are not in the report (no bond, no event), but the kernel and the switch agree on them too.
        foreach ((string label, InterfaceStatistics kernel, IReadOnlyDictionary<string, long> database, _) in readings)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: kernel tx {kernel.TxPackets} rx {kernel.RxPackets}; database tx {database.GetValueOrDefault("tx_packets")} rx {database.GetValueOrDefault("rx_packets")}"));
            Assert.Equal((kernel.TxPackets, kernel.RxPackets), (database["tx_packets"], database["rx_packets"]));
        }
        Assert.Empty(RealInterfacesLabTests.LeftBehind());
    }

    /// <summary>
    /// LACP on veths: both switches negotiate over the veths (fast LACPDUs), balance-tcp spreads eight 5-tuples over
    /// both members, a pulled cable moves them all to eno2, and after it returns LACP takes eno1 back into the
    /// aggregate, with the same bond events as under virtual time once the fault began.
    /// </summary>
    [RequiresRootFact]
    public void Lacp_balance_tcp_spreads_fails_over_and_takes_the_member_back_on_veths()
    {
        string text = File.ReadAllText(LabTestFiles.Example("balance-tcp.yaml"));
        text = Replace(text, "duration: 40s", "duration: 12s");
        text = Replace(text, "start: 2s", "start: 3s");
        text = Replace(text, "at: 10s", "at: 6s");
        text = Replace(text, "at: 21s", "at: 8s");
        text = Replace(text, "at: 29500ms", "at: 9s");
        Scenario scenario = Parse(text, "examples/balance-tcp.yaml");
        LabResult virtualRun = LabRunner.Run(scenario);
        LabResult realRun = LabRunner.Run(scenario, s_real);
        foreach (string line in realRun.AnswerLines)
        {
            output.WriteLine(line);
        }

        List<FlowPlacement> before = realRun.Recording.PlacementByPhase[0].Where(r => r.Switch == "sw1").ToList();
        List<FlowPlacement> during = realRun.Recording.PlacementByPhase[1].Where(r => r.Switch == "sw1").ToList();
        Assert.True(before.Where(r => r.Member == "eno1").Sum(r => r.Out) > 100, "eno1 carried no flow before the fault");
        Assert.True(before.Where(r => r.Member == "eno2").Sum(r => r.Out) > 100, "eno2 carried no flow before the fault");
        Assert.Equal(0, during.Where(r => r.Member == "eno1").Sum(r => r.Out));
        Assert.True(during.Where(r => r.Member == "eno2").Sum(r => r.Out) > 100);
        // The events from the fault on: member disabled, then enabled again once LACP agrees on both ends.
        // Load shifts are left out: the rebalance interval runs from the bond's creation, which on veths is the set-up,
        // seconds before the run's clock starts, so rebalances fall at other instants of the run.
        static List<string> FromFault(LabResult run) => run.Timeline
            .Where(e => e.TimeMs >= 6000 && e.Node == "sw1" && e.BondEvent is { IsOvsLogLine: true, Kind: not SharpSwitch.Bonding.BondEventKind.LoadShifted })
            .Select(e => e.Text).ToList();
        Assert.Equal(FromFault(virtualRun), FromFault(realRun));
        Assert.Contains(FromFault(realRun), line => line.Contains("eno1", StringComparison.Ordinal) && line.Contains("enabled", StringComparison.Ordinal));
        // The answer agrees before the fault. Its "during the fault" part also spans 8 s to 9 s, after eno1 is back,
        // where a rebalance on the veths' wall clock may already have moved a flow to eno1 (it falls at other instants,
        // as above); the fault phase itself is checked frame by frame just above.
        static string BeforeFault(LabResult run) => run.AnswerLines.Single(l => l.StartsWith("sw1 ", StringComparison.Ordinal)).Split("; during the fault")[0];
        Assert.Equal(BeforeFault(virtualRun), BeforeFault(realRun));
        Assert.Empty(RealInterfacesLabTests.LeftBehind());
    }

    /// <summary>A flap of the primary (two 1 s cycles) gives the virtual run's timeline and answer on veths.</summary>
    [RequiresRootFact]
    public void Flap_of_the_primary_gives_the_virtual_timeline_on_veths()
    {
        Scenario scenario = RealInterfacesLabTests.Shortened("operator-primary.yaml", text =>
        {
            int events = text.IndexOf("events:", StringComparison.Ordinal);
            Assert.True(events > 0);
            return text[..events] + "events:\n  - at: 10s\n    flap: sw1:eno1\n    period: 1s\n    count: 2\n  - at: 20s\n    admin-up: sw1:eno2\n";
        });
        LabResult virtualRun = LabRunner.Run(scenario);
        LabResult realRun = LabRunner.Run(scenario, s_real);

        Assert.Equal(virtualRun.Timeline.Where(e => e.Node == "lab").Select(e => e.Text), realRun.Timeline.Where(e => e.Node == "lab").Select(e => e.Text));
        // The answer names the failback instant, which on veths is some milliseconds later than under virtual time.
        Assert.Equal(virtualRun.AnswerLines.Select(l => l.Split(" at ")[0]), realRun.AnswerLines.Select(l => l.Split(" at ")[0]));
        Assert.Equal(virtualRun.Phases.Select(p => p.Bonds.Single().ActiveMember), realRun.Phases.Select(p => p.Bonds.Single().ActiveMember));
        RealInterfacesLabTests.AssertSameTimeline(virtualRun, realRun);
        Assert.Empty(RealInterfacesLabTests.LeftBehind());
    }

    /// <summary>
    /// An impairment event on veths: the kernel here has no netem, and netem would draw from its own unseeded random
    /// source, so the lab applies its seeded model to the frames it relays. 20 % loss for 2 s loses about a fifth of
    /// the UDP frames sent in that phase and none around it, without a failover. The window ends with <c>for:</c>.
    /// </summary>
    [RequiresRootFact]
    public void Impairment_loses_frames_only_while_applied_on_veths()
    {
        Scenario scenario = RealInterfacesLabTests.Shortened("operator-no-primary.yaml", text =>
            Replace(Replace(text, "link-down: sw1:eno1", "impair: sw1:eno1\n    loss: 20%\n    corrupt: 5%\n    seed: 7\n    for: 1500ms"), "link-up: sw1:eno1", "admin-up: sw1:eno2"));
        LabResult realRun = LabRunner.Run(scenario, s_real);

        Assert.Equal([0L, 2000L, 3500L, 4000L], realRun.Phases.Select(p => p.StartMs));
        Assert.Contains(realRun.Timeline, e => e.Node == "lab" && e.Text.StartsWith("impair-end sw1:eno1", StringComparison.Ordinal));
        Assert.Equal(["eno1", "eno1", "eno1", "eno1"], realRun.Phases.Select(p => p.Bonds.Single().ActiveMember));
        LegSample impaired = realRun.Phases[1].Legs.First(l => l.Label.Contains("mgt -> gw", StringComparison.Ordinal) && !l.Label.StartsWith("ping", StringComparison.Ordinal));
        double lossShare = (double)impaired.Stats.Lost / impaired.Stats.Sent;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{impaired.Label}: sent {impaired.Stats.Sent}, lost {impaired.Stats.Lost}"));
        // 150 frames at 20 % loss plus 5 % corruption: a quarter lost on average, 0.12 to 0.38 with a wide margin.
        Assert.InRange(lossShare, 0.12, 0.38);
        Assert.Equal(0, realRun.Phases[2].Legs.Where(l => l.Label.StartsWith("udp", StringComparison.Ordinal)).Sum(l => l.Stats.Lost));
        InterfaceSample eno1 = realRun.Phases[1].Interfaces.Single(i => i.Label == "sw1:eno1");
        Assert.True(eno1.AtEnd.RxCrcErrors > eno1.AtStart.RxCrcErrors, "no corrupted frame was counted on sw1:eno1");
        Assert.NotEmpty(realRun.Impairments);
        Assert.Empty(RealInterfacesLabTests.LeftBehind());
    }

    /// <summary>
    /// Traffic that runs to the end of a run on veths loses nothing at the end: a frame sent in the last millisecond
    /// is still crossing the veths and the switch when the scenario's time is up, so the run reads the hosts' ends
    /// for a short wall-clock grace before it closes the last phase. At 1000 frames a second in both directions a
    /// frame goes out in the very last millisecond.
    /// </summary>
    [RequiresRootFact]
    public void Frames_still_on_the_wire_when_the_run_ends_are_not_counted_lost_on_veths()
    {
        Scenario scenario = RealInterfacesLabTests.Shortened("operator-no-primary.yaml", text => Replace(text, "rate: 100, size: 256", "rate: 1000, size: 256"));
        LabResult realRun = LabRunner.Run(scenario, s_real);

        PhaseResult last = realRun.Phases[^1];
        List<LegSample> udp = [.. last.Legs.Where(l => l.Label.StartsWith("udp", StringComparison.Ordinal))];
        Assert.Equal(2, udp.Count);
        foreach (LegSample leg in udp)
        {
            output.WriteLine($"{leg.Label}: sent {leg.Stats.Sent}, lost {leg.Stats.Lost}");
            Assert.InRange(leg.Stats.Sent, 1900, 2100);
            Assert.Equal(0, leg.Stats.Lost);
        }
        Assert.Empty(RealInterfacesLabTests.LeftBehind());
    }

    /// <summary>
    /// Ctrl-C: <c>vsw lab run --real</c> as its own process, interrupted with SIGINT while its traffic flows, removes
    /// every namespace and veth it made and stops its daemons, and says so with exit status 130. SIGTERM (kill, a
    /// service manager) gets the same orderly stop.
    /// </summary>
    [RequiresRootFact]
    public void Sigint_removes_every_namespace_veth_and_daemon_of_the_run() => SignalRemovesEverything("INT");

    [RequiresRootFact]
    public void Sigterm_removes_every_namespace_veth_and_daemon_of_the_run() => SignalRemovesEverything("TERM");

    private void SignalRemovesEverything(string signal)
    {
        string scenario = Path.Combine(Path.GetTempPath(), $"sharpswitch-real-sigint-{Environment.ProcessId}.yaml");
        File.WriteAllText(scenario, Replace(File.ReadAllText(LabTestFiles.Example("operator-no-primary.yaml")), "duration: 30s", "duration: 120s"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { Path.Combine(AppContext.BaseDirectory, "vsw.dll"), "lab", "run", scenario, "--real" })
        {
            start.ArgumentList.Add(argument);
        }
        using Process lab = Process.Start(start)!;
        Task<string> standardError = lab.StandardError.ReadToEndAsync();
        Task<string> standardOutput = lab.StandardOutput.ReadToEndAsync();
        try
        {
            // The run has begun once frames cross sw1's members: both namespaces exist and the daemons are up.
            string sw1 = $"vl{lab.Id % 100000}x1-sw1";
            var waited = Stopwatch.StartNew();
            while (!FramesCrossed(sw1))
            {
                if (lab.HasExited)
                {
                    Assert.Fail("vsw lab run --real ended early: " + standardError.Result);
                }
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(120), "the real run did not start within 120 s");
                Thread.Sleep(200);
            }
            List<int> daemons = Descendants(lab.Id);
            Assert.True(daemons.Count >= 4, $"expected two daemons per switch, found {daemons.Count} child processes");
            Assert.NotEmpty(RealInterfacesLabTests.LeftBehind(lab.Id));

            Assert.Equal(0, ProcessRunner.Run("kill", ["-" + signal, lab.Id.ToString(CultureInfo.InvariantCulture)]).ExitCode);
            Assert.True(lab.WaitForExit(60_000), $"vsw lab run --real did not stop within 60 s of SIG{signal}");

            output.WriteLine(standardError.Result);
            Assert.Equal(130, lab.ExitCode);
            Assert.Contains("interrupted", standardError.Result, StringComparison.Ordinal);
            Assert.Equal("", standardOutput.Result);
            Assert.Empty(RealInterfacesLabTests.LeftBehind(lab.Id));
            Assert.DoesNotContain(daemons, pid => Directory.Exists($"/proc/{pid}"));
        }
        finally
        {
            if (!lab.HasExited)
            {
                lab.Kill(entireProcessTree: true);
            }
            File.Delete(scenario);
        }
    }

    private static bool FramesCrossed(string nameSpace)
    {
        ProcessRunner.Result result = ProcessRunner.Run("ip", ["-n", nameSpace, "-s", "-j", "link", "show", "dev", "eno1"]);
        if (result.ExitCode != 0)
        {
            return false;
        }
        using var document = System.Text.Json.JsonDocument.Parse(result.StandardOutput);
        return document.RootElement[0].GetProperty("stats64").GetProperty("tx").GetProperty("packets").GetInt64() > 20;
    }

    /// <summary>Every process whose chain of parents leads to <paramref name="root"/>, read from <c>/proc</c>.</summary>
    private static List<int> Descendants(int root)
    {
        var parentOf = new Dictionary<int, int>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }
            try
            {
                string? line = File.ReadLines(Path.Combine(directory, "status")).FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal));
                if (line is not null)
                {
                    parentOf[pid] = int.Parse(line["PPid:".Length..].Trim(), CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // The process ended while it was being read.
            }
        }
        var found = new List<int>();
        foreach (int pid in parentOf.Keys)
        {
            for (int at = pid, steps = 0; parentOf.TryGetValue(at, out int parent) && steps < 64; at = parent, steps++)
            {
                if (parent == root)
                {
                    found.Add(pid);
                    break;
                }
            }
        }
        return found;
    }
}

/// <summary>
/// The tests that run scenarios on veths: one at a time and alone, because each checks that its run left no namespace
/// of this process behind (another class's live run would look like a leftover), and their wall-clock timing should
/// not compete with the other tests' processes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealInterfacesCollection
{
    public const string Name = "real interfaces";
}
