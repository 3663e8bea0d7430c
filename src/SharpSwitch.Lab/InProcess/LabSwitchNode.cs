// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Bonding;
using SharpSwitch.JsonRpc;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.NetDev;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Server;
using SharpSwitch.Ovsdb.Transactions;
using SharpSwitch.Switchd;
using SharpSwitch.Switchd.Logging;
using OvsdbServerHost = SharpSwitch.Ovsdb.Server.OvsdbServer;

namespace SharpSwitch.Lab.InProcess;

/// <summary>
/// One switch node of a scenario, built the way <c>vsw start</c> builds a switch: its own <c>Open_vSwitch</c>
/// database served by the OVSDB server, and its own switch daemon whose IDL replicates that database and whose
/// reconciler creates the bridges, ports, bonds and dummy interfaces. The lab configures it only through database
/// transactions (the rows <c>ovs-vsctl add-br/add-port/add-bond ... -- set ...</c> writes) and waits for the
/// daemon's <c>cur_cfg</c>, as <c>ovs-vsctl</c> without <c>--no-wait</c> does. Both connections run over in-memory
/// pipes carrying the same JSON-RPC bytes as the Unix socket would.
/// </summary>
internal sealed class LabSwitchNode : IAsyncDisposable
{
    /// <summary>How long setup may wait for the daemon before the lab gives up; a guard against a hang, never reached when things work.</summary>
    private static readonly TimeSpan s_setupGuard = TimeSpan.FromSeconds(60);

    /// <summary>How long setup waits for news from either connection before driving the daemon again.</summary>
    private static readonly TimeSpan s_retryPause = TimeSpan.FromMilliseconds(100);

    private readonly OvsdbServerHost _server;
    private readonly LabClock _clock;
    private readonly ProblemWriter _problems = new();
    private int _connections;

    private LabSwitchNode(string name, LabClock clock, PacketPool pool, IBondEventSink bondEvents)
    {
        Name = name;
        _clock = clock;
        Database = new Database(VswitchSchema.Load());
        var engine = new OvsdbServerEngine([new ServedDatabase(Database)]);
        _server = OvsdbServerHost.Start(engine, [], clock);
        // The path is only the label the daemon logs; the connection itself is an in-memory pipe.
        Remote = $"unix:{name}/db.sock";
        var log = new Vlog(clock.GetUtcNow, _problems);
        Daemon = new SwitchDaemon(new SwitchDaemonOptions
        {
            Remote = Remote,
            TimeProvider = clock,
            EnableDummy = true,
            DummyOverridesSystem = true,
            Connect = ConnectAsync,
            PacketPool = pool,
            BondEventSink = bondEvents,
            RunsDatapath = false,
        }, log);
    }

    /// <summary>The switch node's name in the scenario.</summary>
    public string Name { get; }

    /// <summary>The switch's database (the lab's <c>conf.db</c>, kept in memory).</summary>
    public Database Database { get; }

    /// <summary>The switch daemon; its datapath is what the lab runs.</summary>
    public SwitchDaemon Daemon { get; }

    /// <summary>The label of the database remote in the daemon's log.</summary>
    public string Remote { get; }

    /// <summary>The <c>cur_cfg</c> the daemon last reported, once configured.</summary>
    public long CurCfg { get; private set; }

    /// <summary>The message part of every warning and error the daemon logged, in order (OVS's WARN and ERR lines).</summary>
    public IReadOnlyList<string> Problems => _problems.Messages;

    /// <summary>Starts the node's database server and connects its daemon.</summary>
    public static async Task<LabSwitchNode> StartAsync(string name, LabClock clock, PacketPool pool, IBondEventSink bondEvents, CancellationToken cancellationToken)
    {
        var node = new LabSwitchNode(name, clock, pool, bondEvents);
        try
        {
            await node.Daemon.ConnectAsync(cancellationToken).ConfigureAwait(false);
            await node.Daemon.RunOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return node;
    }

    /// <summary>
    /// Writes the switch's configuration as one <c>ovs-vsctl</c> command line would (after <c>ovs-vsctl init</c>),
    /// bumps <c>next_cfg</c>, and drives the daemon until it reports the same <c>cur_cfg</c>.
    /// </summary>
    public async Task ConfigureAsync(SwitchSpec spec, CancellationToken cancellationToken)
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(s_setupGuard);
        CancellationToken token = guard.Token;
        await using OvsdbIdl client = await OvsdbIdl.ConnectAsync(Remote, new IdlOptions
        {
            Reconnect = false,
            TimeProvider = _clock,
            FirstRequestId = 1,
            Connect = ConnectAsync,
        }, token).ConfigureAwait(false);
        client.Run();
        await LabConfigWriter.InitAsync(client, token).ConfigureAwait(false);
        long target = await LabConfigWriter.WriteSwitchAsync(client, spec, token).ConfigureAwait(false);
        while (true)
        {
            await Daemon.RunOnceAsync(token).ConfigureAwait(false);
            client.Run();
            if (client.GetTable("Open_vSwitch").Rows.FirstOrDefault() is IdlRow root && root.Get("cur_cfg").Keys is [var cur] && cur.Integer >= target)
            {
                CurCfg = cur.Integer;
                return;
            }
            // The daemon's change arrives over the pipe, and so does its status write to the client: wait for either.
            // A status write the server refused is retried on the next pass without any new update to announce it,
            // so a short real-time pause bounds the wait; it changes when setup finishes, never what it builds.
            await Task.WhenAny(Daemon.WaitForDatabaseAsync(token), client.WaitForUpdatesAsync(token), Task.Delay(s_retryPause, token)).ConfigureAwait(false);
            token.ThrowIfCancellationRequested();
        }
    }

    private Task<JsonRpcConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        (Stream serverEnd, Stream clientEnd) = InMemoryDuplex.CreatePair();
        int number = Interlocked.Increment(ref _connections);
        _server.Attach(new JsonRpcConnection(serverEnd, string.Create(CultureInfo.InvariantCulture, $"{Name}#{number}"), new JsonRpcConnectionOptions { TimeProvider = _clock }));
        return Task.FromResult(new JsonRpcConnection(clientEnd, Remote, new JsonRpcConnectionOptions { TimeProvider = _clock }));
    }

    /// <summary>Disconnects the daemon and stops the server; the datapath the daemon built stays with the lab.</summary>
    public async ValueTask DisposeAsync()
    {
        await Daemon.DisposeAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The daemon's console: vlog lines arrive here whole, and the lab keeps the message of each warning and error,
    /// which is what the daemon reports about a configuration it could not apply as written.
    /// </summary>
    private sealed class ProblemWriter : StringWriter
    {
        private readonly List<string> _messages = [];

        public ProblemWriter()
            : base(CultureInfo.InvariantCulture)
        {
        }

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public override void WriteLine(string? value)
        {
            // A vlog line is TIME|SEQUENCE|MODULE|LEVEL|MESSAGE; the message may itself contain '|'.
            string[] fields = (value ?? "").Split('|', 5);
            if (fields.Length == 5 && fields[3] is "WARN" or "ERR" or "EMER")
            {
                lock (_messages)
                {
                    _messages.Add(fields[4]);
                }
            }
        }
    }
}
