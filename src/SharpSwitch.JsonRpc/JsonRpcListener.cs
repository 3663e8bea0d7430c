// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Net;
using System.Net.Sockets;

namespace SharpSwitch.JsonRpc;

/// <summary>
/// Listens on a passive address (<c>punix:PATH</c> or <c>ptcp:PORT[:IP]</c>) and accepts JSON-RPC connections.
/// A stale socket file left by a killed process is removed before binding, and the socket file is removed again
/// when the listener is disposed.
/// </summary>
public sealed class JsonRpcListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Func<JsonRpcAddress, JsonRpcConnectionOptions> _optionsFactory;
    private int _unixConnectionCount;

    private JsonRpcListener(JsonRpcAddress address, Socket socket, Func<JsonRpcAddress, JsonRpcConnectionOptions> optionsFactory)
    {
        Address = address;
        _socket = socket;
        _optionsFactory = optionsFactory;
    }

    /// <summary>The address this listener was started on.</summary>
    public JsonRpcAddress Address { get; }

    /// <summary>The bound TCP port (useful with <c>ptcp:0</c>); 0 for Unix sockets.</summary>
    public int BoundPort => _socket.LocalEndPoint is IPEndPoint ip ? ip.Port : 0;

    /// <summary>
    /// Binds and listens. <paramref name="timeProvider"/> drives the inactivity probes of accepted TCP connections.
    /// Throws <see cref="ArgumentException"/> for an active address and <see cref="SocketException"/> when the bind fails.
    /// </summary>
    public static JsonRpcListener Start(JsonRpcAddress address, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        TimeProvider time = timeProvider ?? TimeProvider.System;
        return Start(address, a => JsonRpcConnectionOptions.ForAddress(a, time));
    }

    /// <summary>Binds and listens, taking each accepted connection's options from <paramref name="optionsFactory"/>.</summary>
    public static JsonRpcListener Start(JsonRpcAddress address, Func<JsonRpcAddress, JsonRpcConnectionOptions> optionsFactory)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(optionsFactory);
        Socket socket;
        switch (address.Transport)
        {
            case JsonRpcTransport.PassiveUnix:
                RemoveStaleSocket(address.Path!);
                socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    socket.Bind(new UnixDomainSocketEndPoint(address.Path!));
                    socket.Listen(64);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                break;
            case JsonRpcTransport.PassiveTcp:
                socket = new Socket(address.IPAddress!.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    socket.Bind(new IPEndPoint(address.IPAddress!, address.Port));
                    socket.Listen(64);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                break;
            default:
                throw new ArgumentException($"{address.Text}: cannot listen on an active address (use punix: or ptcp:)", nameof(address));
        }
        return new JsonRpcListener(address, socket, optionsFactory);
    }

    /// <summary>Waits for the next client and returns its connection, named like OVS names them (<c>unix#N</c>, <c>tcp:IP:PORT</c>).</summary>
    public async Task<JsonRpcConnection> AcceptAsync(CancellationToken cancellationToken = default)
    {
        Socket client = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
        string name;
        JsonRpcAddress peer;
        if (client.RemoteEndPoint is IPEndPoint remote)
        {
            client.NoDelay = true;
            string host = remote.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{remote.Address}]" : remote.Address.ToString();
            name = $"tcp:{host}:{remote.Port}";
            peer = JsonRpcAddress.Parse(name);
        }
        else
        {
            name = $"unix#{Interlocked.Increment(ref _unixConnectionCount) - 1}";
            peer = Address;
        }
        return new JsonRpcConnection(new NetworkStream(client, ownsSocket: true), name, _optionsFactory(peer));
    }

    /// <summary>Stops listening and removes the socket file of a Unix listener.</summary>
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (Address.Transport == JsonRpcTransport.PassiveUnix)
        {
            try
            {
                File.Delete(Address.Path!);
            }
            catch (IOException)
            {
                // Someone else already removed or replaced it; nothing of ours is left to clean.
            }
        }
        return ValueTask.CompletedTask;
    }

    private static void RemoveStaleSocket(string path)
    {
        // A socket file left by a killed server would make bind fail with "address in use".
        if (Path.Exists(path))
        {
            File.Delete(path);
        }
    }
}
