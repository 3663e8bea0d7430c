// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Globalization;
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
/// lab's virtual time advances. Every interface is a netdev-dummy; the lab stands in for it with a local device that
/// it cables as usual. Frames the lab delivers to a stand-in go into OVS with <c>netdev-dummy/receive</c> (several per
/// command), and what OVS sends comes back through the interface's <c>options:tx_pcap</c> file, which OVS writes
/// inside the send itself. The stand-in's carrier and administrative state are mirrored into OVS with
/// <c>netdev-dummy/set-admin-state</c>, which is what OVS's bonds see as a link going down or up.
/// </summary>
/// <remarks>
/// Each step ends with a barrier instead of a wait for the switch to fall silent. OVS's main loop runs the datapath
/// (one queued frame per interface per pass, then the bonds and LACP), then answers control requests, at most
/// <see cref="RequestsPerLoop"/> of one connection per pass, then sleeps. A request answered in a later pass than
/// another was answered after a whole run of the datapath and the bonds in between; so a step writes its link
/// changes, warp and frames, then that many <c>version</c> requests per run it needs, all at once, and the last reply
/// means OVS has switched every queued frame, and everything it did because of them, or because of the new time or
/// link states, is in the capture files and the log. (Requests sent one after the other's reply prove nothing: OVS
/// may answer both in one pass, and <c>time/warp</c> sleeps 10 ms inside its own handler, so the next request is
/// usually answered before the datapath has run at the new time.) To check the barrier rather than trust it, the lab
/// keeps a second bridge, <see cref="SyncBridge"/>, with an input and an output dummy and nothing else: each step also
/// queues one probe frame on its input per run it needs, and each pass floods one of them to the output's capture
/// file. Should the probes not all be there after the last reply (another OVS version that answers more requests per
/// pass), the lab polls until they are, then makes one more round trip.
/// </remarks>
internal sealed partial class RealOvsSwitch : ILabSwitch, IDisposable
{
    /// <summary>
    /// The most frames the lab queues on one OVS interface per step: netdev-dummy keeps at most 100 per receive
    /// queue and drops the rest, so a deeper backlog waits for the next step (the lab's own stand-in holds it).
    /// </summary>
    private const int MaxFramesPerStep = 96;

    /// <summary>How many requests of one connection OVS 3.1's control server answers per pass of its main loop.</summary>
    internal const int RequestsPerLoop = 10;

    /// <summary>
    /// Makes the switches this thread starts settle through <see cref="Barrier"/> even where the lab could watch OVS's
    /// main loop, so that tests cover the way the lab works where it cannot.
    /// </summary>
    [ThreadStatic]
    internal static bool UseBarrierOnly;

    /// <summary>The bridge the lab adds to every real OVS for its barrier probes (see the remarks on the class).</summary>
    internal const string SyncBridge = "vswlabsync";

    private const string SyncInput = SyncBridge + "-in";

    private const string SyncOutput = SyncBridge + "-out";

    /// <summary>
    /// A probe: broadcast, so the sync bridge floods it to its output; from a locally administered address with the
    /// local experimental EtherType, so nothing in OVS treats it as a protocol frame.
    /// </summary>
    private static readonly byte[] s_probe = CreateProbe();

    /// <summary>The largest step by which OVS's clock follows the lab's.</summary>
    private const long WarpStepMs = 100;

    private static readonly TimeSpan s_controlTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory;
    private readonly string _controlPath;
    private readonly string _serverControl;
    private readonly PacketBatch _batch = new();
    private readonly List<RelayedInterface> _interfaces = [];
    private readonly OvsBondLog _log;
    private readonly IBondEventSink _sink;
    private readonly HashSet<string> _firstChoicePending = new(StringComparer.Ordinal);
    private UnixctlChannel? _control;
    private MainLoopWatch? _watch;
    private PcapTail? _syncCapture;
    private long _probesSent;
    private long _probesSeen;
    private long _warpedTo;
    private bool _started;
    private bool _disposed;

    [GeneratedRegex(@"^member (?<member>\S+): enabled$", RegexOptions.Multiline)]
    private static partial Regex EnabledMemberLine();

