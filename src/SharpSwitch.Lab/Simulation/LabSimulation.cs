// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Hosts;
using SharpSwitch.Lab.Impairments;
using SharpSwitch.Lab.RealInterfaces;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Traffic;
using SharpSwitch.NetDev;

namespace SharpSwitch.Lab.Simulation;

/// <summary>
/// Runs a scenario as a discrete-event simulation on a virtual millisecond clock. The clock jumps straight to the
/// next instant at which something can happen (a scheduled fault, a packet due, a switch timer), and at each instant
/// the order is fixed: faults in file order, switches and hosts until no frame is left in flight, traffic in flow
/// order, switches and hosts again. Nothing depends on wall time, so the same file always gives the same run.
/// </summary>
internal sealed class LabSimulation : IDisposable
{
    /// <summary>
    /// How many switch-and-host passes one instant may take before the lab decides frames are circling (a loop in the
    /// topology, which has no spanning tree) and discards them.
    /// </summary>
    public const int MaximumPassesPerInstant = 1000;

    private const ushort FirstUdpPort = 40000;

    private readonly Scenario _scenario;
    private readonly BondEventLog _log = new();
    private readonly LabTopology _topology;
    private readonly LabImpairments _impairments;
    private readonly List<TrafficSource> _sources = [];
    private readonly List<FlowLeg> _legs = [];
    private readonly List<long> _phaseStarts = [0];
    private readonly List<(string Label, DummyNetDev Device)> _sampled = [];
    private readonly List<string> _warnings = [];
    private readonly RunRecorder _recorder;
    private readonly WallClock? _wallClock;
    private readonly LabRunOptions _options;
    private int _phase;

    public LabSimulation(Scenario scenario, LabRunOptions? options = null)
    {
        _scenario = scenario;
        _options = options ?? LabRunOptions.None;
        // The inner events of a flap do not open phases (see EventSpec), so only events that do mark a phase start.
        foreach (long at in scenario.Events.Where(e => e.OpensPhase).Select(e => e.AtMs).Distinct())
        {
            _phaseStarts.Add(at);
        }
        _topology = new LabTopology(scenario, _log, (options ?? LabRunOptions.None).Switch);
        _impairments = new LabImpairments(scenario, _topology.CableOf, _topology.DeviceOf);
        _warnings.AddRange(_topology.Warnings);
        _recorder = new RunRecorder(scenario.DurationMs, _phaseStarts, options ?? LabRunOptions.None);
        _recorder.WatchTopology(scenario, _topology);
        CreateTraffic();
        ChooseSampledInterfaces();
        if (_topology.Kind == LabSwitchKind.RealInterfaces)
        {
            // Real interfaces cannot be paused: the run's clock starts once everything is built and follows wall time.
            _wallClock = new WallClock();
        }
    }

    /// <summary>Stops whatever the topology started outside this process (real OVS daemons).</summary>
    public void Dispose() => _topology.Dispose();

