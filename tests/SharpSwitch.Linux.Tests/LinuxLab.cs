// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using SharpSwitch.Testing;

namespace SharpSwitch.Linux.Tests;

/// <summary>A fact that needs root and the tools a namespace lab uses (ip, ping, the OVS database tools).</summary>
public sealed class RequiresLinuxLabFactAttribute : FactAttribute
{
    public RequiresLinuxLabFactAttribute(params string[] moreTools)
    {
        string? reason = Requirements.IsRoot ? Requirements.MissingExecutables(["ip", "ping", "ovsdb-tool", "ovsdb-server", "ovs-vsctl", "ovs-appctl", .. moreTools])
            : "needs root for network namespaces, veth pairs and TAP devices";
        Skip = Requirements.SkipUnlessRequired(reason);
    }
}

/// <summary>The theory form of <see cref="RequiresLinuxLabFactAttribute"/>.</summary>
public sealed class RequiresLinuxLabTheoryAttribute : TheoryAttribute
{
    public RequiresLinuxLabTheoryAttribute()
    {
        string? reason = Requirements.IsRoot ? Requirements.MissingExecutables("ip", "ping", "ovsdb-tool", "ovsdb-server", "ovs-vsctl", "ovs-appctl")
            : "needs root for network namespaces, veth pairs and TAP devices";
        Skip = Requirements.SkipUnlessRequired(reason);
    }
}

/// <summary>The namespace tests run one at a time: they share the machine's two cores and time out less that way.</summary>
[CollectionDefinition("linux", DisableParallelization = true)]
public sealed class LinuxCollection;

/// <summary>
/// A private network lab: namespaces with a per-lab prefix (so parallel runs and other engineers never collide),
/// a database in a private run directory, and switch daemons started inside a namespace. Everything it made is
/// removed in <see cref="Dispose"/>, also after a failure: deleting a namespace deletes the veths and TAPs in it.
/// </summary>
public sealed class LinuxLab : IDisposable
{
    private static int s_counter;
    private readonly List<string> _namespaces = [];
    private readonly List<Process> _processes = [];
    private readonly List<(string Directory, string Control)> _ovsSwitches = [];
    private readonly ITestOutputHelper? _output;

    public LinuxLab(ITestOutputHelper? output = null)
    {
        _output = output;
        Prefix = $"ss{Environment.ProcessId % 10000}x{Interlocked.Increment(ref s_counter)}";
        RunDirectory = Path.Combine(Path.GetTempPath(), "sharpswitch-linux-" + Prefix);
        Directory.CreateDirectory(RunDirectory);
    }

    /// <summary>Prefix of every namespace this lab creates.</summary>
    public string Prefix { get; }

    /// <summary>The lab's run directory (database, sockets, logs).</summary>
    public string RunDirectory { get; }

    public string DbSocket => Path.Combine(RunDirectory, "db.sock");

    public string SwitchControl => Path.Combine(RunDirectory, "ovs-vswitchd.ctl");

    public static string VswDll => Path.Combine(AppContext.BaseDirectory, "vsw.dll");

