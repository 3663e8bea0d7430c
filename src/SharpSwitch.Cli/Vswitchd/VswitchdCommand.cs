// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Switchd;
using SharpSwitch.Switchd.Logging;
using SharpSwitch.Switchd.Unixctl;

namespace SharpSwitch.Cli.Vswitchd;

/// <summary>
/// <c>vsw vswitchd [DATABASE] [--pidfile[=FILE]] [--unixctl=SOCKET] [--log-file[=FILE]] [--enable-dummy[=override]]
/// [--disable-system] [-vSPEC]</c>: the switch daemon, with ovs-vswitchd's options, pidfile and control socket, so the
/// real <c>ovs-appctl -t ovs-vswitchd</c> finds it. It does not fork; run it under a supervisor (systemd Type=simple).
/// </summary>
internal static class VswitchdCommand
{
    private const string Usage =
        "usage: vsw vswitchd [DATABASE] [--pidfile[=FILE]] [--unixctl=SOCKET] [--log-file[=FILE]]\n" +
        "                    [--enable-dummy[=override]] [--disable-system] [-vSPEC]...\n" +
        "DATABASE defaults to unix:$OVS_RUNDIR/db.sock (OVS_RUNDIR defaults to /var/run/openvswitch).";

    [VswSubcommand("vswitchd", "the switch daemon (ovs-vswitchd compatible)")]
    internal static int Run(string[] args)
    {
        DaemonArguments parsed;
        try
        {
            parsed = DaemonArguments.Parse(args, "ovs-vswitchd");
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"vsw vswitchd: {ex.Message}");
            Console.Error.WriteLine(Usage);
            return 1;
        }
        if (parsed.Help)
        {
            Console.WriteLine(Usage);
            return 0;
        }
        return RunDaemon(parsed).GetAwaiter().GetResult();
    }

    private static async Task<int> RunDaemon(DaemonArguments parsed)
    {
        string remote = parsed.Positional.Count > 0 ? parsed.Positional[0] : "unix:" + Path.Combine(RunDirectory.Default, "db.sock");
        using var log = new Vlog(() => DateTimeOffset.UtcNow);
        foreach (string spec in parsed.VlogSpecs)
        {
            if (log.Set(spec) is string error)
            {
                Console.Error.WriteLine($"vsw vswitchd: {error}");
                return 1;
            }
        }
        if (parsed.LogFile is not null)
        {
            log.OpenFile(parsed.LogFile);
        }
        var options = new SwitchDaemonOptions
        {
            Remote = remote,
            EnableDummy = parsed.EnableDummy,
            DummyOverridesSystem = parsed.DummyOverride,
        };
        await using var daemon = new SwitchDaemon(options, log);
        using Pidfile? pidfile = parsed.Pidfile is null ? null : Pidfile.Create(parsed.Pidfile);
        string controlSocket = parsed.Unixctl ?? RunDirectory.ControlSocketPath("ovs-vswitchd", Environment.ProcessId);
        await using UnixctlServer control = UnixctlServer.Start(controlSocket, daemon.Commands, handler => daemon.InvokeAsync(handler));
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using System.Runtime.InteropServices.PosixSignalRegistration term = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
        log.Info("vswitchd", $"SharpSwitch vswitchd starting: database {remote}, control socket {controlSocket}");
        try
        {
            await daemon.RunAsync(stop.Token);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or SharpSwitch.JsonRpc.JsonRpcProtocolException)
        {
            log.Error("vswitchd", $"{remote}: {ex.Message}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        log.Info("vswitchd", "exiting");
        return 0;
    }
}
