// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SharpSwitch.Lab.Compare;

/// <summary>Renders a comparison as one table for a person, or as JSON for scripts; both depend only on the runs.</summary>
public static class ComparisonReport
{
    /// <summary>The table: one column per varied key, then the figures; lines end with '\n'.</summary>
    public static string RenderText(ComparisonResult comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"SharpSwitch lab compare: {comparison.Scenario.Name} ({comparison.Scenario.SourceName}), {comparison.Runs.Count} run(s) of {Scenarios.ScenarioValues.FormatSeconds(comparison.Scenario.DurationMs)} virtual time\n");
        text.Append("gaps are the longest interruption of any flow (silence beyond its own packet spacing) from a switchover's cause to the bond's next switchover; '-' when there was none\n\n");
        var headers = comparison.Parameters.Select(p => p.Bond is null ? p.Key : $"{p.Bond}.{p.Key}").ToList();
        headers.AddRange(["failover gap (ms)", "failback gap (ms)", "lost", "switchovers", "final active"]);
        var rows = comparison.Runs.Select(run =>
        {
            var cells = run.Values.ToList();
            cells.Add(Ms(run.FailoverGapMs));
            cells.Add(Ms(run.FailbackGapMs));
            cells.Add(run.Lost.ToString(CultureInfo.InvariantCulture));
            cells.Add(run.Switchovers.ToString(CultureInfo.InvariantCulture));
            cells.Add(FinalActive(run));
            return cells;
        }).ToList();
        int[] widths = headers.Select((h, c) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length))).ToArray();
        int valueColumns = comparison.Parameters.Count;
        AppendRow(text, headers, widths, valueColumns);
        foreach (List<string> row in rows)
        {
            AppendRow(text, row, widths, valueColumns);
        }
        return text.ToString();
    }

    /// <summary>The same as JSON: the parameters, then one object per run; a newline at the end.</summary>
    public static string RenderJson(ComparisonResult comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("name", comparison.Scenario.Name);
            json.WriteString("source", comparison.Scenario.SourceName);
            json.WriteNumber("duration_ms", comparison.Scenario.DurationMs);
            json.WriteStartArray("vary");
            foreach (VaryParameter parameter in comparison.Parameters)
            {
                json.WriteStartObject();
                json.WriteString("key", parameter.Key);
                if (parameter.Bond is null)
                {
                    json.WriteNull("bond");
                }
                else
                {
                    json.WriteString("bond", parameter.Bond);
                }
                json.WriteStartArray("values");
                foreach (string value in parameter.Values)
                {
                    json.WriteStringValue(value);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("runs");
            foreach (ComparisonRun run in comparison.Runs)
            {
                json.WriteStartObject();
                json.WriteStartArray("values");
                foreach (string value in run.Values)
                {
                    json.WriteStringValue(value);
                }
                json.WriteEndArray();
                WriteNumberOrNull(json, "failover_gap_ms", run.FailoverGapMs);
                WriteNumberOrNull(json, "failback_gap_ms", run.FailbackGapMs);
                json.WriteNumber("lost", run.Lost);
                json.WriteNumber("switchovers", run.Switchovers);
                json.WriteStartObject("final_active");
                foreach (KeyValuePair<string, string?> bond in run.FinalActive)
                {
                    if (bond.Value is null)
                    {
                        json.WriteNull(bond.Key);
                    }
                    else
                    {
                        json.WriteString(bond.Key, bond.Value);
                    }
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void AppendRow(StringBuilder text, IReadOnlyList<string> cells, int[] widths, int valueColumns)
    {
        var line = new StringBuilder();
        for (int c = 0; c < cells.Count; c++)
        {
            if (c > 0)
            {
                line.Append("  ");
            }
            // Values and the member name read as words; the figures line up on the right.
            bool left = c < valueColumns || c == cells.Count - 1;
            line.Append(left ? cells[c].PadRight(widths[c]) : cells[c].PadLeft(widths[c]));
        }
        text.Append(line.ToString().TrimEnd()).Append('\n');
    }

    private static string FinalActive(ComparisonRun run)
    {
        if (run.FinalActive.Count == 1)
        {
            return run.FinalActive[0].Value ?? "none";
        }
        return string.Join(", ", run.FinalActive.Select(b => $"{b.Key}={b.Value ?? "none"}"));
    }

    private static string Ms(long? value) => value is long ms ? ms.ToString(CultureInfo.InvariantCulture) : "-";

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, long? value)
    {
        if (value is long number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
