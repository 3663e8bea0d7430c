// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using SharpSwitch.Lab.Scenarios.Yaml;

namespace SharpSwitch.Lab.Scenarios;

/// <summary>
/// Reads scenario files. A file is read in three steps, each of which only reports located errors: YAML into a
/// tree (<see cref="YamlTreeParser"/>), the tree into scenario records (shapes, types, units, unknown keys), and the
/// records against each other (<see cref="ScenarioValidator"/>: names that must exist, cables, addresses, times).
/// Nothing of a scenario runs unless all three succeed.
/// </summary>
public static partial class ScenarioReader
{
    /// <summary>The largest scenario file accepted; real ones are a few kilobytes.</summary>
    public const int MaximumFileBytes = 1 << 20;

    /// <summary>Reads and validates the scenario in <paramref name="path"/>; a file that cannot be read is an error too.</summary>
    public static ScenarioReadResult ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return Failure(path, "no such file");
            }
            if (info.Length > MaximumFileBytes)
            {
                return Failure(path, $"the file is larger than {MaximumFileBytes} bytes; is it really a scenario?");
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Failure(path, "cannot read the file: " + ex.Message);
        }
        return Parse(bytes, path);
    }

    /// <summary>Reads and validates a scenario from UTF-8 bytes; <paramref name="sourceName"/> names it in errors.</summary>
    public static ScenarioReadResult Parse(ReadOnlySpan<byte> utf8, string sourceName)
    {
        if (utf8.Length > MaximumFileBytes)
        {
            return Failure(sourceName, $"the file is larger than {MaximumFileBytes} bytes; is it really a scenario?");
        }
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            return Failure(sourceName, "the file is not valid UTF-8 text");
        }
        return Parse(text, sourceName);
    }

    /// <summary>Reads and validates a scenario from text; <paramref name="sourceName"/> names it in errors.</summary>
    public static ScenarioReadResult Parse(string text, string sourceName)
    {
        var diagnostics = new ScenarioDiagnostics(sourceName);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            diagnostics.Report(SourcePosition.FileStart, "the file contains NUL characters; is it really a scenario?");
            return new ScenarioReadResult(null, diagnostics.Errors);
        }
        YamlTreeNode? root = YamlTreeParser.Parse(text.TrimStart('\uFEFF'), out YamlTreeError? yamlError);
        if (root is null)
        {
            YamlTreeError error = yamlError!;
            diagnostics.Report(error.Position, error.Message);
            return new ScenarioReadResult(null, diagnostics.Errors);
        }
        Scenario? scenario = ReadScenario(root, diagnostics);
        if (scenario is not null && !diagnostics.HasErrors)
        {
            ScenarioValidator.Validate(scenario, diagnostics);
        }
        return new ScenarioReadResult(diagnostics.HasErrors ? null : scenario, diagnostics.SortedErrors());
    }

    private static ScenarioReadResult Failure(string sourceName, string message)
    {
        return new ScenarioReadResult(null, [new ScenarioError(sourceName, 1, 1, message)]);
    }

    private static Scenario? ReadScenario(YamlTreeNode root, ScenarioDiagnostics d)
    {
        MappingFields? fields = d.Fields(root, "the scenario", "name", "description", "duration", "topology", "traffic", "events");
        if (fields is null)
        {
            return null;
        }
        string? name = fields.Required("name") is { } nameNode ? d.Name(nameNode, "name") : null;
        if (fields.Optional("description") is { } descriptionNode)
        {
            d.String(descriptionNode, "description");
        }
        long? durationMs = fields.Required("duration") is { } durationNode ? d.Duration(durationNode, "duration") : null;
        if (durationMs == 0)
        {
            d.Report(fields.Optional("duration")!.Position, "duration must be longer than 0ms");
        }
        ScenarioTopology? topology = fields.Required("topology") is { } topologyNode ? ReadTopology(topologyNode, d) : null;
        IReadOnlyList<TrafficSpec> traffic = fields.Optional("traffic") is { } trafficNode ? ReadTraffic(trafficNode, durationMs ?? 0, d) : [];
        IReadOnlyList<EventSpec> events = fields.Optional("events") is { } eventsNode ? ReadEvents(eventsNode, durationMs ?? 0, d) : [];
        if (name is null || durationMs is null || topology is null || d.HasErrors)
        {
            return null;
        }
        List<EventSpec> ordered = events.Select((e, i) => (e, i)).OrderBy(p => p.e.AtMs).ThenBy(p => p.i).Select(p => p.e).ToList();
        return new Scenario(d.SourceName, name, durationMs.Value, topology, traffic, ordered);
    }
}
