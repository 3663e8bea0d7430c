// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using SharpSwitch.Testing;

namespace SharpSwitch.Cluster.Tests;

/// <summary>
/// A real three-server OVSDB Raft cluster of the <c>Open_vSwitch</c> database on loopback: <c>ovsdb-tool
/// create-cluster</c> for the first server, <c>join-cluster</c> for the other two, Raft and clients over Unix sockets
/// in a private directory. Servers can be killed (SIGKILL, as a crash) and started again on their own files; disposing
/// kills every server this object started.
/// </summary>
public sealed class OvsdbCluster : IDisposable
{
    /// <summary>OVS's own schema, installed with the OVS packages (the tests never read project-external folders).</summary>
    public const string Schema = "/usr/share/openvswitch/vswitch.ovsschema";

    public const string Database = "Open_vSwitch";

    private readonly Dictionary<string, string> _environment;

    public OvsdbCluster(int size = 3)
    {
        // Unix socket paths must stay under 108 bytes, so the directory is a short one in /tmp.
        Directory = System.IO.Directory.CreateTempSubdirectory("swc-").FullName;
        Size = size;
        _environment = new Dictionary<string, string>
        {
            ["OVS_RUNDIR"] = Directory,
            ["OVS_DBDIR"] = Directory,
            ["OVS_LOGDIR"] = Directory,
            ["OVS_SYSCONFDIR"] = Directory,
        };
        Require("ovsdb-tool", "create-cluster", DbFile(0), Schema, RaftAddress(0));
        for (int i = 1; i < size; i++)
        {
            Require("ovsdb-tool", "join-cluster", DbFile(i), Database, RaftAddress(i), RaftAddress(0));
        }
        for (int i = 0; i < size; i++)
        {
            Start(i);
        }
    }

    public string Directory { get; }

    public int Size { get; }

    public IReadOnlyDictionary<string, string> Environment => _environment;

    /// <summary>Every client socket, comma-separated, as clients of a cluster are configured.</summary>
    public string Remotes => string.Join(',', Enumerable.Range(0, Size).Select(ClientRemote));

    public string ClientRemote(int server) => "unix:" + ClientSocket(server);

    public string ClientSocket(int server) => Path.Combine(Directory, $"db{server + 1}.sock");

    public string Control(int server) => Path.Combine(Directory, $"s{server + 1}.ctl");

    private string DbFile(int server) => Path.Combine(Directory, $"s{server + 1}.db");

    private string RaftAddress(int server) => "unix:" + Path.Combine(Directory, $"r{server + 1}.raft");

    private string PidFile(int server) => Path.Combine(Directory, $"s{server + 1}.pid");

    /// <summary>Starts server <paramref name="server"/> (0-based) on its database file.</summary>
    public void Start(int server)
    {
        OvsDaemons.StartDetached("ovsdb-server", _environment, DbFile(server), $"--remote=punix:{ClientSocket(server)}",
            $"--pidfile={PidFile(server)}", $"--unixctl={Control(server)}", $"--log-file={Path.Combine(Directory, $"s{server + 1}.log")}",
            "--detach", "--no-chdir");
    }

    /// <summary>Kills server <paramref name="server"/> with SIGKILL, the way a crashed machine disappears.</summary>
    public void Kill(int server)
    {
        if (ProcessOf(server) is not { } process)
        {
            return;
        }
        using (process)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }
    }

    public bool IsRunning(int server)
    {
        using Process? process = ProcessOf(server);
        return process is not null;
    }

    /// <summary>What <c>ovs-appctl cluster/status Open_vSwitch</c> prints for one server, or null when it does not answer.</summary>
    public string? Status(int server)
    {
        if (!IsRunning(server))
        {
            return null;
        }
        ProcessRunner.Result result = ProcessRunner.Run(OvsDaemons.Tool("ovs-appctl"), ["-t", Control(server), "cluster/status", Database], _environment, 15_000);
        return result.ExitCode == 0 ? result.StandardOutput : null;
    }

    /// <summary>The server that says it is the leader, or null while there is none (an election in progress).</summary>
    public int? Leader()
    {
        for (int i = 0; i < Size; i++)
        {
            if (Status(i) is { } status && status.Contains("\nRole: leader\n", StringComparison.Ordinal))
            {
                return i;
            }
        }
        return null;
    }

    /// <summary>Waits until a leader exists and every running server is a full cluster member.</summary>
    public async Task<int> WaitForLeaderAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (Leader() is int leader && Enumerable.Range(0, Size).Where(IsRunning).All(i => Status(i)?.Contains("Status: cluster member", StringComparison.Ordinal) == true))
            {
                return leader;
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"no cluster leader after {timeout}: " + string.Join("\n", Enumerable.Range(0, Size).Select(i => Status(i) ?? $"server {i + 1} not answering")));
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Runs a program with the cluster's environment and requires success.</summary>
    public string Require(string tool, params string[] arguments)
    {
        ProcessRunner.Result result = ProcessRunner.Run(OvsDaemons.Tool(tool), arguments, _environment, 60_000);
        Assert.True(result.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StandardError}");
        return result.StandardOutput;
    }

    private Process? ProcessOf(int server)
    {
        if (!File.Exists(PidFile(server)) || !int.TryParse(File.ReadAllText(PidFile(server)).Trim(), out int pid))
        {
            return null;
        }
        try
        {
            var process = Process.GetProcessById(pid);
            if (process.HasExited || !process.ProcessName.StartsWith("ovsdb-server", StringComparison.Ordinal))
            {
                process.Dispose();
                return null;
            }
            return process;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        for (int i = 0; i < Size; i++)
        {
            Kill(i);
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A server that is still going away may hold a file; the directory is in the temp area anyway.
        }
    }
}
