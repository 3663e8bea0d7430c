// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>
/// An argument of the form <c>COLUMN[:KEY][OPERATOR VALUE]</c>, split the way ovs-vsctl splits it: the column and
/// key are tokens (bare, or double-quoted JSON strings) that end at one of <c>:=, []{}!&lt;&gt;</c>, and the operator
/// is the longest one that matches.
/// </summary>
internal sealed record ColumnArgument(string Column, string? Key, string? Operator, string? Value)
{
    /// <summary>The comparison operators of <c>find</c> and <c>wait-until</c>, as ovs-vsctl lists them.</summary>
    public static readonly string[] RelationalOperators = ["=", "!=", "<", ">", "<=", ">=", "{=}", "{!=}", "{<}", "{>}", "{<=}", "{>=}", "{in}", "{not-in}"];

    private const string Delimiters = ":=, []{}!<>";

    /// <summary>Parses <paramref name="text"/>; <paramref name="operators"/> null means no value is expected.</summary>
    public static ColumnArgument Parse(string text, IReadOnlyList<string>? operators)
    {
        int position = 0;
        string column = ReadToken(text, ref position);
        if (column.Length == 0)
        {
            throw new VsctlException($"{text}: missing column name");
        }
        string? key = null;
        if (position < text.Length && text[position] == ':')
        {
            position++;
            key = ReadToken(text, ref position);
        }
        if (operators is null)
        {
            if (position < text.Length)
            {
                throw new VsctlException($"{text}: trailing garbage \"{text[position..]}\" in argument");
            }
            return new ColumnArgument(column, key, null, null);
        }
        string? best = null;
        foreach (string candidate in operators)
        {
            if (string.CompareOrdinal(text, position, candidate, 0, candidate.Length) == 0 && (best is null || candidate.Length > best.Length))
            {
                best = candidate;
            }
        }
        if (best is null)
        {
            throw new VsctlException($"{text}: argument does not end in {DescribeOperators(operators)} followed by a value.");
        }
        return new ColumnArgument(column, key, best, text[(position + best.Length)..]);
    }

    private static string DescribeOperators(IReadOnlyList<string> operators)
    {
        if (operators.Count == 1)
        {
            return $"\"{operators[0]}\"";
        }
        var text = new StringBuilder();
        for (int i = 0; i < operators.Count; i++)
        {
            if (i > 0)
            {
                text.Append(i == operators.Count - 1 ? ", or " : ", ");
            }
            text.Append('"').Append(operators[i]).Append('"');
        }
        return text.ToString();
    }

    private static string ReadToken(string text, ref int position)
    {
        if (position < text.Length && text[position] == '"')
        {
            int start = position;
            position++;
            while (position < text.Length && text[position] != '"')
            {
                position += text[position] == '\\' ? 2 : 1;
            }
            position = Math.Min(position + 1, text.Length);
            try
            {
                return System.Text.Json.JsonSerializer.Deserialize<string>(text[start..position]) ?? "";
            }
            catch (System.Text.Json.JsonException)
            {
                throw new VsctlException($"{text[start..]}: invalid quoted string");
            }
        }
        int begin = position;
        while (position < text.Length && !Delimiters.Contains(text[position]))
        {
            position++;
        }
        return text[begin..position];
    }
}
