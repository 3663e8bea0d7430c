// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Lab.Scenarios.Yaml;

namespace SharpSwitch.Lab.Scenarios;

/// <summary>
/// Collects located errors while a scenario is read, and offers typed readers for YAML nodes that report a
/// wrong shape or value at the node's position and return null. Reading goes on after an error, so one run of
/// the reader shows every problem in the file, not only the first.
/// </summary>
internal sealed class ScenarioDiagnostics(string sourceName)
{
    private readonly List<ScenarioError> _errors = [];

    /// <summary>The file name used in messages.</summary>
    public string SourceName { get; } = sourceName;

    /// <summary>The errors so far, in the order they were found.</summary>
    public IReadOnlyList<ScenarioError> Errors => _errors;

    /// <summary>True when at least one error was reported.</summary>
    public bool HasErrors => _errors.Count > 0;

    /// <summary>Records an error at a position.</summary>
    public void Report(SourcePosition position, string message)
    {
        _errors.Add(new ScenarioError(SourceName, position.Line, position.Column, message));
    }

    /// <summary>The errors sorted by position (stable for equal positions), as they are printed.</summary>
    public IReadOnlyList<ScenarioError> SortedErrors()
    {
        return _errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();
    }

    /// <summary>
    /// Opens a mapping for reading: reports a node that is not a mapping, and every key not in
    /// <paramref name="allowedKeys"/>. Returns null when the node is not a mapping.
    /// </summary>
    public MappingFields? Fields(YamlTreeNode node, string what, params string[] allowedKeys)
    {
        if (node is not YamlTreeMapping mapping)
        {
            Report(node.Position, $"{what} must be a mapping of keys to values, not {node.ShapeName}");
            return null;
        }
        foreach (KeyValuePair<YamlTreeScalar, YamlTreeNode> entry in mapping.Entries)
        {
            if (!allowedKeys.Contains(entry.Key.Text, StringComparer.Ordinal))
            {
                Report(entry.Key.Position, $"unknown key '{ScenarioValues.Shorten(entry.Key.Text)}' in {what} (expected {DescribeKeys(allowedKeys)})");
            }
        }
        return new MappingFields(this, mapping, what);
    }

    private static string DescribeKeys(string[] keys)
    {
        return keys.Length == 1 ? "'" + keys[0] + "'" : "one of " + string.Join(", ", keys.Select(k => "'" + k + "'"));
    }

    /// <summary>Reads a non-empty scalar.</summary>
    public string? String(YamlTreeNode node, string what)
    {
        if (node is not YamlTreeScalar scalar || scalar.IsNull)
        {
            Report(node.Position, $"{what} must be a value, not {node.ShapeName}");
            return null;
        }
        return scalar.Text;
    }

    /// <summary>Reads a name (node, bridge, port, interface) and checks its characters.</summary>
    public string? Name(YamlTreeNode node, string what)
    {
        string? text = String(node, what);
        if (text is null)
        {
            return null;
        }
        if (!ScenarioValues.IsValidName(text, out string error))
        {
            Report(node.Position, $"{what}: {error}");
            return null;
        }
        return text;
    }

