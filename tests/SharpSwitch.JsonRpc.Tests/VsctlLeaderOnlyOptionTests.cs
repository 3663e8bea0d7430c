// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Cli.Vsctl;
using SharpSwitch.Testing;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary>
/// <c>--leader-only</c> and <c>--no-leader-only</c>, spelled and refused as ovs-vsctl 3.1 does. What they change
/// against a real cluster is tested in SharpSwitch.Cluster.Tests (LeaderOnlyTests).
/// </summary>
public sealed class VsctlLeaderOnlyOptionTests
{
    [Theory]
    [InlineData(new[] { "list-br" }, true)]
    [InlineData(new[] { "--no-leader-only", "list-br" }, false)]
    [InlineData(new[] { "--leader-only", "list-br" }, true)]
    [InlineData(new[] { "--no-leader-only", "--leader-only", "list-br" }, true)]
    [InlineData(new[] { "--leader-only", "--no-leader-only", "--db=unix:/a,unix:/b", "list-br" }, false)]
    public void The_last_of_the_two_options_decides_and_leader_only_is_the_default(string[] args, bool leaderOnly)
    {
        (VsctlCommandLine.Action action, VsctlSettings settings, List<VsctlInvocation> commands) = VsctlCommandLine.Parse(args);
        Assert.Equal(VsctlCommandLine.Action.Run, action);
        Assert.Equal(leaderOnly, settings.LeaderOnly);
        Assert.Equal("list-br", Assert.Single(commands).Spec.Name);
    }

    [Theory]
    [InlineData("--leader-only=no")]
    [InlineData("--no-leader-only=1")]
    public void A_value_is_refused_with_ovs_vsctl_text(string option)
    {
        VsctlException error = Assert.Throws<VsctlException>(() => VsctlCommandLine.Parse([option, "list-br"]));
        Assert.Equal($"option '{option[..option.IndexOf('=', StringComparison.Ordinal)]}' doesn't allow an argument", error.Message);
    }

    [Fact]
    public void They_are_global_options_not_command_options()
    {
        // Written after "--" they would belong to a command, which has no such option, exactly as in ovs-vsctl.
        VsctlException error = Assert.Throws<VsctlException>(() => VsctlCommandLine.Parse(["list-br", "--", "--no-leader-only", "list-br"]));
        Assert.Equal("'list-br' command has no '--no-leader-only' option", error.Message);
    }

    [RequiresToolsFact("ovs-vsctl")]
    public void Refusals_match_the_real_ovs_vsctl()
    {
        foreach (string[] args in new[] { new[] { "--leader-only=no", "list-br" }, ["--no-leader-only=1", "list-br"], ["list-br", "--", "--no-leader-only", "list-br"] })
        {
            string tool = OvsDaemons.Tool("ovs-vsctl");
            ProcessRunner.Result real = ProcessRunner.Run(tool, args, new Dictionary<string, string>(), 30_000);
            // getopt names the program as it was started (a full path here); ovs-vsctl's own errors use its short name.
            string realError = real.StandardError.StartsWith(tool + ":", StringComparison.Ordinal) ? "ovs-vsctl" + real.StandardError[tool.Length..] : real.StandardError;
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int rc = VsctlCommand.Run(args, new VsctlCommand.Host { Out = stdout, Error = stderr, OnTimeout = () => 142 });
            Assert.Equal((real.ExitCode, real.StandardOutput, realError), (rc, stdout.ToString(), stderr.ToString()));
        }
    }
}
