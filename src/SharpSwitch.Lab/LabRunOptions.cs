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
}
