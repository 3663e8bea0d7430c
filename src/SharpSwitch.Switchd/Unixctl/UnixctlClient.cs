// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.JsonRpc;

namespace SharpSwitch.Switchd.Unixctl;

/// <summary>The client side of the control socket, as <c>ovs-appctl</c> speaks it: one connection, one request.</summary>
public static class UnixctlClient
{
    /// <summary>
    /// Resolves an <c>-t</c> target as ovs-appctl does: a path (anything with a slash) is the socket itself; a
    /// program name is looked up through its pidfile in the run directory.
    /// </summary>
    /// <exception cref="UnixctlClientException">The pidfile is missing or names no socket.</exception>
    public static string ResolveTarget(string target, string? runDirectory = null)
    {
        if (target.Contains('/'))
        {
            return target;
        }
        string pidfile = RunDirectory.PidfilePath(target, runDirectory);
        int? pid = Pidfile.ReadPid(pidfile);
        if (pid is null)
        {
            throw new UnixctlClientException($"cannot read pidfile \"{pidfile}\" (No such file or directory)");
        }
        return RunDirectory.ControlSocketPath(target, pid.Value, runDirectory);
    }

    /// <summary>Sends one command and returns the daemon's reply.</summary>
    /// <exception cref="UnixctlClientException">The connection failed or dropped (ovs-appctl exits 1 then).</exception>
    public static async Task<UnixctlResult> CallAsync(string socketPath, string command, IReadOnlyList<string> args, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        JsonRpcConnection connection;
        try
        {
            connection = await JsonRpcConnection.ConnectAsync(JsonRpcAddress.Parse("unix:" + socketPath), new JsonRpcConnectionOptions(), cancel.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            throw new UnixctlClientException($"cannot connect to \"{socketPath}\" ({ex.Message})");
        }
        await using (connection.ConfigureAwait(false))
        {
            JsonElement parameters = JsonValues.StringArray(args);
            try
            {
                await connection.SendAsync(JsonRpcMessage.CreateRequest(0, command, parameters), cancel.Token).ConfigureAwait(false);
                JsonRpcMessage? reply = await connection.ReceiveAsync(cancel.Token).ConfigureAwait(false);
                if (reply is null)
                {
                    throw new UnixctlClientException("transaction error (End of file)");
                }
                if (reply.Kind == JsonRpcMessageKind.Error && reply.Error is { ValueKind: JsonValueKind.String } error)
                {
                    return UnixctlResult.Error(error.GetString()!);
                }
                if (reply.Kind == JsonRpcMessageKind.Reply && reply.Result is { ValueKind: JsonValueKind.String } result)
                {
                    return UnixctlResult.Ok(result.GetString()!);
                }
                throw new UnixctlClientException("transaction error (Protocol error)");
            }
            catch (OperationCanceledException)
            {
                throw new UnixctlClientException("transaction error (Connection timed out)");
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or JsonRpcProtocolException)
            {
                throw new UnixctlClientException($"transaction error ({ex.Message})");
            }
        }
    }
}

/// <summary>A failure to reach a daemon or to read its reply (not an error reply from the daemon).</summary>
public sealed class UnixctlClientException(string message) : Exception(message);
