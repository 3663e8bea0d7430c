// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Cli.Lab;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;
using SharpSwitch.Testing;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// <c>vsw lab run --real</c>: the operator's experiment on veth pairs in namespaces the lab creates, with SharpSwitch
/// daemons on AF_PACKET members and wall-clock time, against the same scenario under virtual time.
/// </summary>
[Collection(RealInterfacesCollection.Name)]
public sealed class RealInterfacesLabTests
{
    /// <summary>
    /// The example shortened to 6 s (faults at 2 s and 4 s instead of 10 s and 20 s): real time cannot be skipped,
    /// and the bond's behaviour does not depend on how long each phase lasts.
    /// </summary>
    internal static Scenario Shortened(string example, Func<string, string>? edit = null)
    {
        string text = File.ReadAllText(LabTestFiles.Example(example));
        if (edit is not null)
        {
            string edited = edit(text);
            Assert.NotEqual(text, edited);
            text = edited;
        }
        foreach (string expected in new[] { "duration: 30s", "at: 10s", "at: 20s" })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }
        text = text.Replace("duration: 30s", "duration: 6s", StringComparison.Ordinal)
            .Replace("at: 10s", "at: 2s", StringComparison.Ordinal)
            .Replace("at: 20s", "at: 4s", StringComparison.Ordinal);
        ScenarioReadResult read = ScenarioReader.Parse(System.Text.Encoding.UTF8.GetBytes(text), "examples/" + example);
        Assert.True(read.Succeeded, string.Join("\n", read.Errors));
        return read.Scenario!;
    }

    /// <summary>Namespaces and links whose names start with a process's real-interface prefix (<c>vl&lt;pid&gt;x</c>), by default this one's.</summary>
    internal static List<string> LeftBehind(int? processId = null)
    {
        string prefix = $"vl{(processId ?? Environment.ProcessId) % 100000}x";
        string namespaces = ProcessRunner.Run("ip", ["netns", "list"]).StandardOutput;
        string links = ProcessRunner.Run("ip", ["-o", "link", "show"]).StandardOutput;
        return namespaces.Split('\n').Concat(links.Split('\n')).Where(line => line.Contains(prefix, StringComparison.Ordinal)).ToList();
    }

    internal static void AssertSameTimeline(LabResult virtualRun, LabResult realRun)
    {
        Assert.Equal(virtualRun.Timeline.Select(e => (e.Node, e.Text)), realRun.Timeline.Select(e => (e.Node, e.Text)));
        // Real time is not exact, but a bond event a second away from its virtual time would be a wrong answer.
        foreach ((TimelineEntry v, TimelineEntry r) in virtualRun.Timeline.Zip(realRun.Timeline))
        {
            Assert.True(Math.Abs(v.TimeMs - r.TimeMs) < 1000, $"{r.Node} {r.Text}: at {r.TimeMs} ms on veths, {v.TimeMs} ms under virtual time");
        }
    }

    [RequiresRootFact]
    public void No_primary_fails_over_to_eno2_and_stays_as_under_virtual_time_and_leaves_nothing_behind()
    {
        Scenario scenario = Shortened("operator-no-primary.yaml");
        LabResult virtualRun = LabRunner.Run(scenario);
        LabResult realRun = LabRunner.Run(scenario, new LabRunOptions { Switch = LabSwitchKind.RealInterfaces });

        Assert.Equal(["sw1 bond-mgt: traffic stayed on eno2: no failback"], realRun.AnswerLines);
        Assert.Equal(virtualRun.AnswerLines, realRun.AnswerLines);
        Assert.Equal(["eno1", "eno2", "eno2"], realRun.Phases.Select(p => p.Bonds.Single().ActiveMember));
        AssertSameTimeline(virtualRun, realRun);
        // Frames really crossed the veths: the backup carried the flows after the failover, the pulled member nothing.
        InterfaceSample eno1 = realRun.Phases[1].Interfaces.Single(i => i.Label == "sw1:eno1");
        InterfaceSample eno2 = realRun.Phases[1].Interfaces.Single(i => i.Label == "sw1:eno2");
        Assert.Equal(eno1.AtStart.RxPackets, eno1.AtEnd.RxPackets);
        Assert.True(eno2.AtEnd.RxPackets - eno2.AtStart.RxPackets > 100, $"eno2 received {eno2.AtEnd.RxPackets - eno2.AtStart.RxPackets} frames after the failover");
        Assert.True(realRun.Phases[2].Legs.All(l => l.Stats.Delivered > 0));
        Assert.Empty(LeftBehind());
    }

    [RequiresRootFact]
    public void Bond_primary_fails_back_to_eno1_on_veths()
    {
        Scenario scenario = Shortened("operator-primary.yaml");
        LabResult virtualRun = LabRunner.Run(scenario);
        LabResult realRun = LabRunner.Run(scenario, new LabRunOptions { Switch = LabSwitchKind.RealInterfaces });

        Assert.Equal(["eno1", "eno2", "eno1"], realRun.Phases.Select(p => p.Bonds.Single().ActiveMember));
        Assert.StartsWith("sw1 bond-mgt: traffic failed back to eno1 at ", realRun.AnswerLines.Single(), StringComparison.Ordinal);
        AssertSameTimeline(virtualRun, realRun);
        Assert.Empty(LeftBehind());
    }

    [RequiresRootFact]
    public void Admin_down_sets_the_member_itself_down_with_the_same_timeline_as_under_virtual_time()
    {
        Scenario scenario = Shortened("operator-no-primary.yaml",
            text => text.Replace("link-down: sw1:eno1", "admin-down: sw1:eno1", StringComparison.Ordinal).Replace("link-up: sw1:eno1", "admin-up: sw1:eno1", StringComparison.Ordinal));
        LabResult virtualRun = LabRunner.Run(scenario);
        LabResult realRun = LabRunner.Run(scenario, new LabRunOptions { Switch = LabSwitchKind.RealInterfaces });

        Assert.Contains(realRun.Timeline, e => e.Node == "lab" && e.Text == "admin-down sw1:eno1");
        Assert.Equal(["eno1", "eno2", "eno2"], realRun.Phases.Select(p => p.Bonds.Single().ActiveMember));
        Assert.Equal(virtualRun.AnswerLines, realRun.AnswerLines);
        AssertSameTimeline(virtualRun, realRun);
        Assert.Empty(LeftBehind());
    }

    [Fact]
    public void Real_cannot_be_combined_with_real_ovs()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = LabCommand.Run(["run", LabTestFiles.Example("operator-no-primary.yaml"), "--real", "--switch", "ovs"], output, error);

        Assert.Equal(LabCommand.UsageOrScenarioError, exit);
        Assert.Contains("--real runs SharpSwitch on veth pairs; it cannot be combined with --switch ovs", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("", output.ToString());
    }
}
