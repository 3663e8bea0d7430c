// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.JsonRpc;

namespace SharpSwitch.Switchd.Unixctl;

/// <summary>
/// A daemon's control socket, compatible with the real <c>ovs-appctl -t</c>: JSON-RPC requests whose method is the
/// command and whose params are its arguments (all strings), answered one at a time per connection, with a string
/// result or a string error that always ends in a newline when it is not empty.
/// </summary>
public sealed class UnixctlServer : IAsyncDisposable
{
    private readonly UnixctlCommandTable _commands;
    private readonly Func<Func<UnixctlResult>, Task<UnixctlResult>> _invoke;
    private readonly JsonRpcListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;

    private UnixctlServer(string socketPath, UnixctlCommandTable commands, Func<Func<UnixctlResult>, Task<UnixctlResult>> invoke, JsonRpcListener listener)
    {
        SocketPath = socketPath;
        _commands = commands;
        _invoke = invoke;
        _listener = listener;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The path of the listening unix socket.</summary>
    public string SocketPath { get; }

    /// <summary>
    /// Starts listening on <paramref name="socketPath"/>. <paramref name="invoke"/> runs each handler where the daemon
    /// wants it run (its main loop); by default handlers run on the connection's task.
    /// </summary>
    public static UnixctlServer Start(string socketPath, UnixctlCommandTable commands, Func<Func<UnixctlResult>, Task<UnixctlResult>>? invoke = null)
    {
        // A daemon started before its run directory exists should create it, as it does for its pidfile, rather than
        // fail with the socket layer's unhelpful "Cannot assign requested address".
        string? directory = Path.GetDirectoryName(Path.GetFullPath(socketPath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        JsonRpcListener listener = JsonRpcListener.Start(JsonRpcAddress.Parse("punix:" + socketPath), address => new JsonRpcConnectionOptions());
        return new UnixctlServer(socketPath, commands, invoke ?? (handler => Task.FromResult(handler())), listener);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            JsonRpcConnection connection;
            try
            {
                connection = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(JsonRpcConnection connection)
    {
        await using (connection.ConfigureAwait(false))
        {
            while (!_stopping.IsCancellationRequested)
            {
                JsonRpcMessage? request;
                try
                {
                    request = await connection.ReceiveAsync(_stopping.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is JsonRpcProtocolException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
                {
                    return;
                }
                if (request is null)
                {
                    return;
                }
                if (request.Kind != JsonRpcMessageKind.Request || request.Id is not JsonElement id || request.Method is null)
                {
                    // OVS drops a control connection that sends anything but a request.
                    connection.Close("unixctl: received a message that is not a request");
                    return;
                }
                UnixctlResult result = await ExecuteAsync(request.Method, request.Params).ConfigureAwait(false);
                JsonRpcMessage reply = result.Success
                    ? JsonRpcMessage.CreateReply(id, JsonValues.String(WithNewline(result.Text)))
                    : JsonRpcMessage.CreateError(id, WithNewline(result.Text));
                try
                {
                    await connection.SendAsync(reply, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
                {
                    return;
                }
                result.AfterReply?.Invoke();
            }
        }
    }

    private async Task<UnixctlResult> ExecuteAsync(string method, JsonElement? parameters)
    {
        var args = new List<string>();
        if (parameters is JsonElement array)
        {
            if (array.ValueKind != JsonValueKind.Array)
            {
                return UnixctlResult.Error($"\"{method}\" command has non-string argument");
            }
            foreach (JsonElement item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    return UnixctlResult.Error($"\"{method}\" command has non-string argument");
                }
                args.Add(item.GetString()!);
            }
        }
        try
        {
            return await _invoke(() => _commands.Dispatch(method, args)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failing handler must answer with an error rather than take the daemon down.
            return UnixctlResult.Error($"\"{method}\" failed: {ex.Message}");
        }
    }

    /// <summary>OVS appends a newline to a non-empty body that lacks one, and leaves an empty body empty.</summary>
    internal static string WithNewline(string text) => text.Length == 0 || text.EndsWith('\n') ? text : text + "\n";

    /// <summary>Stops listening and removes the socket file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _listener.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancellation is how the loop ends.
        }
        try
        {
            File.Delete(SocketPath);
        }
        catch (IOException)
        {
            // Already gone.
        }
        _stopping.Dispose();
    }
}
