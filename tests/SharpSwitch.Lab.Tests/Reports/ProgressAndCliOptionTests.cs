// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.Cli.Lab;
using SharpSwitch.Lab.Capture;

namespace SharpSwitch.Lab.Tests;

/// <summary>The progress bar's rules (under a fake wall clock) and the --html, --pcap and --json options end to end.</summary>
public sealed class ProgressAndCliOptionTests
{
    [Fact]
    public void Bar_stays_silent_for_the_first_second_then_draws_and_erases_itself()
    {
        var elapsed = TimeSpan.Zero;
        using var error = new StringWriter();
        var progress = new LabProgress(error, isTerminal: true, () => elapsed);

        progress.Report(1000, 30_000);
        elapsed = TimeSpan.FromMilliseconds(999);
        progress.Report(2000, 30_000);
        Assert.Equal(string.Empty, error.ToString());

        elapsed = TimeSpan.FromMilliseconds(1200);
        progress.Report(15_000, 30_000);
        Assert.Contains(" 50%  15.000 s of 30.000 s virtual time", error.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("\r[###############...............]", error.ToString(), StringComparison.Ordinal);
        // Within the redraw interval nothing more is written.
        int written = error.ToString().Length;
        elapsed = TimeSpan.FromMilliseconds(1250);
        progress.Report(16_000, 30_000);
        Assert.Equal(written, error.ToString().Length);

        progress.Finish();
        Assert.EndsWith("\r", error.ToString(), StringComparison.Ordinal);
        Assert.False(progress.Shown);
    }

    [Fact]
    public void Bar_is_never_drawn_when_stderr_is_not_a_terminal()
    {
        using var error = new StringWriter();
        var progress = new LabProgress(error, isTerminal: false, () => TimeSpan.FromMinutes(5));
        progress.Report(1, 2);
        progress.Finish();
        Assert.Equal(string.Empty, error.ToString());
    }

    [Fact]
    public void Json_stdout_stays_pure_while_the_bar_draws_on_stderr()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        // A clock that is always past the first second makes the bar draw during the run.
        var progress = new LabProgress(error, isTerminal: true, () => TimeSpan.FromSeconds(10));
        int exitCode = LabCommand.Run(["run", LabTestFiles.Example("operator-primary.yaml"), "--json"], output, error, progress);

        Assert.Equal(0, exitCode);
        using JsonDocument json = JsonDocument.Parse(output.ToString());
        Assert.Equal(2, json.RootElement.GetProperty("switchovers").GetArrayLength());
        Assert.Contains("virtual time", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\r', output.ToString());
    }

    [Fact]
    public void Html_and_pcap_options_write_their_files()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"sharpswitch-lab-cli-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string html = Path.Combine(directory, "report.html");
            string pcap = Path.Combine(directory, "run.pcapng");
            using var output = new StringWriter();
            using var error = new StringWriter();
            int exitCode = LabCommand.Run(["run", LabTestFiles.Example("operator-no-primary.yaml"), "--html", html, "--pcap", pcap], output, error);

            Assert.Equal(0, exitCode);
            Assert.Equal(File.ReadAllText(LabTestFiles.Golden("operator-no-primary.txt")).Replace("examples/", Path.Combine(LabTestFiles.RepositoryRoot, "examples") + "/", StringComparison.Ordinal), output.ToString());
            Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(html), StringComparison.Ordinal);
            Assert.True(PcapngReader.TryRead(File.ReadAllBytes(pcap), out CaptureFile? capture, out string problem), problem);
            Assert.Contains(capture!.Interfaces, i => i.Name == "sw1-eno1");
            Assert.Contains(capture.Interfaces, i => i.Name == "gw-eth0");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("--html")]
    [InlineData("--pcap")]
    public void File_options_without_a_file_are_usage_errors(string option)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = LabCommand.Run(["run", LabTestFiles.Example("operator-no-primary.yaml"), option], output, error);
        Assert.Equal(LabCommand.UsageOrScenarioError, exitCode);
        Assert.Contains($"{option} needs a FILE", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_keeps_its_existing_fields_and_adds_the_new_ones()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("operator-no-primary.yaml"));
        using JsonDocument json = JsonDocument.Parse(Reports.JsonReport.Render(result));
        JsonElement root = json.RootElement;

        Assert.Equal(["name", "source", "duration_ms", "timeline", "phases", "warnings", "hosts", "answers", "switchovers", "rates", "event_count", "flaps", "link_impairments", "impairments"], root.EnumerateObject().Select(p => p.Name));
        JsonElement switchover = root.GetProperty("switchovers")[0];
        Assert.Equal("failover", switchover.GetProperty("kind").GetString());
        Assert.Equal(0, switchover.GetProperty("detection_ms").GetInt64());
        Assert.Equal(3, switchover.GetProperty("flows").GetArrayLength());
        JsonElement placement = root.GetProperty("phases")[1].GetProperty("placement");
        JsonElement udpOnEno2 = placement.EnumerateArray().Single(p => p.GetProperty("flow").GetString() == "udp-1 mgt -> gw" && p.GetProperty("member").GetString() == "eno2");
        Assert.Equal(1000, udpOnEno2.GetProperty("out").GetInt64());
        Assert.Equal(result.Recording.BucketMs, root.GetProperty("rates").GetProperty("bucket_ms").GetInt64());
        Assert.Equal(2, root.GetProperty("rates").GetProperty("members").GetArrayLength());
    }
}