    /// <summary>Reads a base-10 integer within [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public long? Integer(YamlTreeNode node, string what, long minimum, long maximum)
    {
        string? text = String(node, what);
        if (text is null)
        {
            return null;
        }
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            Report(node.Position, $"{what} must be a whole number, not '{ScenarioValues.Shorten(text)}'");
            return null;
        }
        if (value < minimum || value > maximum)
        {
            string range = maximum == long.MaxValue ? $"{minimum} or more" : $"from {minimum} to {maximum}";
            Report(node.Position, $"{what} must be {range}, not {value}");
            return null;
        }
        return value;
    }

    /// <summary>Reads <c>true</c> or <c>false</c>.</summary>
    public bool? Boolean(YamlTreeNode node, string what)
    {
        string? text = String(node, what);
        switch (text)
        {
            case null:
                return null;
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
            default:
                Report(node.Position, $"{what} must be true or false, not '{ScenarioValues.Shorten(text)}'");
                return null;
        }
    }

    /// <summary>Reads a duration such as <c>500ms</c>, <c>10s</c> or <c>1m</c>.</summary>
    public long? Duration(YamlTreeNode node, string what)
    {
        string? text = String(node, what);
        if (text is null)
        {
            return null;
        }
        if (!ScenarioValues.TryParseDuration(text, out long ms, out string error))
        {
            Report(node.Position, $"{what}: {error}");
            return null;
        }
        return ms;
    }

    /// <summary>Reads a <c>node:interface</c> endpoint.</summary>
    public Endpoint? Endpoint(YamlTreeNode node, string what)
    {
        string? text = String(node, what);
        if (text is null)
        {
            return null;
        }
        string[] parts = text.Split(':');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            Report(node.Position, $"{what} must be written NODE:INTERFACE (for example sw1:eno1), not '{ScenarioValues.Shorten(text)}'");
            return null;
        }
        foreach (string part in parts)
        {
            if (!ScenarioValues.IsValidName(part, out string error))
            {
                Report(node.Position, $"{what}: {error}");
                return null;
            }
        }
        return new Endpoint(parts[0], parts[1], node.Position);
    }

    /// <summary>Reads a list; a single value is not silently taken as a list of one.</summary>
    public IReadOnlyList<YamlTreeNode>? List(YamlTreeNode node, string what)
    {
        if (node is not YamlTreeSequence sequence)
        {
            Report(node.Position, $"{what} must be a list, not {node.ShapeName}");
            return null;
        }
        return sequence.Items;
    }

    /// <summary>Reads a map of string keys to scalar values (OVS's <c>other_config</c>).</summary>
    public IReadOnlyDictionary<string, (string Value, SourcePosition Position)>? StringMap(YamlTreeNode node, string what)
    {
        if (node is YamlTreeScalar { IsNull: true })
        {
            return new Dictionary<string, (string, SourcePosition)>();
        }
        if (node is not YamlTreeMapping mapping)
        {
            Report(node.Position, $"{what} must be a mapping of keys to values, not {node.ShapeName}");
            return null;
        }
        var map = new Dictionary<string, (string, SourcePosition)>(StringComparer.Ordinal);
        foreach (KeyValuePair<YamlTreeScalar, YamlTreeNode> entry in mapping.Entries)
        {
            if (entry.Value is not YamlTreeScalar value || value.IsNull)
            {
                Report(entry.Value.Position, $"{what}: the value of '{ScenarioValues.Shorten(entry.Key.Text)}' must be a value, not {entry.Value.ShapeName}");
                continue;
            }
            map[entry.Key.Text] = (value.Text, value.Position);
        }
        return map;
    }
}

/// <summary>The keys of one mapping, read one by one; missing required keys are reported at the mapping.</summary>
internal sealed class MappingFields(ScenarioDiagnostics diagnostics, YamlTreeMapping mapping, string what)
{
    /// <summary>The mapping being read.</summary>
    public YamlTreeMapping Mapping { get; } = mapping;

    /// <summary>Where the mapping starts.</summary>
    public SourcePosition Position => Mapping.Position;

    /// <summary>The value of an optional key, or null when absent.</summary>
    public YamlTreeNode? Optional(string key)
    {
        foreach (KeyValuePair<YamlTreeScalar, YamlTreeNode> entry in Mapping.Entries)
        {
            if (entry.Key.Text == key)
            {
                return entry.Value;
            }
        }
        return null;
    }

    /// <summary>The position of a key, when present.</summary>
    public SourcePosition? KeyPosition(string key)
    {
        foreach (KeyValuePair<YamlTreeScalar, YamlTreeNode> entry in Mapping.Entries)
        {
            if (entry.Key.Text == key)
            {
                return entry.Key.Position;
            }
        }
        return null;
    }

    /// <summary>The value of a required key; when absent, reports it and returns null.</summary>
    public YamlTreeNode? Required(string key)
    {
        YamlTreeNode? value = Optional(key);
        if (value is null)
        {
            diagnostics.Report(Mapping.Position, $"{what} is missing '{key}:'");
        }
        return value;
    }
}