    public RealOvsSwitch(SwitchSpec spec, string directory, PacketPool pool, IBondEventSink sink)
    {
        Name = spec.Name;
        _directory = directory;
        _sink = sink;
        _controlPath = Path.Combine(directory, "ovs-vswitchd.ctl");
        _serverControl = Path.Combine(directory, "ovsdb-server.ctl");
        var bondOfMember = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (BondSpec bond in spec.Bridges.SelectMany(b => b.Bonds))
        {
            foreach (BondInterfaceSpec member in bond.Interfaces)
            {
                bondOfMember[member.Name] = bond.Name;
            }
        }
        Directory.CreateDirectory(directory);
        _log = OvsBondLog.ListenForSyslog(SyslogSocket, bondOfMember);
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
        // flow-limit=0 keeps every packet on OVS's upcall path, translated against the bonds and MAC table as they are
        // now: no datapath flow is cached, so nothing waits for the revalidator threads, which run in wall time and
        // would otherwise leave stale flows (to a member that just failed, to where a MAC used to be) in place for a
        // varying number of the lab's virtual instants. Bond accounting happens in the same translation.
        RealOvsTools.Run(_directory, "ovs-vsctl", "--db=unix:" + DatabaseSocket, "--no-wait", "init",
            "--", "set", "Open_vSwitch", ".", "other_config:flow-limit=0");
        // The bond lines also go, as they are logged, to the lab's syslog socket (see OvsBondLog); nothing else does.
        // The syslog method is given through the environment: the daemon sets up its syslog before it reads its
        // options, and then keeps the first method it was given.
        RealOvsTools.StartDaemon(_directory, "ovs-vswitchd", new Dictionary<string, string> { ["OVS_SYSLOG_METHOD"] = "unix:" + SyslogSocket },
            "--enable-dummy=override", "--disable-system", "--detach", "--no-chdir", "--pidfile", "--log-file",
            "--unixctl=" + _controlPath, "-vsyslog:off", "-vbond:syslog:info", "unix:" + DatabaseSocket);
        _control = UnixctlChannel.Connect(_controlPath, Name + ": ovs-vswitchd", s_controlTimeout);
        Call("time/stop");
    }

    private string DatabaseSocket => Path.Combine(_directory, "db.sock");

    private string SyslogSocket => Path.Combine(_directory, "syslog.sock");

    private string CaptureOf(string interfaceName) => Path.Combine(_directory, interfaceName + ".pcap");

    /// <summary>
    /// One <c>ovs-vsctl</c> invocation with the rows the in-process lab writes (<see cref="InProcess.LabConfigWriter"/>),
    /// every interface a dummy that writes what it sends to its own capture file; without <c>--no-wait</c> it returns once ovs-vswitchd has
    /// applied them (<c>cur_cfg</c>).
    /// </summary>
    private void Configure(SwitchSpec spec)
    {
        string[] scenario = VsctlScript.Build(spec, ["--db=unix:" + DatabaseSocket, "--timeout=60"], [],
            (name, isInternal) => [isInternal ? "type=internal" : "type=dummy", $"options:tx_pcap=\"{CaptureOf(name)}\""]);
        string[] sync =
        [
            "--", "add-br", SyncBridge,
            "--", "add-port", SyncBridge, SyncInput, "--", "set", "interface", SyncInput, "type=dummy",
            "--", "add-port", SyncBridge, SyncOutput, "--", "set", "interface", SyncOutput, "type=dummy", $"options:tx_pcap=\"{CaptureOf(SyncOutput)}\"",
        ];
        RealOvsTools.Run(_directory, "ovs-vsctl", [.. scenario, .. sync]);
        _syncCapture = new PcapTail(CaptureOf(SyncOutput));
        // Watched from here on: the revalidator threads exist once there is a bridge.
        if (!UseBarrierOnly && ReadPid("ovs-vswitchd") is int switchPid && ReadPid("ovsdb-server") is int databasePid)
        {
            _watch = MainLoopWatch.TryOpen(switchPid, databasePid);
        }
    }

    private static byte[] CreateProbe()
    {
        byte[] frame = new byte[60];
        frame.AsSpan(0, 6).Fill(0xff);
        byte[] source = [0x02, 0x76, 0x73, 0x77, 0x00, 0x01];
        source.CopyTo(frame, 6);
        frame[12] = 0x88;
        frame[13] = 0xb5;
        return frame;
    }

