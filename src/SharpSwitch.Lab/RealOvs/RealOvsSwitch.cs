// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using SharpSwitch.Bonding;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;
using SharpSwitch.NetDev;
using SharpSwitch.Switchd.Unixctl;

namespace SharpSwitch.Lab.RealOvs;

/// <summary>
/// One switch node of a scenario run by real Open vSwitch: its own <c>ovsdb-server</c> and
/// <c>ovs-vswitchd --enable-dummy=override</c> in a private run directory, configured with <c>ovs-vsctl</c> (the same
/// rows the in-process lab writes), its clock stopped with <c>time/stop</c> and moved with <c>time/warp</c> as the
/// lab's virtual time advances. Every interface is a netdev-dummy listening on <c>options:pstream</c>; the lab
/// connects to each and stands in for the interface with a local device that it cables as usual, relaying frames
/// between the two with netdev-dummy's framing. The stand-in's carrier and administrative state are mirrored into OVS
/// with <c>netdev-dummy/set-admin-state</c>, which is what OVS's bonds see as a link going down or up; a cut stream
/// is not (netdev-dummy keeps its carrier without <c>carrier-follows-stream</c>, which OVS 3.1 lacks).
/// </summary>
internal sealed partial class RealOvsSwitch : ILabSwitch, IDisposable
{
    /// <summary>How long the switch must stay silent after being poked before the lab decides it has answered.</summary>
    private const int QuietMs = 3;

    /// <summary>How long the lab waits for the first frame back after poking the switch.</summary>
    private const int FirstAnswerMs = 25;

    /// <summary>The largest step by which OVS's clock follows the lab's.</summary>
    private const long WarpStepMs = 100;

    /// <summary>The longest the lab waits for one switch to fall silent, so that a chatty switch cannot stall a run.</summary>
    private const int MaxSettleMs = 500;

    private static readonly TimeSpan s_controlTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory;
    private readonly string _control;
    private readonly string _serverControl;
    private readonly List<RelayedInterface> _interfaces = [];
    private readonly OvsBondLog _log;
    private readonly IBondEventSink _sink;
    private long _warpedTo;
    private bool _disposed;

    [GeneratedRegex(@"^active member mac: \S+\((?<member>[^)]*)\)$", RegexOptions.Multiline)]
    private static partial Regex ActiveMemberLine();

