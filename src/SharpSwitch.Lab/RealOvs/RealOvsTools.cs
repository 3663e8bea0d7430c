// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;

namespace SharpSwitch.Lab.RealOvs;

/// <summary>Raised when a scenario cannot run on real Open vSwitch (tools missing, a daemon that would not start).</summary>
public sealed class RealOvsException(string message) : Exception(message);

/// <summary>Finds and runs the installed Open vSwitch programs.</summary>
internal static class RealOvsTools
{
    /// <summary>The programs <c>--switch ovs</c> needs.</summary>
    public static readonly string[] Required = ["ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-appctl"];

    /// <summary>Where Debian installs OVS's own database schema.</summary>
    private const string DefaultSchema = "/usr/share/openvswitch/vswitch.ovsschema";

    /// <summary>OVS's schema file, or null when it is not installed.</summary>
    public static string? Schema
    {
        get
        {
            string? dir = Environment.GetEnvironmentVariable("OVS_PKGDATADIR");
            string path = dir is { Length: > 0 } ? Path.Combine(dir, "vswitch.ovsschema") : DefaultSchema;
            return File.Exists(path) ? path : null;
        }
    }

    /// <summary>Throws a message that says what to install when any program or the schema is missing.</summary>
    public static void EnsureInstalled()
    {
        List<string> missing = Required.Where(name => Find(name) is null).ToList();
        if (Schema is null)
        {
            missing.Add(DefaultSchema);
        }
        if (missing.Count > 0)
        {
            throw new RealOvsException($"--switch ovs needs Open vSwitch installed (Debian: openvswitch-switch, openvswitch-common); missing: {string.Join(", ", missing)}");
        }
    }

    /// <summary>Finds a program on PATH or in the system directories.</summary>
    public static string? Find(string name)
    {
        IEnumerable<string> dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin", "/bin"]);
        return dirs.Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>Runs a program to completion with the run directory's environment; throws with its error output on failure.</summary>
    public static string Run(string runDirectory, string name, params string[] arguments) => Run(runDirectory, name, detach: false, null, arguments);

    /// <summary>
    /// Starts a daemon that detaches itself (<c>--detach</c> among the arguments). Its output goes to /dev/null through
    /// a shell, because a detached daemon would otherwise hold the lab's pipes open for as long as it runs.
    /// </summary>
    public static void StartDaemon(string runDirectory, string name, params string[] arguments) => Run(runDirectory, name, detach: true, null, arguments);

    /// <summary>Starts a daemon as <see cref="StartDaemon(string, string, string[])"/> does, with extra environment variables.</summary>
    public static void StartDaemon(string runDirectory, string name, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Run(runDirectory, name, detach: true, environment, arguments);

    private static string Run(string runDirectory, string name, bool detach, IReadOnlyDictionary<string, string>? environment, string[] arguments)
    {
        string program = Find(name) ?? throw new RealOvsException($"{name} not found");
        var start = new ProcessStartInfo(detach ? "/bin/sh" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = runDirectory,
        };
        if (detach)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("exec \"$0\" \"$@\" >/dev/null 2>&1");
            start.ArgumentList.Add(program);
        }
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (string variable in new[] { "OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR", "OVS_SYSCONFDIR" })
        {
            start.Environment[variable] = runDirectory;
        }
        foreach ((string variable, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[variable] = value;
        }
        using Process process = Process.Start(start) ?? throw new RealOvsException($"{name} did not start");
        process.StandardInput.Close();
        // Daemons started with --detach keep no pipe open once detached, so both reads end when the parent exits.
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new RealOvsException($"{name} {string.Join(' ', arguments)}: timed out");
        }
        if (process.ExitCode != 0)
        {
            throw new RealOvsException($"{name} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.GetAwaiter().GetResult().Trim()}");
        }
        return output.GetAwaiter().GetResult();
    }
}
