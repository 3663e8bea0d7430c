// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics;
using System.Globalization;
using SharpSwitch.Bonding;
using SharpSwitch.Lab.RealOvs;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;
using SharpSwitch.Switchd.Unixctl;

namespace SharpSwitch.Lab.RealInterfaces;

/// <summary>
/// One switch node of a scenario run on real Linux interfaces: a network namespace of its own, in which each of the
/// node's interfaces is one end of a veth pair named as in the scenario (<c>eno1</c>, <c>p3</c>), and a SharpSwitch
/// daemon (<c>vsw vswitchd</c>, started with <c>ip netns exec</c>) that opens them with AF_PACKET, configured through
/// its own <c>vsw ovsdb-server</c> with <c>vsw vsctl</c>. The other end of each veth stays in the lab's namespace
/// under a unique name; the lab reads and writes it with a packet socket and joins it to a stand-in device that it
/// cables exactly as it cables the in-process switch's, so hosts, traffic, recording and reports are unchanged.
/// Pulling a cable sets the lab's end of the veth down, so the switch's member loses carrier as if the operator had
/// pulled it; an administrative change is applied to the switch's own interface.
/// </summary>
internal sealed class VethSwitch : ILabSwitch, IDisposable
{
    private static readonly TimeSpan s_controlTimeout = TimeSpan.FromSeconds(30);
    private static readonly HashSet<VethSwitch> s_live = [];
    private static int s_counter;
    private static volatile bool s_interrupted;

    private readonly string _directory;
    private readonly string _control;
    private readonly string _vswDll;
    private readonly List<VethInterface> _interfaces = [];
    private readonly List<Process> _processes = [];
    private readonly OvsBondLog _log;
    private readonly IBondEventSink _sink;
    private long _lastRunMs;
    private bool _disposed;

    public VethSwitch(SwitchSpec spec, string directory, PacketPool pool, IBondEventSink sink)
    {
        Name = spec.Name;
        _directory = directory;
        _sink = sink;
        _control = Path.Combine(directory, "ovs-vswitchd.ctl");
        _vswDll = FindVsw();
        int id = Interlocked.Increment(ref s_counter);
        Prefix = string.Create(CultureInfo.InvariantCulture, $"vl{Environment.ProcessId % 100000}x{id}");
        Namespace = Prefix + "-" + spec.Name;
        var bondOfMember = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (BondSpec bond in spec.Bridges.SelectMany(b => b.Bonds))
        {
            foreach (BondInterfaceSpec member in bond.Interfaces)
            {
                bondOfMember[member.Name] = bond.Name;
            }
        }
        _log = new OvsBondLog(Path.Combine(directory, "ovs-vswitchd.log"), bondOfMember);
        lock (s_live)
        {
            s_live.Add(this);
        }
        try
        {
            ThrowIfInterrupted();
            Directory.CreateDirectory(directory);
            CreateNamespace();
            CreateInterfaces(spec, pool);
            StartDaemons();
            Configure(spec);
            WaitForBonds(spec);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The prefix of every name this switch made: its namespace and the lab's ends of its veths.</summary>
    public string Prefix { get; }

    /// <summary>The switch's network namespace.</summary>
    public string Namespace { get; }

    /// <summary>The lab's stand-in for each interface of the switch, by interface name.</summary>
    public IEnumerable<(string Name, DummyNetDev Device)> Devices => _interfaces.Select(i => (i.Name, i.Device));

    /// <summary>Frames may arrive from the switch at any moment, so the lab looks at its sockets every millisecond.</summary>
    public long NextWakeMs => _lastRunMs + 1;

    /// <summary>
    /// Refuses, with the reason, to run on a machine where the lab cannot make namespaces and veths or start the
    /// switch daemon.
    /// </summary>
    public static void EnsureSupported()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new RealInterfacesException("--real needs Linux (network namespaces and veth pairs)");
        }
        if (!IsRoot())
        {
            throw new RealInterfacesException("--real needs root: it creates network namespaces and veth pairs (run it with sudo)");
        }
        if (RealOvsTools.Find("ip") is null)
        {
            throw new RealInterfacesException("--real needs the ip command (Debian: iproute2)");
        }
        FindVsw();
    }

    /// <summary>Removes everything every live real-interface switch made; for a front end interrupted with Ctrl-C.</summary>
    public static void DisposeAll()
    {
        VethSwitch[] live;
        lock (s_live)
        {
            live = [.. s_live];
        }
        foreach (VethSwitch sw in live)
        {
            sw.Dispose();
        }
    }

