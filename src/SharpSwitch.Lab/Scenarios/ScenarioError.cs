// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Lab.Scenarios;

/// <summary>A problem in a scenario file, located the way compilers print them: <c>FILE:LINE:COLUMN: message</c>.</summary>
/// <param name="SourceName">The file name as given to the reader.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Message">What is wrong, and where possible what would be right.</param>
public sealed record ScenarioError(string SourceName, int Line, int Column, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{SourceName}:{Line}:{Column}: {Message}";
}

/// <summary>The outcome of reading a scenario: either a valid <see cref="Scenario"/> or at least one error.</summary>
public sealed class ScenarioReadResult
{
    internal ScenarioReadResult(Scenario? scenario, IReadOnlyList<ScenarioError> errors)
    {
        Scenario = errors.Count == 0 ? scenario : null;
        Errors = errors;
    }

    /// <summary>The scenario, or null when <see cref="Errors"/> is not empty.</summary>
    public Scenario? Scenario { get; }

    /// <summary>The problems found, in file order; empty when the scenario is valid.</summary>
    public IReadOnlyList<ScenarioError> Errors { get; }

    /// <summary>True when the scenario can run.</summary>
    public bool Succeeded => Scenario is not null;
}