    /// <summary>Makes the lab's stand-in for every interface and starts following the capture file OVS writes for it.</summary>
    private void ConnectInterfaces(SwitchSpec spec, PacketPool pool)
    {
        foreach (BridgeSpec bridge in spec.Bridges)
        {
            foreach (PortSpec port in bridge.Ports)
            {
                DummyNetDev device = port.Internal
                    ? DummyNetDev.CreateInternal(port.Name, LabTopology.DeriveMac(spec.Name + ":" + port.Name), pool)
                    : new DummyNetDev(port.Name, LabTopology.DeriveMac(spec.Name + ":" + port.Name), pool);
                _interfaces.Add(new RelayedInterface(port.Name, device, new PcapTail(CaptureOf(port.Name))));
            }
            foreach (BondInterfaceSpec member in bridge.Bonds.SelectMany(b => b.Interfaces))
            {
                var device = new DummyNetDev(member.Name, LabTopology.DeriveMac(spec.Name + ":" + member.Name), pool);
                _interfaces.Add(new RelayedInterface(member.Name, device, new PcapTail(CaptureOf(member.Name))));
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
        OrderEnabledMembers(spec);
        foreach (BondSpec bond in spec.Bridges.SelectMany(b => b.Bonds))
        {
            if (ActiveMember(bond.Name) is string active)
            {
                _sink.OnEvent(new BondEvent(0, bond.Name, active, BondEventKind.ActiveChanged, $"bond {bond.Name}: active member is now {active}", "initial active member (bond/show)"));
            }
            else if (!bond.OtherConfig.ContainsKey("bond-primary"))
            {
                // A LACP bond has no enabled member until LACP settles; its first choice is pinned when OVS makes it.
                _firstChoicePending.Add(bond.Name);
            }
        }
    }

    /// <summary>
    /// A balance-slb or balance-tcp bond gives each hash bucket, on its first frame, the next enabled member in turn,
    /// starting from the member enabled first; OVS enables the members it registers in hash order, which changes from
    /// run to run, SharpSwitch in name order. Disabling every member and enabling them again in name order
    /// (<c>bond/disable-member</c>, <c>bond/enable-member</c>, all in one pass of OVS's loop, before any frame) gives
    /// OVS SharpSwitch's order; the lines OVS logs for it are setup, not events of the run. LACP bonds are left alone:
    /// they enable their members only once LACP settles.
    /// </summary>
    private void OrderEnabledMembers(SwitchSpec spec)
    {
        List<BondSpec> balanced = spec.Bridges.SelectMany(b => b.Bonds)
            .Where(b => b.BondMode is "balance-slb" or "balance-tcp" && b.Lacp is not ("active" or "passive"))
            .ToList();
        if (balanced.Count == 0)
        {
            return;
        }
        UnixctlChannel control = _control!;
        int unanswered = 0;
        foreach (BondSpec bond in balanced)
        {
            List<string> members = EnabledMembers(bond.Name).ToList();
            foreach (string member in members)
            {
                control.Send("bond/disable-member", bond.Name, member);
                unanswered++;
            }
            foreach (string member in members.Order(StringComparer.Ordinal))
            {
                control.Send("bond/enable-member", bond.Name, member);
                unanswered++;
            }
        }
        for (; unanswered > 0; unanswered--)
        {
            control.Receive();
        }
        _log.ReadNew(0);
        Notes.Add($"{Name}: the lab enabled the members of {string.Join(", ", balanced.Select(b => b.Name))} again in name order (bond/disable-member, bond/enable-member), so that hash buckets take them in SharpSwitch's order rather than OVS's hash order");
    }

    /// <summary>
    /// Passes OVS's bond events on to the lab, pinning the first active member of a bond that had none at setup (a
    /// LACP bond, once LACP settles) as <see cref="PinInitialActiveMembers"/> does at setup: OVS takes the first
    /// enabled member in hash order, SharpSwitch the first by priority and name.
    /// </summary>
    private void ForwardEvents(long nowMs)
    {
        List<BondEvent> events = _log.ReadNew(nowMs);
        for (int i = 0; i < events.Count; i++)
        {
            BondEvent e = events[i];
            if (e.Kind != BondEventKind.ActiveChanged || e.Member is null || !_firstChoicePending.Remove(e.Bond))
            {
                _sink.OnEvent(e);
                continue;
            }
            string? first = EnabledMembers(e.Bond).Order(StringComparer.Ordinal).FirstOrDefault();
            if (first is null || first == e.Member)
            {
                _sink.OnEvent(e);
                continue;
            }
            Call("bond/set-active-member", e.Bond, first);
            // The pin's own log line stands for the choice; the member OVS chose first is named in the reason.
            foreach (BondEvent pinned in _log.ReadNew(nowMs).Where(p => p.Kind != BondEventKind.ActiveChanged))
            {
                events.Add(pinned);
            }
            _sink.OnEvent(new BondEvent(nowMs, e.Bond, first, BondEventKind.ActiveChanged, $"bond {e.Bond}: active member is now {first}",
                $"OVS first chose {e.Member} (hash order, differs between runs); the lab made {first} active with bond/set-active-member"));
        }
    }

    /// <summary>The enabled members as <c>bond/show</c> lists them.</summary>
    private IEnumerable<string> EnabledMembers(string bond) =>
        EnabledMemberLine().Matches(Call("bond/show", bond)).Select(m => m.Groups["member"].Value).ToList();

    /// <summary>The active member as <c>bond/show</c> reports it, or null when there is none.</summary>
    public string? ActiveMember(string bond)
    {
        return BondShowText.ActiveMember(Call("bond/show", bond));
    }

    /// <summary>
    /// One step of the lab at <paramref name="nowMs"/>: OVS's clock is warped to it, link changes are mirrored, frames
    /// the lab delivered to the stand-ins are queued into OVS, and once OVS has switched them (the barrier described on
    /// the class) whatever it sent is put on the stand-ins' wires and its bond log lines are read.
    /// </summary>
    public void Run(long nowMs)
    {
        UnixctlChannel control = _control!;
        // First the link changes and the clock, in one write: OVS applies all of them in one pass over its control
        // requests, so its bonds see the new links and the new time together in the next run of its loop, as
        // SharpSwitch's bonds see them in one run. The lab applies faults before an instant's traffic, and so does
        // this step: the frames follow only once the bonds have reacted (OVS switches the frames it has queued
        // before it runs its bonds in the same loop).
        int unanswered = 0;
        bool linkChanged = false;
        foreach (RelayedInterface relayed in _interfaces)
        {
            bool up = relayed.Device.AdminUp && relayed.Device.Carrier;
            if (up != relayed.OvsUp)
            {
                control.Send("netdev-dummy/set-admin-state", relayed.Name, up ? "up" : "down");
                relayed.OvsUp = up;
                linkChanged = true;
                unanswered++;
            }
        }
        // OVS's clock follows the lab's in steps of at most WarpStepMs, and exactly at every link change, so bond
        // delays (multiples of 100 ms in practice) expire at the instant they would on SharpSwitch. Every warp costs
        // about 10 ms of wall time (OVS sleeps after each to let its other threads run), so the clock is not moved
        // for every frame.
        bool warped = false;
        if (nowMs > _warpedTo && (linkChanged || nowMs - _warpedTo >= WarpStepMs))
        {
            control.Send("time/warp", (nowMs - _warpedTo).ToString(CultureInfo.InvariantCulture));
            _warpedTo = nowMs;
            warped = true;
            unanswered++;
            Statistics.Warps++;
        }
        if (warped || linkChanged)
        {
            // A link change is seen by the ports and the bonds in the same run of the loop; a second run is a margin
            // for anything that reacts one run later.
            Settle(linkChanged ? 2 : 1, unanswered);
            unanswered = 0;
        }
        int deepestQueue = 0;
        foreach (RelayedInterface relayed in _interfaces)
        {
            int queued = 0;
            while (queued < MaxFramesPerStep && relayed.Device.Receive(_batch) > 0)
            {
                control.SendReceive(relayed.Name, _batch);
                queued += _batch.Count;
                _batch.ReturnAll();
                unanswered++;
            }
            deepestQueue = Math.Max(deepestQueue, queued);
            Statistics.FramesIn += queued;
        }
        if (deepestQueue > 0)
        {
            Settle(deepestQueue, unanswered);
        }
        else if (!warped && !linkChanged && _started)
        {
            // OVS sends only because of a frame, a link change or a timer, and its timers run only when it is warped.
            return;
        }
        // What OVS sent while the lab set it up (LACP's first PDUs, say) goes on the wires at the first step, time 0.
        _started = true;
        Statistics.Steps++;
        foreach (RelayedInterface relayed in _interfaces)
        {
            Statistics.FramesOut += relayed.Capture.ReadNew(frame => relayed.Device.Transmit(frame));
        }
        ForwardEvents(nowMs);
    }

    /// <summary>
    /// Reads the replies to the <paramref name="unanswered"/> requests written so far and waits until OVS has done
    /// everything they caused: until its main loop is idle when the lab can watch it (<see cref="MainLoopWatch"/>),
    /// otherwise through <see cref="Barrier"/> with <paramref name="runs"/> runs plus two for what follows inside OVS
    /// (a PDU handled in one run changes the ports in the next, and the bonds see it then).
    /// </summary>
    private void Settle(int runs, int unanswered)
    {
        if (_watch is null)
        {
            Barrier(runs + 2, unanswered);
            return;
        }
        for (; unanswered > 0; unanswered--)
        {
            _control!.Receive();
        }
        _watch.WaitUntilIdle(s_controlTimeout);
    }

    /// <summary>
    /// Waits until OVS has run its main loop <paramref name="runs"/> times after every request written so far
    /// (<paramref name="unanswered"/> of which still await their replies), as the remarks on the class explain.
    /// </summary>
    private void Barrier(int runs, int unanswered)
    {
        UnixctlChannel control = _control!;
        control.SendReceive(SyncInput, s_probe, runs);
        _probesSent += runs;
        unanswered++;
        for (int i = 0; i < RequestsPerLoop * runs; i++)
        {
            control.Send("version");
            unanswered++;
        }
        for (; unanswered > 0; unanswered--)
        {
            control.Receive();
        }
        _probesSeen += _syncCapture!.ReadNew(static _ => { });
        if (_probesSeen >= _probesSent)
        {
            return;
        }
        // Each round trip lets OVS run its loop at least once more; the probes show how many runs have happened.
        while (_probesSeen < _probesSent)
        {
            control.Call("version");
            Statistics.Polls++;
            _probesSeen += _syncCapture.ReadNew(static _ => { });
        }
        // The run that switched the last probe may still be going; a request answered after it proves it finished.
        control.Call("version");
    }

    /// <summary>What this switch cost the run, for measuring the backend.</summary>
    public RealOvsStatistics Statistics { get; } = new();

    private string Call(string command, params string[] args)
    {
        try
        {
            return _control!.Call(command, args);
        }
        catch (RealOvsException ex)
        {
            throw new RealOvsException($"ovs-appctl {command} {string.Join(' ', args)}: {ex.Message}");
        }
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
            relayed.Capture.Dispose();
        }
        _syncCapture?.Dispose();
        _control?.Dispose();
        _watch?.Dispose();
        _log.Dispose();
        Stop("ovs-vswitchd", _controlPath);
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

    private int? ReadPid(string program)
    {
        string pidFile = Path.Combine(_directory, program + ".pid");
        return File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid) ? pid : null;
    }

    private void Stop(string program, string control)
    {
        if (ReadPid(program) is not int pid)
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

    /// <summary>An OVS interface and the lab's stand-in for it, joined by <c>netdev-dummy/receive</c> one way and a capture file the other.</summary>
    private sealed class RelayedInterface(string name, DummyNetDev device, PcapTail capture)
    {
        public string Name { get; } = name;

        public DummyNetDev Device { get; } = device;

        public PcapTail Capture { get; } = capture;

        /// <summary>The state last set in OVS with set-admin-state; OVS's dummies start up.</summary>
        public bool OvsUp { get; set; } = true;
    }
}

/// <summary>Counts of what a real-OVS switch node did during a run: the figures that decide how long a run takes.</summary>
internal sealed class RealOvsStatistics
{
    /// <summary>Steps that needed OVS (a warp, a link change or frames), each ending with a barrier.</summary>
    public long Steps { get; set; }

    /// <summary><c>time/warp</c> commands, each of which costs OVS about 10 ms of sleep.</summary>
    public long Warps { get; set; }

    /// <summary>Frames queued into OVS.</summary>
    public long FramesIn { get; set; }

    /// <summary>Round trips spent waiting for the probes of a barrier beyond the first.</summary>
    public long Polls { get; set; }

    /// <summary>Frames OVS sent.</summary>
    public long FramesOut { get; set; }
}
