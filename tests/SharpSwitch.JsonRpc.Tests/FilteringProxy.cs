// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Collections.Concurrent;
using System.Text.Json;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary>
/// A JSON-RPC proxy on a temporary Unix socket in front of a real ovsdb-server. It records every request method
/// and can answer chosen requests itself with an error, to make the server look older than it is (no <c>_Server</c>
/// database, no <c>monitor_cond_since</c>, ...), like the capture tool filterproxy.py.
/// </summary>
internal sealed class FilteringProxy : IAsyncDisposable
{
    private readonly JsonRpcListener _listener;
    private readonly string _upstream;
    private readonly Func<JsonRpcMessage, JsonElement?> _refuse;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<Task> _pumps = [];

    public FilteringProxy(string directory, string upstream, Func<JsonRpcMessage, JsonElement?> refuse)
    {
        SocketPath = Path.Combine(directory, "proxy.sock");
        _upstream = upstream;
        _refuse = refuse;
        _listener = JsonRpcListener.Start(JsonRpcAddress.Parse("punix:" + SocketPath));
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string SocketPath { get; }

    public string Remote => "unix:" + SocketPath;

    /// <summary>Every request seen from clients, as "method first-param".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _listener.DisposeAsync();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
            // Stopping the accept loop is expected here.
        }
        await Task.WhenAll(_pumps).WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            JsonRpcConnection client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                return;
            }
            JsonRpcConnection server = await JsonRpcConnection.ConnectAsync(JsonRpcAddress.Parse(_upstream));
            _pumps.Add(Task.Run(() => PumpAsync(client, server, fromClient: true)));
            _pumps.Add(Task.Run(() => PumpAsync(server, client, fromClient: false)));
        }
    }

    private async Task PumpAsync(JsonRpcConnection from, JsonRpcConnection to, bool fromClient)
    {
        try
        {
            while (true)
            {
                JsonRpcMessage? message = await from.ReceiveAsync(_stop.Token);
                if (message is null)
                {
                    break;
                }
                if (fromClient && message.Kind == JsonRpcMessageKind.Request)
                {
                    JsonElement first = message.Params!.Value.GetArrayLength() > 0 ? message.Params.Value[0] : default;
                    Requests.Enqueue(message.Method + (first.ValueKind == JsonValueKind.String ? " " + first.GetString() : ""));
                    if (_refuse(message) is { } error)
                    {
                        await from.SendAsync(JsonRpcMessage.CreateError(message.Id!.Value, error));
                        continue;
                    }
                }
                await to.SendAsync(message);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or JsonRpcProtocolException)
        {
            // Either side went away; closing both ends below is all that is left to do.
        }
        from.Close("proxy pump ended");
        to.Close("proxy pump ended");
    }
}
