// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Data;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>
/// A table of cells printed in one of ovs-vsctl's output formats (list, table, csv, json, html). Cells keep both
/// their string and JSON forms so that <c>--data</c> can choose between them at print time.
/// </summary>
internal sealed class OutputTable(IReadOnlyList<string> headings)
{
    private readonly List<Cell[]> _rows = [];

    /// <summary>One cell: a datum, or a bare uuid (for <c>_uuid</c>).</summary>
    internal sealed record Cell(Datum Value);

    public void AddRow(IEnumerable<Datum> cells)
    {
        _rows.Add([.. cells.Select(c => new Cell(c))]);
    }

    public void Write(StringBuilder output, VsctlSettings settings)
    {
        CellFormat data = settings.EffectiveData;
        switch (settings.Format)
        {
            case TableFormat.List:
                WriteList(output, settings, data);
                break;
            case TableFormat.Table:
                WriteTable(output, settings, data);
                break;
            case TableFormat.Csv:
                WriteCsv(output, settings, data);
                break;
            case TableFormat.Json:
                WriteJson(output, settings, data);
                break;
            case TableFormat.Html:
                WriteHtml(output, settings, data);
                break;
        }
    }

    private static string Text(Cell cell, CellFormat data)
    {
        return data switch
        {
            CellFormat.Bare => Bare(cell.Value),
            CellFormat.Json => Ovsdb.Data.JsonText.Compact(cell.Value.ToJson()),
            _ => cell.Value.ToOvsString(),
        };
    }

    /// <summary>The bare form: elements separated by spaces, map pairs as key=value, strings unquoted.</summary>
    private static string Bare(Datum value)
    {
        var text = new StringBuilder();
        for (int i = 0; i < value.Count; i++)
        {
            if (i > 0)
            {
                text.Append(' ');
            }
            text.Append(BareAtom(value.Keys[i]));
            if (value.IsMap)
            {
                text.Append('=').Append(BareAtom(value.Values![i]));
            }
        }
        return text.ToString();
    }

    private static string BareAtom(Atom atom)
    {
        return atom.Type == Ovsdb.Schema.AtomType.String ? atom.String : atom.ToOvsString();
    }

    private void WriteList(StringBuilder output, VsctlSettings settings, CellFormat data)
    {
        for (int r = 0; r < _rows.Count; r++)
        {
            if (r > 0)
            {
                output.Append('\n');
            }
            for (int c = 0; c < headings.Count; c++)
            {
                if (!settings.NoHeadings)
                {
                    output.Append(headings[c].PadRight(20)).Append(": ");
                }
                output.Append(Text(_rows[r][c], data)).Append('\n');
            }
        }
    }

    private void WriteTable(StringBuilder output, VsctlSettings settings, CellFormat data)
    {
        List<string[]> texts = [.. _rows.Select(row => row.Select(cell => Text(cell, data)).ToArray())];
        int[] widths = new int[headings.Count];
        for (int c = 0; c < headings.Count; c++)
        {
            widths[c] = settings.NoHeadings ? 0 : headings[c].Length;
            foreach (string[] row in texts)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }
        if (!settings.NoHeadings)
        {
            WriteTableLine(output, headings, widths);
            WriteTableLine(output, [.. widths.Select(w => new string('-', w))], widths);
        }
        foreach (string[] row in texts)
        {
            WriteTableLine(output, row, widths);
        }
    }

    private static void WriteTableLine(StringBuilder output, IReadOnlyList<string> cells, int[] widths)
    {
        var line = new StringBuilder();
        for (int c = 0; c < cells.Count; c++)
        {
            if (c > 0)
            {
                line.Append(' ');
            }
            line.Append(c == cells.Count - 1 ? cells[c] : cells[c].PadRight(widths[c]));
        }
        output.Append(line.ToString().TrimEnd(' ')).Append('\n');
    }

    private void WriteCsv(StringBuilder output, VsctlSettings settings, CellFormat data)
    {
        if (!settings.NoHeadings)
        {
            output.Append(string.Join(',', headings.Select(CsvEscape))).Append('\n');
        }
        foreach (Cell[] row in _rows)
        {
            output.Append(string.Join(',', row.Select(cell => CsvEscape(Text(cell, data))))).Append('\n');
        }
    }

    private static string CsvEscape(string text)
    {
        if (text.IndexOfAny(['"', ',', ' ', '\t', '\r', '\n']) < 0)
        {
            return text;
        }
        return "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private void WriteJson(StringBuilder output, VsctlSettings settings, CellFormat data)
    {
        var rows = new JsonArray();
        foreach (Cell[] row in _rows)
        {
            var cells = new JsonArray();
            foreach (Cell cell in row)
            {
                cells.Add(data == CellFormat.Json ? cell.Value.ToJson() : JsonValue.Create(Text(cell, data)));
            }
            rows.Add((JsonNode)cells);
        }
        var document = new JsonObject { ["data"] = rows };
        if (!settings.NoHeadings)
        {
            document["headings"] = new JsonArray([.. headings.Select(h => JsonValue.Create(h))]);
        }
        output.Append(settings.Pretty
            ? document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            : Ovsdb.Data.JsonText.Compact(document)).Append('\n');
    }

    private void WriteHtml(StringBuilder output, VsctlSettings settings, CellFormat data)
    {
        output.Append("<table>\n");
        if (!settings.NoHeadings)
        {
            output.Append("  <tr>\n");
            foreach (string heading in headings)
            {
                output.Append("    <th>").Append(HtmlEscape(heading)).Append("</th>\n");
            }
            output.Append("  </tr>\n");
        }
        foreach (Cell[] row in _rows)
        {
            output.Append("  <tr>\n");
            foreach (Cell cell in row)
            {
                output.Append("    <td>").Append(HtmlEscape(Text(cell, data))).Append("</td>\n");
            }
            output.Append("  </tr>\n");
        }
        output.Append("</table>\n");
    }

    private static string HtmlEscape(string text)
    {
        return text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
    }
}
