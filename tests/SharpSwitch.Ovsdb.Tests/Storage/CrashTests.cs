// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Text.Json;
using SharpSwitch.Ovsdb.Storage;
using SharpSwitch.Ovsdb.Tests.Schema;
using SharpSwitch.Ovsdb.Tests.Server;
using SharpSwitch.Testing;

namespace SharpSwitch.Ovsdb.Tests.Storage;

/// <summary>
/// Kills our server (a real child process: <c>dotnet vsw.dll ovsdb-server</c>) with SIGKILL at random points while a
/// client streams transactions at it, restarts it, and checks that every transaction it acknowledged is there.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ovsdb-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Lock s_buildLock = new();

    internal static string VswDll()
    {
        // Test classes run in parallel; only one of them may build vsw at a time.
        lock (s_buildLock)
        {
            return VswDllUnlocked();
        }
    }

    private static string VswDllUnlocked()
    {
        string root = VswitchSchemaTests.RepositoryRoot();
        string bin = Path.Combine(root, "src", "SharpSwitch.Cli", "bin", "Debug", "net10.0");
        string dll = Path.Combine(bin, "vsw.dll");
        // Rebuild when vsw is missing or older than the engine this test was built against or the command's sources.
        DateTime builtAt = File.Exists(dll) ? File.GetLastWriteTimeUtc(Path.Combine(bin, "SharpSwitch.Ovsdb.dll")) : DateTime.MinValue;
        bool stale = builtAt < File.GetLastWriteTimeUtc(typeof(DatabaseFile).Assembly.Location)
            || Directory.GetFiles(Path.Combine(root, "src", "SharpSwitch.Cli", "OvsdbServer")).Any(f => File.GetLastWriteTimeUtc(f) > File.GetLastWriteTimeUtc(dll));
        if (stale)
        {
            ProcessRunner.Result build = ProcessRunner.Run("dotnet", ["build", Path.Combine(root, "src", "SharpSwitch.Cli")], timeoutMs: 600_000);
            Assert.True(build.ExitCode == 0, "building vsw failed:\n" + build.StandardOutput);
        }
        return dll;
    }

    private Process StartServer(string dll)
    {
        string socket = Path.Combine(_dir, "db.sock");
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { dll, "ovsdb-server", Path.Combine(_dir, "conf.db"), "--remote=punix:" + socket, "--unixctl=" + Path.Combine(_dir, "ctl"), "--log-file=" + Path.Combine(_dir, "log") })
        {
            psi.ArgumentList.Add(arg);
        }
        Process process = Process.Start(psi)!;
        // An external process: poll for its socket to accept connections, with a deadline.
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, "server exited: " + (process.HasExited ? process.StandardError.ReadToEnd() : ""));
            if (File.Exists(socket))
            {
                try
                {
                    using var probe = new RawClient(socket);
                    probe.Request("""{"id":0,"method":"list_dbs","params":[]}""");
                    return process;
                }
                catch (System.Net.Sockets.SocketException)
                {
                    // Not accepting yet.
                }
            }
            Assert.True(DateTime.UtcNow < deadline, "server did not start listening");
            Thread.Sleep(20);
        }
    }

    private static HashSet<int> StoredSequenceNumbers(string socket)
    {
        using var client = new RawClient(socket);
        string reply = client.Request("""{"id":1,"method":"transact","params":["Open_vSwitch",{"op":"select","table":"QoS","where":[],"columns":["type"]}]}""");
        using JsonDocument document = JsonDocument.Parse(reply);
        return [.. document.RootElement.GetProperty("result")[0].GetProperty("rows").EnumerateArray().Select(r => int.Parse(r.GetProperty("type").GetString()!, System.Globalization.CultureInfo.InvariantCulture))];
    }

    [Fact]
    public void Every_acknowledged_transaction_survives_sigkill_at_random_points()
    {
        string dll = VswDll();
        string socket = Path.Combine(_dir, "db.sock");
        var random = new Random(20261126);
        var acknowledged = new HashSet<int>();
        var sent = new HashSet<int>();
        int next = 0;
        for (int round = 0; round < 20; round++)
        {
            using Process server = StartServer(dll);
            HashSet<int> stored = StoredSequenceNumbers(socket);
            Assert.True(acknowledged.IsSubsetOf(stored), $"round {round}: lost acknowledged transactions {string.Join(",", acknowledged.Except(stored))}");
            Assert.True(stored.IsSubsetOf(sent), $"round {round}: found transactions that were never sent");
            acknowledged.UnionWith(stored);
            int killAfter = random.Next(1, 40);
            int inFlight = random.Next(1, 8);
            using (var client = new RawClient(socket))
            {
                int acks = 0;
                var outstanding = new Queue<int>();
                while (acks < killAfter)
                {
                    while (outstanding.Count < inFlight)
                    {
                        int seq = next++;
                        sent.Add(seq);
                        outstanding.Enqueue(seq);
                        client.Send($$$"""{"id":{{{seq}}},"method":"transact","params":["Open_vSwitch",{"op":"insert","table":"QoS","row":{"type":"{{{seq}}}","external_ids":["map",[["round","{{{round}}}"]]]}},{"op":"comment","comment":"crash test {{{seq}}}"}]}""");
                    }
                    string reply = client.Read()!;
                    using JsonDocument document = JsonDocument.Parse(reply);
                    int id = document.RootElement.GetProperty("id").GetInt32();
                    Assert.Equal(outstanding.Dequeue(), id);
                    Assert.Contains("\"uuid\"", reply);
                    acknowledged.Add(id);
                    acks++;
                }
                // Kill with requests still in flight, so some die mid-commit.
                server.Kill();
                server.WaitForExit();
            }
        }
        using (Process server = StartServer(dll))
        {
            HashSet<int> stored = StoredSequenceNumbers(socket);
            Assert.True(acknowledged.IsSubsetOf(stored));
            server.Kill();
            server.WaitForExit();
        }
        using DatabaseFile file = DatabaseFile.Open(Path.Combine(_dir, "conf.db"));
        Assert.True(file.Database.Rows("QoS").Count >= acknowledged.Count);
    }
}
