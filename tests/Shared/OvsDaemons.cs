// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;

namespace SharpSwitch.Testing;

/// <summary>Starting and stopping real OVS daemons (ovsdb-server, ovs-vswitchd) in a test's private run directory.</summary>
public static class OvsDaemons
{
    /// <summary>Finds an OVS tool or fails the test with its name.</summary>
    public static string Tool(string name) => Requirements.FindExecutable(name) ?? throw new InvalidOperationException($"{name} not found");

    /// <summary>Runs ovs-appctl against the daemon whose control socket is <paramref name="control"/>; returns exit code and output.</summary>
    public static ProcessRunner.Result Appctl(string control, IDictionary<string, string> environment, params string[] arguments) =>
        ProcessRunner.Run(Tool("ovs-appctl"), ["-t", control, .. arguments], environment, 30_000);

    /// <summary>
    /// The messages of the module "bond" at level INFO in an ovs-vswitchd log (ours writes the same format), in order,
    /// without their timestamp and sequence number, so that two daemons' logs compare line by line.
    /// </summary>
    public static List<string> BondLog(string logPath)
    {
        const string Marker = "|bond|INFO|";
        return File.ReadAllLines(logPath)
            .Where(line => line.Contains(Marker, StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..])
            .ToList();
    }

    /// <summary>
    /// Starts a daemon that detaches itself (<c>--detach</c> must be among the arguments). Its output goes to /dev/null
    /// so that it never holds the test's pipes open.
    /// </summary>
    public static void StartDetached(string name, IDictionary<string, string> environment, params string[] arguments)
    {
        ProcessRunner.Result result = ProcessRunner.Run("/bin/sh", ["-c", "exec \"$0\" \"$@\" >/dev/null 2>&1", Tool(name), .. arguments], environment, 30_000);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{name} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StandardError}");
        }
    }

    /// <summary>
    /// Stops the daemon whose pidfile is <c>DIRECTORY/NAME.pid</c>: politely with <c>ovs-appctl exit</c> on its control
    /// socket, then with SIGKILL if it is still there after 10 s. Nothing happens when it is not running.
    /// </summary>
    public static void Stop(string name, string directory, string control, IDictionary<string, string> environment)
    {
        string pidFile = Path.Combine(directory, name + ".pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid))
        {
            return;
        }
        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return;
        }
        using (process)
        {
            ProcessRunner.Run(Tool("ovs-appctl"), ["-t", control, "exit"], environment, 10_000);
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
                process.WaitForExit(5_000);
            }
        }
    }
}
