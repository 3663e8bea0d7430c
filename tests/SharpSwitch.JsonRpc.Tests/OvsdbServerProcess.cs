// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using SharpSwitch.Testing;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary>
/// A real ovsdb-server on a fresh vswitch database in a temporary directory, listening on <c>punix:</c> only.
/// The database is created with ovsdb-tool at test time; the process is killed and the directory removed on dispose.
/// </summary>
internal sealed class OvsdbServerProcess : IDisposable
{
    public const string SchemaPath = "/usr/share/openvswitch/vswitch.ovsschema";

    private readonly bool _defaultControlSocket;
    private Process? _process;

    /// <summary>
    /// Starts the server. With <paramref name="defaultControlSocket"/> it writes a pidfile and creates its control
    /// socket under its default name (<c>ovsdb-server.PID.ctl</c> in the run directory), the way ovs-appctl finds daemons.
    /// </summary>
    public OvsdbServerProcess(string? directory = null, bool defaultControlSocket = false)
    {
        _defaultControlSocket = defaultControlSocket;
        Directory = directory ?? System.IO.Directory.CreateTempSubdirectory("sharpswitch-ovsdb-").FullName;
        DatabasePath = Path.Combine(Directory, "conf.db");
        SocketPath = Path.Combine(Directory, "db.sock");
        if (!File.Exists(DatabasePath))
        {
            ProcessRunner.Result created = ProcessRunner.Run(Requirements.FindExecutable("ovsdb-tool")!, ["create", DatabasePath, SchemaPath]);
            if (created.ExitCode != 0)
            {
                throw new InvalidOperationException("ovsdb-tool create failed: " + created.StandardError);
            }
        }
        Start();
    }

    public string Directory { get; }

    public string DatabasePath { get; }

    public string SocketPath { get; }

    public string Remote => "unix:" + SocketPath;

    /// <summary>The control socket path used when the server was not started with its default control socket.</summary>
    public string ControlSocketPath => Path.Combine(Directory, "ovsdb-server.ctl");

    /// <summary>The environment that points OVS tools at this server's run directory.</summary>
    public Dictionary<string, string> Environment => new()
    {
        ["OVS_RUNDIR"] = Directory,
        ["OVS_DBDIR"] = Directory,
        ["OVS_LOGDIR"] = Directory,
    };

    public void Start()
    {
        // A socket file left by a killed server would make the readiness check below pass too early.
        File.Delete(SocketPath);
        var psi = new ProcessStartInfo(Requirements.FindExecutable("ovsdb-server")!)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        string control = _defaultControlSocket ? "--pidfile=" + Path.Combine(Directory, "ovsdb-server.pid") : "--unixctl=" + ControlSocketPath;
        foreach (string argument in new[]
        {
            DatabasePath, "--remote=punix:" + SocketPath, control,
            "--no-chdir", "--log-file=" + Path.Combine(Directory, "ovsdb-server.log"), "-vconsole:off",
        })
        {
            psi.ArgumentList.Add(argument);
        }
        foreach ((string key, string value) in Environment)
        {
            psi.Environment[key] = value;
        }
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start ovsdb-server");
        _process.StandardOutput.ReadToEndAsync();
        _process.StandardError.ReadToEndAsync();
        // Interop only: wait, with a deadline, for the external server to create its socket.
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(SocketPath) || (_defaultControlSocket && !System.IO.Directory.EnumerateFiles(Directory, "ovsdb-server.*.ctl").Any()))
        {
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException("ovsdb-server did not start: " + File.ReadAllText(Path.Combine(Directory, "ovsdb-server.log")));
            }
            Thread.Sleep(20);
        }
    }

    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>Runs the real ovs-vsctl against this server.</summary>
    public ProcessRunner.Result Vsctl(params string[] arguments)
    {
        return ProcessRunner.Run(Requirements.FindExecutable("ovs-vsctl")!, ["--db=" + Remote, .. arguments], Environment);
    }

    public void Dispose()
    {
        Stop();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the dying server; the temp directory is cleaned by the OS later.
        }
    }
}