    public RealOvsSwitch(SwitchSpec spec, string directory, PacketPool pool, IBondEventSink sink)
    {
        Name = spec.Name;
        _directory = directory;
        _sink = sink;
        _control = Path.Combine(directory, "ovs-vswitchd.ctl");
        _serverControl = Path.Combine(directory, "ovsdb-server.ctl");
        var bondOfMember = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (BondSpec bond in spec.Bridges.SelectMany(b => b.Bonds))
        {
            foreach (BondInterfaceSpec member in bond.Interfaces)
            {
                bondOfMember[member.Name] = bond.Name;
            }
        }
        _log = new OvsBondLog(Path.Combine(directory, "ovs-vswitchd.log"), bondOfMember);
        try
        {
            Start();
            Configure(spec);
            ConnectInterfaces(spec, pool);
            PinInitialActiveMembers(spec);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Notes about what the lab did to make the run repeatable, for the report's warnings.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>The lab's stand-in for each OVS interface, by interface name.</summary>
    public IEnumerable<(string Name, DummyNetDev Device)> Devices => _interfaces.Select(i => (i.Name, i.Device));

    /// <summary>OVS's timers are driven at least every <see cref="WarpStepMs"/>, so that delays expire when they are due.</summary>
    public long NextWakeMs => _warpedTo + WarpStepMs;

    private void Start()
    {
        Directory.CreateDirectory(_directory);
        string database = Path.Combine(_directory, "conf.db");
        RealOvsTools.Run(_directory, "ovsdb-tool", "create", database, RealOvsTools.Schema!);
        RealOvsTools.StartDaemon(_directory, "ovsdb-server", "--detach", "--no-chdir", "--pidfile", "--log-file",
            "--remote=punix:" + DatabaseSocket, "--unixctl=" + _serverControl, database);
        RealOvsTools.Run(_directory, "ovs-vsctl", "--db=unix:" + DatabaseSocket, "--no-wait", "init");
        RealOvsTools.StartDaemon(_directory, "ovs-vswitchd", "--enable-dummy=override", "--disable-system", "--detach",
            "--no-chdir", "--pidfile", "--log-file", "--unixctl=" + _control, "unix:" + DatabaseSocket);
        Call("time/stop");
    }

    private string DatabaseSocket => Path.Combine(_directory, "db.sock");

    private string SocketOf(string interfaceName) => Path.Combine(_directory, interfaceName + ".sock");

    /// <summary>
    /// One <c>ovs-vsctl</c> invocation with the rows the in-process lab writes (<see cref="InProcess.LabConfigWriter"/>),
    /// every interface a dummy listening on its own socket; without <c>--no-wait</c> it returns once ovs-vswitchd has
    /// applied them (<c>cur_cfg</c>).
    /// </summary>
    private void Configure(SwitchSpec spec) =>
        RealOvsTools.Run(_directory, "ovs-vsctl", VsctlScript.Build(spec, ["--db=unix:" + DatabaseSocket, "--timeout=60"], [],
            (name, isInternal) => [isInternal ? "type=internal" : "type=dummy", $"options:pstream=\"punix:{SocketOf(name)}\""]));

    private void ConnectInterfaces(SwitchSpec spec, PacketPool pool)
    {
        foreach (BridgeSpec bridge in spec.Bridges)
        {
            foreach (PortSpec port in bridge.Ports)
            {
                DummyNetDev device = port.Internal
                    ? DummyNetDev.CreateInternal(port.Name, LabTopology.DeriveMac(spec.Name + ":" + port.Name), pool)
                    : new DummyNetDev(port.Name, LabTopology.DeriveMac(spec.Name + ":" + port.Name), pool);
                _interfaces.Add(new RelayedInterface(port.Name, device, FramedSocket.Connect(SocketOf(port.Name))));
            }
            foreach (BondInterfaceSpec member in bridge.Bonds.SelectMany(b => b.Interfaces))
            {
                var device = new DummyNetDev(member.Name, LabTopology.DeriveMac(spec.Name + ":" + member.Name), pool);
                _interfaces.Add(new RelayedInterface(member.Name, device, FramedSocket.Connect(SocketOf(member.Name))));
            }
        }
    }

    /// <summary>
    /// Without <c>bond-primary</c>, OVS makes whichever enabled member comes first in its hash map active, which
    /// changes from run to run. The lab makes the member SharpSwitch would choose (the first by name) active with
    /// <c>bond/set-active-member</c>, so that repeated runs agree, and says so in the report.
    /// </summary>
    private void PinInitialActiveMembers(SwitchSpec spec)
    {
        foreach (BondSpec bond in spec.Bridges.SelectMany(b => b.Bonds))
        {
            if (bond.OtherConfig.ContainsKey("bond-primary") || bond.Lacp is "active" or "passive")
            {
                continue;
            }
            string first = bond.Interfaces.Select(m => m.Name).Order(StringComparer.Ordinal).First();
            string? chosen = ActiveMember(bond.Name);
            if (chosen is not null && chosen != first)
            {
                Call("bond/set-active-member", bond.Name, first);
                Notes.Add($"{Name}: bond {bond.Name}: OVS first chose {chosen} (hash order, differs between runs); the lab made {first} active with bond/set-active-member");
            }
        }
        // What OVS logged while the lab set it up is what happened at time 0; the choice the lab overrode is left out.
        List<BondEvent> setup = _log.ReadNew(0);
        foreach (BondEvent e in setup.Where(e => e.Kind != BondEventKind.ActiveChanged))
        {
            _sink.OnEvent(e);
        }
        foreach (BondSpec bond in spec.Bridges.SelectMany(b => b.Bonds))
        {
            if (ActiveMember(bond.Name) is string active)
            {
                _sink.OnEvent(new BondEvent(0, bond.Name, active, BondEventKind.ActiveChanged, $"bond {bond.Name}: active member is now {active}", "initial active member (bond/show)"));
            }
        }
    }

    /// <summary>The active member as <c>bond/show</c> reports it, or null when there is none.</summary>
    public string? ActiveMember(string bond)
    {
        Match match = ActiveMemberLine().Match(Call("bond/show", bond));
        return match.Success && match.Groups["member"].Value is { Length: > 0 } member && member != "none" ? member : null;
    }

    /// <summary>
    /// One step of the lab at <paramref name="nowMs"/>: OVS's clock is warped to it, link changes are mirrored, frames
    /// the lab delivered to the stand-ins are sent into OVS, and whatever OVS sends back is put on the stand-ins' wires.
    /// </summary>
    public void Run(long nowMs)
    {
        bool linkChanged = _interfaces.Any(i => (i.Device.AdminUp && i.Device.Carrier) != i.OvsUp);
        // OVS's clock follows the lab's in steps of at most WarpStepMs, and exactly at every link change, so bond
        // delays (multiples of 100 ms in practice) expire at the instant they would on SharpSwitch, at the cost of
        // one control round trip per step instead of one per instant.
        if (nowMs > _warpedTo && (linkChanged || nowMs - _warpedTo >= WarpStepMs))
        {
            // time/warp replies once OVS's main loop has run at the new time, so its timers have fired by then.
            Call("time/warp", (nowMs - _warpedTo).ToString(CultureInfo.InvariantCulture));
            _warpedTo = nowMs;
        }
        bool poked = false;
        foreach (RelayedInterface relayed in _interfaces)
        {
            bool up = relayed.Device.AdminUp && relayed.Device.Carrier;
            if (up != relayed.OvsUp)
            {
                Call("netdev-dummy/set-admin-state", relayed.Name, up ? "up" : "down");
                relayed.OvsUp = up;
                poked = true;
            }
        }
        if (poked)
        {
            // A unixctl request is answered between two runs of OVS's main loop, so two round trips guarantee that the
            // bonds have run at least once with the new link states before the lab reads the log.
            Call("version");
            Call("version");
        }
        bool sent = false;
        foreach (RelayedInterface relayed in _interfaces)
        {
            while (relayed.Device.ReceiveFrame() is byte[] frame)
            {
                relayed.Socket.Send(frame);
                sent = true;
            }
        }
        ReadFromSwitch(sent || poked);
        foreach (BondEvent e in _log.ReadNew(nowMs))
        {
            _sink.OnEvent(e);
        }
    }

    private void ReadFromSwitch(bool expectAnswer)
    {
        var stopwatch = Stopwatch.StartNew();
        long lastData = 0;
        bool answered = false;
        var sockets = new List<Socket>();
        while (true)
        {
            int frames = 0;
            foreach (RelayedInterface relayed in _interfaces)
            {
                frames += relayed.Socket.ReadAvailable(frame => relayed.Device.Transmit(frame));
            }
            long elapsed = stopwatch.ElapsedMilliseconds;
            if (frames > 0)
            {
                lastData = elapsed;
                answered = true;
            }
            // Before the first frame comes back, give OVS longer: the first packet of a flow takes the upcall path,
            // which on a busy machine takes a few milliseconds; after that, a short silence means it is done.
            long silence = answered ? QuietMs : FirstAnswerMs;
            if (!expectAnswer || elapsed - lastData >= silence || elapsed >= MaxSettleMs)
            {
                return;
            }
            sockets.Clear();
            sockets.AddRange(_interfaces.Select(i => i.Socket.Socket));
            Socket.Select(sockets, null, null, 1000);
        }
    }

    private string Call(string command, params string[] args)
    {
        UnixctlResult result = Task.Run(() => UnixctlClient.CallAsync(_control, command, args, s_controlTimeout)).GetAwaiter().GetResult();
        if (!result.Success)
        {
            throw new RealOvsException($"{Name}: ovs-appctl {command} {string.Join(' ', args)}: {result.Text.Trim()}");
        }
        return result.Text;
    }

    /// <summary>Stops both daemons and removes the run directory.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (RelayedInterface relayed in _interfaces)
        {
            relayed.Socket.Dispose();
        }
        Stop("ovs-vswitchd", _control);
        Stop("ovsdb-server", _serverControl);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A daemon that is slow to exit may still hold a file; the directory is under the system's temp folder.
        }
    }

    private void Stop(string program, string control)
    {
        string pidFile = Path.Combine(_directory, program + ".pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid))
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
            try
            {
                Task.Run(() => UnixctlClient.CallAsync(control, "exit", [], TimeSpan.FromSeconds(5))).GetAwaiter().GetResult();
            }
            catch (UnixctlClientException)
            {
                // Already going away; the wait below decides.
            }
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
                process.WaitForExit(5_000);
            }
        }
    }

    /// <summary>An OVS interface and the lab's stand-in for it, joined by a socket.</summary>
    private sealed class RelayedInterface(string name, DummyNetDev device, FramedSocket socket)
    {
        public string Name { get; } = name;

        public DummyNetDev Device { get; } = device;

        public FramedSocket Socket { get; } = socket;

        /// <summary>The state last set in OVS with set-admin-state; OVS's dummies start up.</summary>
        public bool OvsUp { get; set; } = true;
    }
}
