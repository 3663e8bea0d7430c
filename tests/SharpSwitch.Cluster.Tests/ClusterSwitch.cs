// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using SharpSwitch.Datapath;
using SharpSwitch.Switchd;
using SharpSwitch.Switchd.Logging;
using SharpSwitch.Switchd.Unixctl;
using SharpSwitch.Testing;

namespace SharpSwitch.Cluster.Tests;

/// <summary>
/// SharpSwitch's switch daemon, in this process, pointed at every server of an <see cref="OvsdbCluster"/> with
/// dummy interfaces, plus the clients the tests configure it with: <c>vsw vsctl</c> (the built <c>vsw</c>, as a
/// process) and the real <c>ovs-vsctl</c>, both given the whole remote list, and the real <c>ovs-appctl</c> on the
/// daemon's control socket.
/// </summary>
public sealed class ClusterSwitch : IAsyncDisposable
{
    private readonly OvsdbCluster _cluster;
    private readonly Vlog _log;
    private readonly UnixctlServer _control;
    private readonly Task _run;

    private ClusterSwitch(OvsdbCluster cluster, SwitchDaemon daemon, Vlog log, UnixctlServer control, Task run)
    {
        _cluster = cluster;
        Daemon = daemon;
        _log = log;
        _control = control;
        _run = run;
    }

    public SwitchDaemon Daemon { get; }

    public string ControlSocket => Path.Combine(_cluster.Directory, "vswitchd.ctl");

    public string LogFile => Path.Combine(_cluster.Directory, "vswitchd.log");

    /// <summary>Starts the daemon against <see cref="OvsdbCluster.Remotes"/> and waits until it applied the database.</summary>
    public static async Task<ClusterSwitch> StartAsync(OvsdbCluster cluster)
    {
        var log = new Vlog(() => DateTimeOffset.UtcNow, TextWriter.Null);
        log.OpenFile(Path.Combine(cluster.Directory, "vswitchd.log"));
        var daemon = new SwitchDaemon(new SwitchDaemonOptions
        {
            Remote = cluster.Remotes,
            EnableDummy = true,
            DummyOverridesSystem = true,
        }, log);
        UnixctlServer control = UnixctlServer.Start(Path.Combine(cluster.Directory, "vswitchd.ctl"), daemon.Commands, handler => daemon.InvokeAsync(handler));
        Task run = Task.Run(() => daemon.RunAsync());
        var sw = new ClusterSwitch(cluster, daemon, log, control, run);
        Task ready = await Task.WhenAny(daemon.Ready, run, Task.Delay(TimeSpan.FromSeconds(120)));
        if (ready != daemon.Ready)
        {
            await sw.DisposeAsync();
            throw new TimeoutException("SharpSwitch vswitchd did not become ready: " + (run.IsFaulted ? run.Exception!.ToString() : "timeout"));
        }
        return sw;
    }

    /// <summary>Runs <c>vsw vsctl</c> (the built vsw, as its own process) with the cluster's whole remote list.</summary>
    public ProcessRunner.Result VswVsctl(params string[] arguments)
    {
        return ProcessRunner.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "vsw.dll"), "vsctl", $"--db={_cluster.Remotes}", "--timeout=120", .. arguments],
            new Dictionary<string, string>(_cluster.Environment), 180_000);
    }

    /// <summary>
    /// Runs the real ovs-vsctl with the cluster's whole remote list and <c>--retry</c>: without it ovs-vsctl gives up
    /// at once when the remote it happens to pick first is a dead server, instead of trying the others.
    /// </summary>
    public ProcessRunner.Result OvsVsctl(params string[] arguments)
    {
        return ProcessRunner.Run(OvsDaemons.Tool("ovs-vsctl"), [$"--db={_cluster.Remotes}", "--timeout=120", "--retry", .. arguments],
            new Dictionary<string, string>(_cluster.Environment), 180_000);
    }

    public string Appctl(params string[] arguments)
    {
        ProcessRunner.Result result = ProcessRunner.Run(OvsDaemons.Tool("ovs-appctl"), ["-t", ControlSocket, .. arguments], new Dictionary<string, string>(_cluster.Environment), 30_000);
        Assert.True(result.ExitCode == 0, $"ovs-appctl {string.Join(' ', arguments)}: {result.StandardError}");
        return result.StandardOutput;
    }

    /// <summary>Frames sent so far by one interface of the switch, read on the daemon's loop.</summary>
    public Task<long> TxPacketsAsync(string bridge, string interfaceName)
    {
        return Daemon.InvokeAsync(() =>
            Daemon.Datapath.TryGetBridge(bridge, out Bridge br) && br.TryGetInterface(interfaceName, out PortInterface portInterface)
                ? portInterface.Device.Counters.Snapshot().TxPackets
                : -1);
    }

    /// <summary>The names of the ports the switch has built on a bridge, sorted.</summary>
    public Task<string[]> PortsAsync(string bridge)
    {
        return Daemon.InvokeAsync(() => Daemon.Datapath.TryGetBridge(bridge, out Bridge br)
            ? br.Ports.Select(p => p.Name).Order(StringComparer.Ordinal).ToArray()
            : []);
    }

    /// <summary>The daemon's "reconnect" log lines: every server choice of its IDL, with the reason.</summary>
    public List<string> ReconnectLog()
    {
        const string Marker = "|reconnect|";
        using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n').Where(l => l.Contains(Marker, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(100);
        }
        return await condition();
    }

    public async ValueTask DisposeAsync()
    {
        Daemon.RequestExit();
        await Task.WhenAny(_run, Task.Delay(TimeSpan.FromSeconds(10)));
        await Daemon.DisposeAsync();
        await _control.DisposeAsync();
        _log.Dispose();
    }
}
