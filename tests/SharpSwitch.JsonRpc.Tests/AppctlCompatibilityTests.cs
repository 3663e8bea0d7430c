// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.RegularExpressions;
using SharpSwitch.Cli.Unixctl;
using SharpSwitch.Testing;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary><c>vsw appctl</c> against a real ovsdb-server's control socket prints and exits like the real ovs-appctl.</summary>
public sealed partial class AppctlCompatibilityTests
{
    private sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-appctl")]
    public void Appctl_matches_ovs_appctl_for_replies_errors_and_unreachable_targets()
    {
        using var server = new OvsdbServerProcess(defaultControlSocket: true);
        string[][] cases =
        [
            ["-t", "ovsdb-server", "version"],
            ["-t", "ovsdb-server", "list-commands"],
            ["-t", "ovsdb-server", "ovsdb-server/list-dbs"],
            ["-t", "ovsdb-server", "no-such-command"],
            ["-t", "ovsdb-server", "exit", "too", "many"],
            ["-t", "ovsdb-server", "ovsdb-server/compact", "NoSuchDb"],
            ["-t", "nosuchd", "version"],
            ["version"],
            ["-t", Path.Combine(server.Directory, "missing.ctl"), "version"],
            ["-t", "ovsdb-server"],
            ["--bogus"],
        ];
        var mismatches = new List<string>();
        foreach (string[] args in cases)
        {
            ProcessRunner.Result real = ProcessRunner.Run(Requirements.FindExecutable("ovs-appctl")!, args, server.Environment);
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int rc = AppctlCommand.Run(args, new AppctlCommand.Host { Out = stdout, Error = stderr, GetEnvironment = name => server.Environment.GetValueOrDefault(name) });
            var expected = new Outcome(real.ExitCode, real.StandardOutput, Normalise(real.StandardError));
            var actual = new Outcome(rc, stdout.ToString(), Normalise(stderr.ToString()));
            if (expected != actual)
            {
                mismatches.Add($"ovs-appctl {string.Join(' ', args)}\nexpected {expected}\nactual   {actual}");
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    private static string Normalise(string text)
    {
        text = text.Replace("/usr/bin/ovs-appctl: ", "ovs-appctl: ", StringComparison.Ordinal);
        return TimestampPattern().Replace(text, "<time>");
    }

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")]
    private static partial Regex TimestampPattern();
}
