// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab;

/// <summary>Runs validated scenarios under virtual time.</summary>
public static class LabRunner
{
    /// <summary>
    /// Builds the scenario's topology, drives its traffic and faults on a virtual clock, and returns what happened.
    /// The same scenario always gives the same result.
    /// </summary>
    public static LabResult Run(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        using var simulation = new LabSimulation(scenario);
        return simulation.Run();
    }

    /// <summary>Runs <paramref name="scenario"/> as <see cref="Run(Scenario)"/> does, also writing a capture or reporting progress as <paramref name="options"/> ask.</summary>
    public static LabResult Run(Scenario scenario, LabRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(options);
        using var simulation = new LabSimulation(scenario, options);
        return simulation.Run();
    }
}