    public LabResult Run()
    {
        var phases = new List<PhaseResult>();
        InterfaceStatistics[] phaseStartCounters = SampleCounters();
        int nextEvent = 0;
        long now = 0;
        while (now < _scenario.DurationMs)
        {
            _wallClock?.WaitUntil(now);
            _impairments.AdvanceTo(now);
            _recorder.AdvanceTo(now);
            bool faultsApplied = false;
            if (nextEvent < _scenario.Events.Count && _scenario.Events[nextEvent].AtMs == now)
            {
                faultsApplied = true;
                if (_phase + 1 < _phaseStarts.Count && _phaseStarts[_phase + 1] == now)
                {
                    phases.Add(ClosePhase(now, phaseStartCounters));
                    phaseStartCounters = SampleCounters();
                    _phase++;
                }
                while (nextEvent < _scenario.Events.Count && _scenario.Events[nextEvent].AtMs == now)
                {
                    Apply(_scenario.Events[nextEvent], now);
                    nextEvent++;
                }
            }
            // Faults and due timers take effect before this instant's traffic is sent, as they would on a real switch
            // whose main loop noticed them first; an instant with neither needs no pass before the traffic.
            if (faultsApplied || now == 0 || TimersDue(now))
            {
                Settle(now);
            }
            foreach (TrafficSource source in _sources)
            {
                source.SendDue(now, _phase);
            }
            Settle(now);
            now = NextInstant(now, nextEvent);
        }
        _recorder.AdvanceTo(_scenario.DurationMs);
        Settle(_scenario.DurationMs);
        if (_wallClock is not null)
        {
            SettleInFlight(_wallClock);
        }
        phases.Add(ClosePhase(_scenario.DurationMs, phaseStartCounters));
        // A packet is charged to the phase it was sent in. One still on its way when that phase closed (held by an
        // impaired cable's delay, or crossing the veths and a real switch) may arrive in a later phase, so each
        // phase's deliveries are read again once the run is over: only packets that never arrived count as lost.
        for (int p = 0; p < phases.Count; p++)
        {
            phases[p] = phases[p] with { Legs = _legs.Select(leg => new LegSample(leg.Label, leg.Phase(p))).ToList() };
        }
        _options.BeforeRealTeardown?.Invoke(_topology.VethSwitches);
        IReadOnlyList<BondAnswer> answers = FailbackVerdict.Answer(_topology.Bonds, phases, _log.Entries);
        List<HostSample> hosts = _topology.Hosts
            .Select(h => new HostSample(h.Name, h.Counters.ArpRequestsSent, h.Counters.ArpRepliesSent, h.Counters.EchoRepliesSent, h.Counters.UnresolvedDropped, h.Counters.FramesIgnored))
            .ToList();
        return new LabResult(_scenario, phases, _log.Entries.ToList(), answers, _warnings, hosts)
        {
            Recording = _recorder.Finish(_log.Entries),
            Impairments = _impairments.Statistics(),
        };
    }

    private long NextInstant(long now, int nextEvent)
    {
        long next = _scenario.DurationMs;
        if (nextEvent < _scenario.Events.Count)
        {
            next = Math.Min(next, _scenario.Events[nextEvent].AtMs);
        }
        foreach (TrafficSource source in _sources)
        {
            next = Math.Min(next, source.NextSendMs);
        }
        foreach (ILabSwitch sw in _topology.Switches)
        {
            next = Math.Min(next, sw.NextWakeMs);
        }
        next = Math.Min(next, _impairments.NextDueMs);
        foreach (LabHost host in _topology.Hosts)
        {
            if (host.NextWakeMs is long wake)
            {
                next = Math.Min(next, wake);
            }
        }
        // A timer that is already due was served at this instant; time only moves forward.
        return Math.Max(next, now + 1);
    }

