// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.Cli.Vsctl;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Testing;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary>The IDL falls back the way the C IDL does when the server lacks _Server or the newer monitor methods.</summary>
public sealed class IdlFallbackTests
{
    private static readonly JsonElement s_unknownMethod = JsonSerializer.SerializeToElement("unknown method");

    private static JsonElement UnknownDatabase(string name) => JsonSerializer.SerializeToElement(new Dictionary<string, string>
    {
        ["error"] = "unknown database",
        ["details"] = $"get_schema request specifies unknown database {name}",
    });

    private static async Task<List<string>> ConnectThroughAsync(OvsdbServerProcess server, Func<JsonRpcMessage, JsonElement?> refuse)
    {
        await using var proxy = new FilteringProxy(server.Directory, server.Remote, refuse);
        await using (OvsdbIdl idl = await OvsdbIdl.ConnectAsync(proxy.Remote, new IdlOptions { FirstRequestId = 1 }))
        {
            idl.Run();
            Assert.Equal("br0", idl.GetTable("Bridge").Rows.Single().GetString("name"));
        }
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = VsctlCommand.Run(["--db=" + proxy.Remote, "--no-wait", "add-br", "br1", "--", "list-br"], new VsctlCommand.Host { Out = stdout, Error = stderr });
        Assert.Equal((0, "br0\nbr1\n", ""), (rc, stdout.ToString(), stderr.ToString()));
        return [.. proxy.Requests];
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public async Task Full_server_uses_server_schema_and_monitor_cond_since()
    {
        using var server = new OvsdbServerProcess();
        Assert.Equal(0, server.Vsctl("--no-wait", "add-br", "br0").ExitCode);
        List<string> requests = await ConnectThroughAsync(server, _ => null);
        Assert.Equal(["get_schema _Server", "monitor_cond _Server", "monitor_cond_since Open_vSwitch"], requests.Take(3));
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public async Task Without_server_database_it_asks_for_the_schema_and_uses_monitor_cond()
    {
        using var server = new OvsdbServerProcess();
        Assert.Equal(0, server.Vsctl("--no-wait", "add-br", "br0").ExitCode);
        List<string> requests = await ConnectThroughAsync(server, m =>
            m.Method == "get_schema" && m.Params!.Value[0].GetString() == "_Server" ? UnknownDatabase("_Server") : null);
        Assert.Equal(["get_schema _Server", "get_schema Open_vSwitch", "monitor_cond Open_vSwitch"], requests.Take(3));
        Assert.DoesNotContain(requests, r => r.StartsWith("monitor_cond_since", StringComparison.Ordinal));
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public async Task Without_monitor_cond_it_falls_back_to_monitor()
    {
        using var server = new OvsdbServerProcess();
        Assert.Equal(0, server.Vsctl("--no-wait", "add-br", "br0").ExitCode);
        List<string> requests = await ConnectThroughAsync(server, m => m.Method switch
        {
            "get_schema" when m.Params!.Value[0].GetString() == "_Server" => UnknownDatabase("_Server"),
            "monitor_cond" or "monitor_cond_since" => s_unknownMethod,
            _ => null,
        });
        Assert.Equal(["get_schema _Server", "get_schema Open_vSwitch", "monitor_cond Open_vSwitch", "monitor Open_vSwitch"], requests.Take(4));
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl")]
    public async Task Without_monitor_cond_since_it_falls_back_to_monitor_cond()
    {
        using var server = new OvsdbServerProcess();
        Assert.Equal(0, server.Vsctl("--no-wait", "add-br", "br0").ExitCode);
        List<string> requests = await ConnectThroughAsync(server, m => m.Method == "monitor_cond_since" ? s_unknownMethod : null);
        Assert.Equal(["get_schema _Server", "monitor_cond _Server", "monitor_cond_since Open_vSwitch", "monitor_cond Open_vSwitch"], requests.Take(4));
    }
}
