// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Lab;

/// <summary>What a run should produce beyond its result.</summary>
public sealed class LabRunOptions
{
    /// <summary>The options of a plain run: no capture, no progress.</summary>
    public static LabRunOptions None { get; } = new();

    /// <summary>
    /// Where to write a pcapng capture of every lab interface (null for none). The stream is written in virtual-time
    /// order and flushed at the end of the run, but not closed.
    /// </summary>
    public Stream? Capture { get; init; }

    /// <summary>
    /// Called as virtual time advances with the current time and the scenario's duration, both in ms, so a front end
    /// can draw a progress bar. It is called often and must be cheap.
    /// </summary>
    public Action<long, long>? Progress { get; init; }

    /// <summary>Which switch runs the scenario's switch nodes: SharpSwitch in process (the default) or real Open vSwitch.</summary>
    public Simulation.LabSwitchKind Switch { get; init; }

    /// <summary>
    /// For tests of the real-interface mode: called once after the last phase has been closed and before the
    /// namespaces, veths and daemons are removed, with each switch node, so a test can read the kernel's and the
    /// database's own counters of the veths the lab's report was made from.
    /// </summary>
    internal Action<IReadOnlyList<RealInterfaces.VethSwitch>>? BeforeRealTeardown { get; init; }
}
