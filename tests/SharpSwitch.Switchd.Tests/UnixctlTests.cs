// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Switchd.Unixctl;
using SharpSwitch.Testing;

namespace SharpSwitch.Switchd.Tests;

/// <summary>The control socket: dispatch rules, OVS's texts, and the real ovs-appctl talking to it.</summary>
public sealed class UnixctlTests : IAsyncLifetime
{
    private readonly string _runDirectory = Directory.CreateTempSubdirectory("vsw-unixctl-").FullName;
    private Pidfile? _pidfile;
    private UnixctlServer? _server;
    private readonly UnixctlCommandTable _table = CreateTable();

    private static UnixctlCommandTable CreateTable()
    {
        var table = new UnixctlCommandTable("ovs-vswitchd (Open vSwitch) 3.1.0");
        table.Register(new UnixctlCommand("bond/show", "[port]", 0, 1, args => args.Count == 1 && args[0] == "nosuch" ? UnixctlResult.Error("no such bond") : UnixctlResult.Ok("shown " + string.Join(",", args))));
        table.Register(new UnixctlCommand("bond/set-active-member", "port member", 2, 2, _ => UnixctlResult.Ok("done")));
        table.Register(new UnixctlCommand("bond/set-active-slave", null, 2, 2, _ => UnixctlResult.Ok("done")));
        table.Register(new UnixctlCommand("bond/list", "", 0, 0, _ => UnixctlResult.Ok("bond\ttype\trecircID\tmembers\n")));
        table.Register(new UnixctlCommand("dpif-netdev/miniflow-parser-set", "[-pmd core] name", 1, 3, _ => UnixctlResult.Ok("")));
        return table;
    }

    public Task InitializeAsync()
    {
        _pidfile = Pidfile.Create(RunDirectory.PidfilePath("ovs-vswitchd", _runDirectory));
        _server = UnixctlServer.Start(RunDirectory.ControlSocketPath("ovs-vswitchd", Environment.ProcessId, _runDirectory), _table);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _pidfile?.Dispose();
        Directory.Delete(_runDirectory, recursive: true);
    }

    [Fact]
    public void List_commands_is_sorted_padded_to_23_and_hides_aliases()
    {
        string text = _table.Dispatch("list-commands", []).Text;
        Assert.Equal(
            "The available commands are:\n" +
            "  bond/list               \n" +
            "  bond/set-active-member  port member\n" +
            "  bond/show               [port]\n" +
            "  dpif-netdev/miniflow-parser-set [-pmd core] name\n" +
            "  list-commands           \n" +
            "  version                 \n",
            text);
    }

    [Fact]
    public void Dispatch_errors_use_ovs_wording()
    {
        Assert.Equal(UnixctlResult.Error("\"no-such-command\" is not a valid command (use \"list-commands\" to see a list of valid commands)"), _table.Dispatch("no-such-command", []));
        Assert.Equal(UnixctlResult.Error("\"bond/set-active-member\" command requires at least 2 arguments"), _table.Dispatch("bond/set-active-member", ["b"]));
        Assert.Equal(UnixctlResult.Error("\"bond/show\" command takes at most 1 arguments"), _table.Dispatch("bond/show", ["a", "b"]));
    }

    [Fact]
    public async Task Our_client_gets_results_errors_and_the_trailing_newline()
    {
        string socket = UnixctlClient.ResolveTarget("ovs-vswitchd", _runDirectory);
        Assert.Equal(UnixctlResult.Ok("ovs-vswitchd (Open vSwitch) 3.1.0\n"), await UnixctlClient.CallAsync(socket, "version", [], TimeSpan.FromSeconds(10)));
        Assert.Equal(UnixctlResult.Error("no such bond\n"), await UnixctlClient.CallAsync(socket, "bond/show", ["nosuch"], TimeSpan.FromSeconds(10)));
        Assert.Equal(UnixctlResult.Ok(""), await UnixctlClient.CallAsync(socket, "dpif-netdev/miniflow-parser-set", ["x"], TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task The_server_creates_a_missing_run_directory()
    {
        string socket = Path.Combine(_runDirectory, "not", "yet", "there", "test.ctl");
        await using UnixctlServer server = UnixctlServer.Start(socket, _table);
        Assert.Equal(UnixctlResult.Ok("ovs-vswitchd (Open vSwitch) 3.1.0\n"), await UnixctlClient.CallAsync(socket, "version", [], TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void A_target_without_pidfile_is_a_clear_client_error()
    {
        var ex = Assert.Throws<UnixctlClientException>(() => UnixctlClient.ResolveTarget("ovsdb-server", _runDirectory));
        Assert.Contains("cannot read pidfile", ex.Message, StringComparison.Ordinal);
    }

    [RequiresToolsFact("ovs-appctl")]
    public void Real_ovs_appctl_finds_the_daemon_through_the_locked_pidfile()
    {
        var env = new Dictionary<string, string> { ["OVS_RUNDIR"] = _runDirectory };
        ProcessRunner.Result version = ProcessRunner.Run("ovs-appctl", ["-t", "ovs-vswitchd", "version"], env);
        Assert.Equal(0, version.ExitCode);
        Assert.Equal("ovs-vswitchd (Open vSwitch) 3.1.0\n", version.StandardOutput);

        ProcessRunner.Result list = ProcessRunner.Run("ovs-appctl", ["-t", "ovs-vswitchd", "bond/list"], env);
        Assert.Equal("bond\ttype\trecircID\tmembers\n", list.StandardOutput);

        ProcessRunner.Result error = ProcessRunner.Run("ovs-appctl", ["-t", "ovs-vswitchd", "bond/show", "nosuch"], env);
        Assert.Equal(2, error.ExitCode);
        Assert.Equal("no such bond\novs-appctl: ovs-vswitchd: server returned an error\n", error.StandardError);

        ProcessRunner.Result unknown = ProcessRunner.Run("ovs-appctl", ["-t", "ovs-vswitchd", "no-such-command"], env);
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("\"no-such-command\" is not a valid command", unknown.StandardError, StringComparison.Ordinal);

        ProcessRunner.Result tooFew = ProcessRunner.Run("ovs-appctl", ["-t", "ovs-vswitchd", "bond/set-active-member", "b"], env);
        Assert.Equal("\"bond/set-active-member\" command requires at least 2 arguments\novs-appctl: ovs-vswitchd: server returned an error\n", tooFew.StandardError);
    }
}