    /// <summary>Creates a namespace named PREFIX-<paramref name="suffix"/> with loopback up; returns its name.</summary>
    public string AddNamespace(string suffix)
    {
        string name = Prefix + suffix;
        Must("ip", "netns", "add", name);
        _namespaces.Add(name);
        Must("ip", "-n", name, "link", "set", "lo", "up");
        // Without IPv6 the kernel sends nothing of its own (router solicitations, DAD, MLD) out of the test's veths, so
        // their TX counters count only what the switch forwarded.
        Must("ip", "netns", "exec", name, "sh", "-c",
            "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
        return name;
    }

    /// <summary>Runs a command and fails the test with its output when it fails.</summary>
    public string Must(string program, params string[] arguments)
    {
        ProcessRunner.Result result = ProcessRunner.Run(Requirements.FindExecutable(program) ?? program, arguments, timeoutMs: 60_000);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StandardError}{result.StandardOutput}");
        }
        return result.StandardOutput;
    }

    /// <summary>Runs a command inside a namespace.</summary>
    public ProcessRunner.Result InNamespace(string ns, params string[] command)
    {
        return ProcessRunner.Run(Requirements.FindExecutable("ip")!, ["netns", "exec", ns, .. command], timeoutMs: 120_000);
    }

    /// <summary>Creates the database and starts the real ovsdb-server on it (it needs no namespace: it only serves a unix socket).</summary>
    public void StartDatabase(string? directory = null)
    {
        directory ??= RunDirectory;
        Directory.CreateDirectory(directory);
        string db = Path.Combine(directory, "conf.db");
        Must("ovsdb-tool", "create", db, "/usr/share/openvswitch/vswitch.ovsschema");
        OvsDaemons.StartDetached("ovsdb-server", OvsEnvironment(directory), db, $"--remote=punix:{Path.Combine(directory, "db.sock")}",
            $"--pidfile={Path.Combine(directory, "ovsdb-server.pid")}", $"--unixctl={Path.Combine(directory, "ovsdb-server.ctl")}",
            $"--log-file={Path.Combine(directory, "ovsdb-server.log")}", "--detach", "--no-chdir");
        Must("ovs-vsctl", $"--db=unix:{Path.Combine(directory, "db.sock")}", "--no-wait", "init");
    }

    /// <summary>Starts SharpSwitch's daemon (<c>vsw vswitchd</c>, real interfaces) inside <paramref name="ns"/>, optionally as another user.</summary>
    public void StartSharpSwitch(string ns, string[]? runAs = null)
    {
        var start = new ProcessStartInfo(Requirements.FindExecutable("ip")!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "netns", "exec", ns })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (string arg in runAs ?? [])
        {
            start.ArgumentList.Add(arg);
        }
        foreach (string arg in new[] { "dotnet", VswDll, "vswitchd", "unix:" + DbSocket, $"--pidfile={RunDirectory}/ovs-vswitchd.pid",
            $"--unixctl={SwitchControl}", $"--log-file={RunDirectory}/ovs-vswitchd.log", "-vconsole:off" })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["HOME"] = RunDirectory;
        start.Environment["DOTNET_CLI_HOME"] = RunDirectory;
        Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start vsw vswitchd");
        _processes.Add(process);
        process.OutputDataReceived += (_, e) => Log("vswitchd: " + e.Data);
        process.ErrorDataReceived += (_, e) => Log("vswitchd: " + e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        WaitFor("the switch daemon's control socket", () => File.Exists(SwitchControl) || process.HasExited);
        if (process.HasExited)
        {
            throw new InvalidOperationException($"vsw vswitchd exited with {process.ExitCode}");
        }
    }

    /// <summary>Starts a real ovs-vswitchd 3.1 (userspace datapath on real interfaces) inside <paramref name="ns"/>, on the database in <paramref name="directory"/>.</summary>
    public void StartOvsSwitch(string ns, string directory)
    {
        string control = Path.Combine(directory, "ovs-vswitchd.ctl");
        string command = $"exec ovs-vswitchd unix:{directory}/db.sock --pidfile={directory}/ovs-vswitchd.pid --unixctl={control} "
            + $"--log-file={directory}/ovs-vswitchd.log --detach --no-chdir >/dev/null 2>&1";
        ProcessRunner.Result result = ProcessRunner.Run(Requirements.FindExecutable("ip")!, ["netns", "exec", ns, "env",
            $"OVS_RUNDIR={directory}", $"OVS_DBDIR={directory}", $"OVS_LOGDIR={directory}", $"OVS_SYSCONFDIR={directory}", "sh", "-c", command]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("ovs-vswitchd failed to start: " + result.StandardError);
        }
        _ovsSwitches.Add((directory, control));
    }

    /// <summary>ovs-vsctl against the lab's database.</summary>
    public string Vsctl(params string[] arguments) => VsctlIn(RunDirectory, arguments);

    public string VsctlIn(string directory, params string[] arguments) => Must("ovs-vsctl", [$"--db=unix:{Path.Combine(directory, "db.sock")}", "--timeout=30", .. arguments]);

    /// <summary>ovs-appctl against a daemon's control socket.</summary>
    public string Appctl(string control, params string[] arguments) => Must("ovs-appctl", ["-t", control, .. arguments]);

    /// <summary>The member named in bond/show's "active member mac: …(NAME)" line, or null.</summary>
    public static string? ActiveMember(string bondShow)
    {
        Match match = Regex.Match(bondShow, @"active member mac: [0-9a-f:]+\((?<name>[^)]+)\)");
        return match.Success ? match.Groups["name"].Value : null;
    }

    /// <summary>Pings <paramref name="address"/> from <paramref name="ns"/>; returns how many replies came back.</summary>
    public int Ping(string ns, string address, int count, double intervalSeconds = 0.05)
    {
        ProcessRunner.Result result = InNamespace(ns, "ping", "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i",
            intervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-W", "1", "-q", address);
        Match match = Regex.Match(result.StandardOutput, @"(?<n>\d+) (packets )?received");
        Log($"ping {address} from {ns}: {result.StandardOutput.Trim().Split('\n').LastOrDefault()}");
        return match.Success ? int.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>The kernel's counters of an interface (<c>ip -s -j link show</c>): rx and tx packets.</summary>
    public (long RxPackets, long TxPackets) KernelCounters(string ns, string device)
    {
        string json = Must("ip", "-n", ns, "-s", "-j", "link", "show", device);
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement stats = doc.RootElement[0].GetProperty("stats64");
        return (stats.GetProperty("rx").GetProperty("packets").GetInt64(), stats.GetProperty("tx").GetProperty("packets").GetInt64());
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after a generous deadline (a hang, not a timing assertion).</summary>
    public static void WaitFor(string what, Func<bool> condition, int timeoutMs = 30_000)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.ElapsedMilliseconds > timeoutMs)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }
            Thread.Sleep(50);
        }
    }

    public void Log(string? line)
    {
        if (line is null)
        {
            return;
        }
        try
        {
            _output?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has finished; late daemon output has nowhere to go.
        }
    }

    private static Dictionary<string, string> OvsEnvironment(string directory) => new()
    {
        ["OVS_RUNDIR"] = directory,
        ["OVS_DBDIR"] = directory,
        ["OVS_LOGDIR"] = directory,
        ["OVS_SYSCONFDIR"] = directory,
    };

    /// <summary>Stops every daemon this lab started and deletes its namespaces and run directory.</summary>
    public void Dispose()
    {
        foreach (Process process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            process.Dispose();
        }
        foreach ((string directory, string control) in _ovsSwitches)
        {
            OvsDaemons.Stop("ovs-vswitchd", directory, control, OvsEnvironment(directory));
        }
        foreach (string directory in new[] { RunDirectory }.Concat(_ovsSwitches.Select(s => s.Directory)).Distinct())
        {
            OvsDaemons.Stop("ovsdb-server", directory, Path.Combine(directory, "ovsdb-server.ctl"), OvsEnvironment(directory));
        }
        foreach (string ns in _namespaces)
        {
            ProcessRunner.Run(Requirements.FindExecutable("ip")!, ["netns", "del", ns]);
        }
        try
        {
            Directory.Delete(RunDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A daemon that is still exiting may hold a file a moment longer; the directory is private and in /tmp.
        }
    }
}
