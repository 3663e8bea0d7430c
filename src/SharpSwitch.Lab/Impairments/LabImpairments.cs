// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.NetDev;

namespace SharpSwitch.Lab.Impairments;

/// <summary>
/// Every impaired cable of a run. Only cables that some impairment names get a stage, so a scenario without
/// impairments runs exactly as before, on the cable's direct path. Whole-run impairments from <c>links:</c> are in
/// force from time 0; <c>impair</c> and <c>clear-impairments</c> events change them as the run goes.
/// </summary>
internal sealed class LabImpairments
{
    private readonly Dictionary<(string Node, string Interface), ImpairmentStage> _stageAt = [];
    private readonly List<ImpairmentStage> _stages = [];
    private readonly Func<string, string, DummyNetDev> _deviceOf;

    /// <summary>
    /// For each impair event with a <c>for:</c> window that is in force, the directions it changed and what each did
    /// before it, so the window's end can put them back.
    /// </summary>
    private readonly Dictionary<EventSpec, List<(ImpairedDirection Direction, ImpairmentSpec? Before)>> _windows = new(ReferenceEqualityComparer.Instance);

    public LabImpairments(Scenario scenario, Func<string, string, Cable> cableOf, Func<string, string, DummyNetDev> deviceOf)
    {
        _deviceOf = deviceOf;
        var impairedEnds = new HashSet<(string, string)>();
        foreach (EventSpec e in scenario.Events)
        {
            if (e.Action is EventAction.Impair or EventAction.ClearImpairments or EventAction.ImpairmentEnds)
            {
                impairedEnds.Add((e.Target.Node, e.Target.Interface));
            }
        }
        foreach (LinkSpec link in scenario.Topology.Links)
        {
            bool impaired = link.Impairments.Count > 0
                || impairedEnds.Contains((link.A.Node, link.A.Interface))
                || impairedEnds.Contains((link.B.Node, link.B.Interface));
            if (!impaired)
            {
                continue;
            }
            Cable cable = cableOf(link.A.Node, link.A.Interface);
            bool aIsFirst = ReferenceEquals(cable.EndA, deviceOf(link.A.Node, link.A.Interface));
            var stage = aIsFirst
                ? new ImpairmentStage(cable, link.A.ToString(), link.B.ToString(), scenario.Name)
                : new ImpairmentStage(cable, link.B.ToString(), link.A.ToString(), scenario.Name);
            _stages.Add(stage);
            _stageAt[(link.A.Node, link.A.Interface)] = stage;
            _stageAt[(link.B.Node, link.B.Interface)] = stage;
            foreach (LinkImpairmentSpec impairment in link.Impairments)
            {
                Configure(stage, impairment.From, impairment.Impairment);
            }
        }
    }

    /// <summary>True when no cable is impaired (the run needs none of this).</summary>
    public bool IsEmpty => _stages.Count == 0;

    /// <summary>The first lab millisecond at which an impaired cable must release a frame, or <see cref="long.MaxValue"/>.</summary>
    public long NextDueMs
    {
        get
        {
            long next = long.MaxValue;
            foreach (ImpairmentStage stage in _stages)
            {
                next = Math.Min(next, stage.NextDueMs);
            }
            return next;
        }
    }

    /// <summary>Moves every stage's clock to <paramref name="nowMs"/>, releasing the frames due by then.</summary>
    public void AdvanceTo(long nowMs)
    {
        foreach (ImpairmentStage stage in _stages)
        {
            stage.AdvanceTo(nowMs);
        }
    }

    /// <summary>Applies an <c>impair</c> or <c>clear-impairments</c> event.</summary>
    public void Apply(EventSpec e)
    {
        ImpairmentStage stage = _stageAt[(e.Target.Node, e.Target.Interface)];
        switch (e.Action)
        {
            case EventAction.Impair:
                if (e.ForMs is not null)
                {
                    _windows[e] = Directions(stage, e.From).Select(direction => (direction, direction.Spec)).ToList();
                }
                Configure(stage, e.From, e.Impairment);
                break;
            case EventAction.ClearImpairments:
                Configure(stage, e.From, null);
                break;
            case EventAction.ImpairmentEnds:
                if (e.EndsImpairment is { } started && _windows.Remove(started, out List<(ImpairedDirection Direction, ImpairmentSpec? Before)>? changed))
                {
                    foreach ((ImpairedDirection direction, ImpairmentSpec? before) in changed)
                    {
                        // A later impair or clear-impairments on this direction has the last word; the window's end
                        // only undoes what the window itself set.
                        if (ReferenceEquals(direction.Spec, started.Impairment))
                        {
                            direction.Configure(before, reseed: false);
                        }
                    }
                }
                break;
            default:
                throw new ArgumentException($"{e.ActionName} is not an impairment event", nameof(e));
        }
    }

    /// <summary>The cable at <paramref name="end"/> was pulled: frames on its wire are lost.</summary>
    public void OnUnplugged(Endpoint end)
    {
        if (_stageAt.TryGetValue((end.Node, end.Interface), out ImpairmentStage? stage))
        {
            stage.OnUnplugged();
        }
    }

    /// <summary>What each impaired direction did, in link order (first end's direction first).</summary>
    public IReadOnlyList<ImpairmentStatistics> Statistics()
    {
        var statistics = new List<ImpairmentStatistics>();
        foreach (ImpairmentStage stage in _stages)
        {
            statistics.Add(stage.FromA.Statistics());
            statistics.Add(stage.FromB.Statistics());
        }
        return statistics;
    }

    private IEnumerable<ImpairedDirection> Directions(ImpairmentStage stage, Endpoint? from) =>
        from is { } sender ? [stage.DirectionFrom(_deviceOf(sender.Node, sender.Interface))] : [stage.FromA, stage.FromB];

    private void Configure(ImpairmentStage stage, Endpoint? from, ImpairmentSpec? spec)
    {
        if (from is { } sender)
        {
            stage.DirectionFrom(_deviceOf(sender.Node, sender.Interface)).Configure(spec);
            return;
        }
        stage.FromA.Configure(spec);
        stage.FromB.Configure(spec);
    }
}