    private bool TimersDue(long now)
    {
        if (_impairments.NextDueMs <= now)
        {
            return true;
        }
        foreach (ILabSwitch sw in _topology.Switches)
        {
            if (sw.NextWakeMs <= now)
            {
                return true;
            }
        }
        foreach (LabHost host in _topology.Hosts)
        {
            if (host.NextWakeMs <= now)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// How long a run on real interfaces goes on reading after its last instant. A frame sent in the last
    /// millisecond is still crossing the veths and a switch that is another process when the scenario's time is up;
    /// without this it counted as lost (1 of 2000 frames in a 6 s run at 1000 frames a second).
    /// </summary>
    internal const long RealEndGraceMs = 100;

    // Real interfaces only: reads the hosts' ends (answering as hosts do, sending nothing new) until the grace after
    // the scenario's end has passed on the wall clock, so that frames still on the wire are delivered to their phase.
    private void SettleInFlight(WallClock clock)
    {
        long until = Math.Max(clock.ElapsedMs, _scenario.DurationMs) + RealEndGraceMs;
        while (clock.ElapsedMs < until)
        {
            Thread.Sleep(1);
            Settle(_scenario.DurationMs);
        }
    }

    private void Settle(long now)
    {
        for (int pass = 0; pass < MaximumPassesPerInstant; pass++)
        {
            // Frames an impaired cable releases at this instant join the pass like any other arrival.
            _impairments.AdvanceTo(now);
            foreach (ILabSwitch sw in _topology.Switches)
            {
                sw.Run(now);
            }
            foreach (LabHost host in _topology.Hosts)
            {
                host.Poll(now, _phase);
            }
            _topology.DrainUnattended();
            if (!_topology.HasPendingFrames() && _impairments.NextDueMs > now)
            {
                return;
            }
        }
        _warnings.Add($"{ScenarioValues.FormatSeconds(now)}: frames were still circling after {MaximumPassesPerInstant} forwarding passes (a loop in the topology?); the lab discarded them");
        _topology.DrainAll();
    }

    private void Apply(EventSpec e, long now)
    {
        _log.AddLabEvent(now, e.Description);
        switch (e.Action)
        {
            case EventAction.LinkDown:
                _topology.CableOf(e.Target.Node, e.Target.Interface).Unplug();
                _impairments.OnUnplugged(e.Target);
                break;
            case EventAction.LinkUp:
                _topology.CableOf(e.Target.Node, e.Target.Interface).Plug();
                break;
            case EventAction.AdminDown:
                _topology.DeviceOf(e.Target.Node, e.Target.Interface).SetAdminState(false);
                break;
            case EventAction.AdminUp:
                _topology.DeviceOf(e.Target.Node, e.Target.Interface).SetAdminState(true);
                break;
            case EventAction.Impair:
            case EventAction.ClearImpairments:
            case EventAction.ImpairmentEnds:
                _impairments.Apply(e);
                break;
            default:
                throw new InvalidOperationException("unknown event action");
        }
    }

    private PhaseResult ClosePhase(long endMs, InterfaceStatistics[] atStart)
    {
        InterfaceStatistics[] atEnd = SampleCounters();
        var interfaces = new List<InterfaceSample>();
        for (int i = 0; i < _sampled.Count; i++)
        {
            interfaces.Add(new InterfaceSample(_sampled[i].Label, atStart[i], atEnd[i]));
        }
        var legs = new List<LegSample>();
        foreach (FlowLeg leg in _legs)
        {
            leg.ClosePhase(_phase, endMs);
            legs.Add(new LegSample(leg.Label, leg.Phase(_phase)));
        }
        List<BondSample> bonds = _topology.Bonds.Select(b => new BondSample(b.Switch, b.Name, b.ActiveMember())).ToList();
        long startMs = _phaseStarts[_phase];
        List<EventSpec> opening = _phase == 0 ? [] : _scenario.Events.Where(e => e.AtMs == startMs && e.OpensPhase).ToList();
        return new PhaseResult(_phase, startMs, endMs, opening, interfaces, bonds, legs);
    }

    private InterfaceStatistics[] SampleCounters()
    {
        var counters = new InterfaceStatistics[_sampled.Count];
        for (int i = 0; i < _sampled.Count; i++)
        {
            counters[i] = _sampled[i].Device.Statistics;
        }
        return counters;
    }

    private void CreateTraffic()
    {
        int phaseCount = _phaseStarts.Count;
        Dictionary<string, LabHost> hosts = _topology.Hosts.ToDictionary(h => h.Name);
        for (int index = 0; index < _scenario.Traffic.Count; index++)
        {
            TrafficSpec flow = _scenario.Traffic[index];
            LabHost from = hosts[flow.From];
            LabHost to = hosts[flow.To];
            switch (flow)
            {
                case PingSpec ping:
                    {
                        var leg = new FlowLeg($"{ping.Name} {from.Name} -> {to.Name} (echo replies)", from.Name, from.Name, ping.StartMs, ping.StopMs, phaseCount, NextFlowId());
                        ushort identifier = (ushort)(index + 1);
                        from.Receive(leg);
                        _legs.Add(leg);
                        _recorder.TrackLeg(leg, FlowMatch.Ping(from.Ipv4Address, to.Ipv4Address, identifier));
                        _sources.Add(TrafficSource.Ping(leg, from, to.Ipv4Address, identifier, ping.PayloadBytes, ping.IntervalMs));
                        break;
                    }
                case UdpStreamSpec udp:
                    {
                        var forwardPort = (ushort)(FirstUdpPort + (2 * index));
                        AddUdpLeg($"{udp.Name} {from.Name} -> {to.Name}", udp, from, to, forwardPort, phaseCount);
                        if (udp.BothDirections)
                        {
                            AddUdpLeg($"{udp.Name} {to.Name} -> {from.Name}", udp, to, from, (ushort)(forwardPort + 1), phaseCount);
                        }
                        break;
                    }
                case TcpStreamSpec tcp:
                    {
                        AddTcpLeg(tcp, from, to, (ushort)(TcpSender.FirstSourcePort + index), phaseCount);
                        if (tcp.BothDirections)
                        {
                            AddTcpLeg(tcp, to, from, (ushort)(TcpSender.FirstReverseSourcePort + index), phaseCount);
                        }
                        break;
                    }
                default:
                    throw new InvalidOperationException("unknown traffic kind");
            }
        }
    }

    private void AddUdpLeg(string label, UdpStreamSpec udp, LabHost sender, LabHost receiver, ushort port, int phaseCount)
    {
        var leg = new FlowLeg(label, sender.Name, receiver.Name, udp.StartMs, udp.StopMs, phaseCount, NextFlowId(), udp.Flows);
        receiver.Receive(leg);
        _legs.Add(leg);
        _recorder.TrackLeg(leg, FlowMatch.Udp(sender.Ipv4Address, receiver.Ipv4Address, port));
        _sources.Add(TrafficSource.Udp(leg, sender, receiver.Ipv4Address, port, udp.FrameBytes, udp.RatePps));
    }

    /// <summary>One direction of a TCP-like stream: its own sender, receiver, 5-tuple and leg.</summary>
    private void AddTcpLeg(TcpStreamSpec tcp, LabHost sender, LabHost receiver, ushort sourcePort, int phaseCount)
    {
        var leg = new FlowLeg($"{tcp.Name} {sender.Name} -> {receiver.Name} (tcp)", sender.Name, receiver.Name, tcp.StartMs, tcp.StopMs, phaseCount, NextFlowId());
        receiver.ReceiveTcp(leg);
        _legs.Add(leg);
        var tcpSender = new TcpSender(leg, sender, receiver.Ipv4Address, sourcePort, TcpSender.ServerPort, tcp.FrameBytes, tcp.RatePps, tcp.Window, tcp.RtoMs);
        sender.SendTcpFrom(tcpSender);
        _recorder.TrackLeg(leg, FlowMatch.Tcp(sender.Ipv4Address, receiver.Ipv4Address, tcpSender.SourcePort));
        _sources.Add(TrafficSource.Tcp(tcpSender, sender));
    }

    /// <summary>The flow id of the next leg: legs are numbered from 1 in creation order, so every run numbers them alike.</summary>
    private uint NextFlowId() => (uint)(_legs.Count + 1);

    private void ChooseSampledInterfaces()
    {
        // The operator reads the bond members' counters, plus those of any interface a fault is aimed at.
        var seen = new HashSet<(string, string)>();
        void Add(string node, string interfaceName)
        {
            if (seen.Add((node, interfaceName)))
            {
                _sampled.Add(($"{node}:{interfaceName}", _topology.DeviceOf(node, interfaceName)));
            }
        }
        foreach (LabBond bond in _topology.Bonds)
        {
            foreach (string member in bond.Members)
            {
                Add(bond.Switch, member);
            }
        }
        foreach (EventSpec e in _scenario.Events)
        {
            Add(e.Target.Node, e.Target.Interface);
        }
        if (_sampled.Count == 0)
        {
            // Without bonds or faults, every switch interface with a cable is worth showing.
            foreach (LinkSpec link in _scenario.Topology.Links)
            {
                Add(link.A.Node, link.A.Interface);
                Add(link.B.Node, link.B.Interface);
            }
        }
    }
}