    /// <summary>
    /// Asks every real-interface run of this process to stop at its next step (Ctrl-C): the run then unwinds on its
    /// own thread, which removes what it made, instead of racing a cleanup on the signal's thread. Returns false when
    /// a stop was already asked for, so a second Ctrl-C can fall back to <see cref="DisposeAll"/>.
    /// </summary>
    public static bool RequestStop()
    {
        bool first = !s_interrupted;
        s_interrupted = true;
        return first;
    }

    /// <summary>Unwinds the run (set-up or main loop) once a stop was asked for.</summary>
    private static void ThrowIfInterrupted()
    {
        if (s_interrupted)
        {
            throw new OperationCanceledException("the real-interface run was interrupted");
        }
    }

    private static bool IsRoot()
    {
        // /proc/self/status holds the real, effective, saved and filesystem user ids on its Uid line.
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        string[] ids = line?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) ?? [];
        return ids.Length > 2 && ids[2] == "0";
    }

    private static string FindVsw()
    {
        string path = Environment.GetEnvironmentVariable("SHARPSWITCH_VSW_DLL") is { Length: > 0 } given ? given : Path.Combine(AppContext.BaseDirectory, "vsw.dll");
        if (!File.Exists(path))
        {
            throw new RealInterfacesException($"--real starts the switch daemon from {path}, which does not exist (set SHARPSWITCH_VSW_DLL)");
        }
        return path;
    }

    private void CreateNamespace()
    {
        Ip("netns", "add", Namespace);
        Ip("-n", Namespace, "link", "set", "lo", "up");
        // Without IPv6 the kernel sends nothing of its own out of the switch's interfaces, so every frame on them is
        // one the switch or the lab sent.
        Ip("netns", "exec", Namespace, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
    }

    private void CreateInterfaces(SwitchSpec spec, PacketPool pool)
    {
        // Internal ports are veths too: the host behind one needs an end the lab can read, which a TAP made by the
        // daemon inside the namespace would not give it.
        var names = new List<(string Name, bool Internal)>();
        foreach (BridgeSpec bridge in spec.Bridges)
        {
            names.AddRange(bridge.Ports.Select(p => (p.Name, p.Internal)));
            names.AddRange(bridge.Bonds.SelectMany(b => b.Interfaces).Select(m => (m.Name, false)));
        }
        foreach ((string name, bool isInternal) in names)
        {
            ThrowIfInterrupted();
            string labEnd = string.Create(CultureInfo.InvariantCulture, $"{Prefix}i{_interfaces.Count}");
            Ip("link", "add", labEnd, "type", "veth", "peer", "name", name, "netns", Namespace);
            string sysctl = $"/proc/sys/net/ipv6/conf/{labEnd}/disable_ipv6";
            if (File.Exists(sysctl))
            {
                File.WriteAllText(sysctl, "1");
            }
            Ip("link", "set", labEnd, "up");
            Ip("-n", Namespace, "link", "set", name, "up");
            MacAddress mac = LabTopology.DeriveMac(spec.Name + ":" + name);
            DummyNetDev device = isInternal ? DummyNetDev.CreateInternal(name, mac, pool) : new DummyNetDev(name, mac, pool);
            _interfaces.Add(new VethInterface(name, labEnd, device, PacketSocket.Open(labEnd)));
        }
    }

    private void StartDaemons()
    {
        string db = Path.Combine(_directory, "db.sock");
        Start("ovsdb-server", [Path.Combine(_directory, "conf.db"), "--remote=punix:" + db, "--unixctl=" + Path.Combine(_directory, "ovsdb-server.ctl"),
            "--log-file=" + Path.Combine(_directory, "ovsdb-server.log")], db, inNamespace: false);
        Vsctl("--no-wait", "init");
        Start("vswitchd", ["unix:" + db, "--unixctl=" + _control, "--log-file=" + Path.Combine(_directory, "ovs-vswitchd.log"), "-vconsole:off"], _control, inNamespace: true);
    }

    private void Start(string daemon, string[] arguments, string readyPath, bool inNamespace)
    {
        var start = new ProcessStartInfo(inNamespace ? RealOvsTools.Find("ip")! : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        string[] command = inNamespace ? ["netns", "exec", Namespace, "dotnet", _vswDll, daemon, .. arguments] : [_vswDll, daemon, .. arguments];
        foreach (string argument in command)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_CLI_HOME"] = _directory;
        Process process = Process.Start(start) ?? throw new RealInterfacesException($"{Name}: vsw {daemon} did not start");
        _processes.Add(process);
        // The daemons' own output is not part of the report; draining it keeps them from blocking on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while (!File.Exists(readyPath))
        {
            ThrowIfInterrupted();
            if (process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new RealInterfacesException($"{Name}: vsw {daemon} did not come up (see {_directory})");
            }
            Thread.Sleep(20);
        }
    }

    /// <summary>The rows the in-process lab writes, as <c>vsw vsctl</c> commands, on a bridge of SharpSwitch's userspace datapath.</summary>
    private void Configure(SwitchSpec spec) =>
        Vsctl(VsctlScript.Build(spec, ["--timeout=60"], ["datapath_type=netdev"], static (_, _) => []));

    /// <summary>
    /// Waits until every bond that does not negotiate LACP has an active member (the veths have carrier from the
    /// start), then reports what the daemon logged while it was set up as having happened at time 0.
    /// </summary>
    private void WaitForBonds(SwitchSpec spec)
    {
        var waited = Stopwatch.StartNew();
        foreach (BondSpec bond in spec.Bridges.SelectMany(b => b.Bonds).Where(b => b.Lacp is not ("active" or "passive")))
        {
            while (ActiveMember(bond.Name) is null)
            {
                ThrowIfInterrupted();
                if (waited.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new RealInterfacesException($"{Name}: bond {bond.Name} got no active member within 30 s on its veths");
                }
                Thread.Sleep(20);
            }
        }
        foreach (BondEvent e in _log.ReadNew(0))
        {
            _sink.OnEvent(e);
        }
    }

    /// <summary>The active member as <c>bond/show</c> reports it, or null when there is none.</summary>
    public string? ActiveMember(string bond)
    {
        if (_disposed)
        {
            return null;
        }
        UnixctlResult result = Task.Run(() => UnixctlClient.CallAsync(_control, "bond/show", [bond], s_controlTimeout)).GetAwaiter().GetResult();
        if (!result.Success)
        {
            return null;
        }
        return BondShowText.ActiveMember(result.Text);
    }

    /// <summary>
    /// One look at the switch at <paramref name="nowMs"/> (wall time since the run began): link changes the lab made
    /// to a stand-in are applied to the veth, frames the stand-ins received are sent into the switch, what the switch
    /// sent is put on the stand-ins' wires, and the daemon's new bond log lines become events.
    /// </summary>
    public void Run(long nowMs)
    {
        ThrowIfInterrupted();
        _lastRunMs = nowMs;
        foreach (VethInterface veth in _interfaces)
        {
            if (veth.Device.Carrier != veth.CarrierApplied)
            {
                // The far end going down is what the switch's member sees when its cable is pulled: loss of carrier.
                Ip("link", "set", veth.LabEnd, veth.Device.Carrier ? "up" : "down");
                veth.CarrierApplied = veth.Device.Carrier;
            }
            if (veth.Device.AdminUp != veth.AdminApplied)
            {
                Ip("-n", Namespace, "link", "set", veth.Name, veth.Device.AdminUp ? "up" : "down");
                veth.AdminApplied = veth.Device.AdminUp;
            }
        }
        foreach (VethInterface veth in _interfaces)
        {
            while (veth.Device.ReceiveFrame() is byte[] frame)
            {
                veth.Socket.Send(frame);
            }
            veth.Socket.ReadAvailable(frame => veth.Device.Transmit(frame));
        }
        foreach (BondEvent e in _log.ReadNew(nowMs))
        {
            _sink.OnEvent(e);
        }
    }

    /// <summary>
    /// The kernel's counters of the switch's end of the veth <paramref name="interfaceName"/>, from
    /// <c>ip -s -j link</c>'s <c>stats64</c>: what the switch's packet socket sent (tx) and what reached the interface
    /// from the lab's end (rx), counted by the kernel and not by either program.
    /// </summary>
    public InterfaceStatistics KernelStatistics(string interfaceName)
    {
        string json = Ip("-n", Namespace, "-s", "-j", "link", "show", "dev", interfaceName);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        System.Text.Json.JsonElement stats = document.RootElement[0].GetProperty("stats64");
        System.Text.Json.JsonElement rx = stats.GetProperty("rx");
        System.Text.Json.JsonElement tx = stats.GetProperty("tx");
        return new InterfaceStatistics
        {
            RxPackets = rx.GetProperty("packets").GetInt64(),
            RxBytes = rx.GetProperty("bytes").GetInt64(),
            RxErrors = rx.GetProperty("errors").GetInt64(),
            RxDropped = rx.GetProperty("dropped").GetInt64(),
            TxPackets = tx.GetProperty("packets").GetInt64(),
            TxBytes = tx.GetProperty("bytes").GetInt64(),
            TxErrors = tx.GetProperty("errors").GetInt64(),
            TxDropped = tx.GetProperty("dropped").GetInt64(),
        };
    }

    /// <summary>
    /// Frames the switch sent out of <paramref name="interfaceName"/> that are still waiting, unread, on the lab's end
    /// of the veth (and their bytes): after the run, what was in flight towards the lab when it stopped relaying. They
    /// are read and dropped, so call it once, after the run.
    /// </summary>
    public (long Frames, long Bytes) DrainUnread(string interfaceName)
    {
        VethInterface veth = _interfaces.Single(i => i.Name == interfaceName);
        long frames = 0;
        long bytes = 0;
        veth.Socket.ReadAvailable(frame =>
        {
            frames++;
            bytes += frame.Length;
        });
        return (frames, bytes);
    }

    /// <summary>
    /// The <c>statistics</c> column of the switch's <c>Interface</c> row for <paramref name="interfaceName"/>, as
    /// <c>ovs-vsctl get</c> prints it (<c>{rx_bytes=..., tx_packets=...}</c>), parsed into keys and values. The daemon
    /// writes the column every statistics interval (5 s), so it may lag the switch's own counters by that much.
    /// </summary>
    public IReadOnlyDictionary<string, long> DatabaseStatistics(string interfaceName)
    {
        string text = Vsctl("get", "Interface", interfaceName, "statistics").Trim().TrimStart('{').TrimEnd('}');
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            values[pair[..equals]] = long.Parse(pair[(equals + 1)..], CultureInfo.InvariantCulture);
        }
        return values;
    }

    private string Vsctl(params string[] arguments)
    {
        return Run("dotnet", [_vswDll, "vsctl", "--db=unix:" + Path.Combine(_directory, "db.sock"), .. arguments]);
    }

    private string Ip(params string[] arguments) => Run(RealOvsTools.Find("ip") ?? "ip", arguments);

    private string Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_CLI_HOME"] = _directory;
        using Process process = Process.Start(start) ?? throw new RealInterfacesException($"{program} did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(90_000))
        {
            process.Kill();
            throw new RealInterfacesException($"{Name}: {Path.GetFileName(program)} {string.Join(' ', arguments)}: timed out");
        }
        if (process.ExitCode != 0)
        {
            throw new RealInterfacesException($"{Name}: {Path.GetFileName(program)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.GetAwaiter().GetResult().Trim()}{output.GetAwaiter().GetResult().Trim()}");
        }
        return output.GetAwaiter().GetResult();
    }

    /// <summary>Stops the daemons, closes the sockets and deletes the namespace, which takes both ends of every veth with it.</summary>
    public void Dispose()
    {
        lock (s_live)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            s_live.Remove(this);
        }
        foreach (VethInterface veth in _interfaces)
        {
            veth.Socket.Dispose();
        }
        foreach (Process process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }
            process.Dispose();
        }
        // Deleting a namespace frees its devices only when the kernel's cleanup work runs, after `ip netns del` has
        // returned; deleting the lab's end of each veth first removes both ends before this returns, so a caller that
        // checks for leftovers right away finds none.
        foreach (VethInterface veth in _interfaces)
        {
            try
            {
                Ip("link", "del", veth.LabEnd);
            }
            catch (RealInterfacesException)
            {
                // Already gone (its peer's namespace went first, or setup never made it).
            }
        }
        try
        {
            Ip("netns", "del", Namespace);
        }
        catch (RealInterfacesException)
        {
            // The namespace was never made (setup failed before it); nothing of it to remove.
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
            // The run's folder holds only the switches' directories; after Ctrl-C nobody else is left to remove it, so
            // the last switch does (a non-recursive delete fails while another switch's directory is still there).
            if (Path.GetDirectoryName(_directory) is { } parent && !Directory.EnumerateFileSystemEntries(parent).Any())
            {
                Directory.Delete(parent);
            }
        }
        catch (IOException)
        {
            // Left under the temporary directory for the system to clean.
        }
    }

    /// <summary>One interface of the switch: its name in the namespace, the lab's end of its veth, stand-in and socket.</summary>
    private sealed class VethInterface(string name, string labEnd, DummyNetDev device, PacketSocket socket)
    {
        public string Name { get; } = name;

        public string LabEnd { get; } = labEnd;

        public DummyNetDev Device { get; } = device;

        public PacketSocket Socket { get; } = socket;

        /// <summary>Whether the lab's end of the veth is up (a plugged cable); both ends start up.</summary>
        public bool CarrierApplied { get; set; } = true;

        /// <summary>Whether the switch's interface is administratively up.</summary>
        public bool AdminApplied { get; set; } = true;
    }
}
