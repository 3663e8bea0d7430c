// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Data;

public sealed partial class Datum
{
    private const string TokenDelimiters = ":=, []{}!<>";

    /// <summary>
    /// Parses OVS's string syntax, as ovs-vsctl accepts it: atoms separated by commas or spaces, map pairs written
    /// <c>key=value</c>, optionally wrapped in <c>[...]</c> (sets) or <c>{...}</c> (maps); empty sets and maps must
    /// be written <c>[]</c> and <c>{}</c>. Strings may be bare or JSON-quoted. With <paramref name="symbols"/>,
    /// <c>@name</c> stands for a uuid. Errors are <see cref="OvsdbException"/>s whose details read like OVS's.
    /// </summary>
    public static Datum ParseOvsString(ColumnType type, string text, SymbolTable? symbols = null)
    {
        bool isMap = type.IsMap;
        int position = SkipSpaces(text, 0);
        char endDelimiter = '\0';
        if (position < text.Length && text[position] == (isMap ? '{' : '['))
        {
            endDelimiter = isMap ? '}' : ']';
            position = SkipSpaces(text, position + 1);
        }
        else if (position >= text.Length)
        {
            throw new OvsdbException("syntax error", isMap ? "use \"{}\" to specify the empty map" : "use \"[]\" to specify the empty set");
        }
        var keys = new List<Atom>();
        var values = isMap ? new List<Atom>() : null;
        while (position < text.Length && text[position] != endDelimiter)
        {
            if (TokenDelimiters.Contains(text[position]))
            {
                throw new OvsdbException("syntax error", $"{text}: unexpected \"{text[position]}\" parsing {type}");
            }
            int start = position;
            string keyToken = ReadToken(text, ref position);
            if (type.Key.Type == AtomType.Integer && TryParseRange(keyToken, type.Key, out List<Atom>? range))
            {
                // "A-B" stands for every integer from A to B, as ovs-vsctl accepts for sets such as trunks.
                keys.AddRange(range);
                if (isMap)
                {
                    throw new OvsdbException("syntax error", $"{text}: integer ranges are only allowed in sets");
                }
                position = SkipSpaces(text, position);
                if (position < text.Length && text[position] == ',')
                {
                    position = SkipSpaces(text, position + 1);
                }
                continue;
            }
            Atom key = Atom.ParseOvsString(keyToken, type.Key, symbols);
            if (isMap)
            {
                position = SkipSpaces(text, position);
                if (position >= text.Length || text[position] != '=')
                {
                    string at = position < text.Length ? text[position].ToString() : "";
                    throw new OvsdbException("syntax error", $"{text[start..]}: syntax error at \"{at}\" expecting \"=\"");
                }
                position = SkipSpaces(text, position + 1);
                string valueToken = ReadToken(text, ref position);
                values!.Add(Atom.ParseOvsString(valueToken, type.Value!, symbols));
            }
            keys.Add(key);
            position = SkipSpaces(text, position);
            if (position < text.Length && text[position] == ',')
            {
                position = SkipSpaces(text, position + 1);
            }
        }
        if (endDelimiter != '\0')
        {
            if (position >= text.Length)
            {
                throw new OvsdbException("syntax error", $"{text}: missing \"{endDelimiter}\" at end of data");
            }
            position = SkipSpaces(text, position + 1);
            if (position < text.Length)
            {
                throw new OvsdbException("syntax error", $"{text}: trailing garbage after \"{endDelimiter}\"");
            }
        }
        string unit = isMap ? "pair(s)" : "value(s)";
        if (keys.Count < type.Min)
        {
            throw new OvsdbException("syntax error", $"{text}: {keys.Count} {unit} specified but the minimum number is {type.Min}");
        }
        if (keys.Count > type.Max)
        {
            throw new OvsdbException("syntax error", $"{text}: {keys.Count} {unit} specified but the maximum number is {type.Max}");
        }
        try
        {
            return new Datum(type, [.. keys], values?.ToArray());
        }
        catch (OvsdbException)
        {
            throw new OvsdbException("syntax error", isMap ? $"{text}: map contains duplicate key" : $"{text}: set contains duplicate value");
        }
    }

    /// <summary>
    /// The datum in OVS's string syntax, as ovs-vsctl prints it: <c>{a=b, c=d}</c> for maps, <c>[1, 2]</c> for sets
    /// that may hold several elements, the bare atom for a scalar or a filled optional, and <c>[]</c> when empty.
    /// </summary>
    public string ToOvsString()
    {
        bool isMap = _values is not null;
        bool brackets = Type.Max > 1 || _keys.Length == 0;
        var text = new StringBuilder();
        if (brackets)
        {
            text.Append(isMap ? '{' : '[');
        }
        for (int i = 0; i < _keys.Length; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            text.Append(_keys[i].ToOvsString());
            if (isMap)
            {
                text.Append('=').Append(_values![i].ToOvsString());
            }
        }
        if (brackets)
        {
            text.Append(isMap ? '}' : ']');
        }
        return text.ToString();
    }

    /// <summary>The most integers one range may stand for.</summary>
    public const int MaxRangeSize = 4096;

    private static bool TryParseRange(string token, BaseType type, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out List<Atom>? range)
    {
        range = null;
        int dash = token.IndexOf('-', 1);
        if (dash < 0 || long.TryParse(token, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            return false;
        }
        if (!long.TryParse(token[..dash], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long first)
            || !long.TryParse(token[(dash + 1)..], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long last))
        {
            throw new OvsdbException("syntax error", $"\"{token}\" is not a valid integer or range");
        }
        if (last < first)
        {
            throw new OvsdbException("syntax error", $"\"{token}\" is not a valid range. Range end cannot be before start.");
        }
        if ((ulong)(last - first) >= MaxRangeSize)
        {
            throw OvsdbException.ConstraintViolation($"Range \"{first}-{last}\" is too big. Maximum allowed size is {MaxRangeSize}.");
        }
        range = [];
        for (long value = first; value <= last; value++)
        {
            Atom atom = Atom.FromInteger(value);
            type.CheckConstraints(atom);
            range.Add(atom);
        }
        return true;
    }

    /// <summary>
    /// The datum in OVS's "bare" form (ovs-vsctl --bare): elements separated by spaces, map pairs as key=value,
    /// strings never quoted, no brackets.
    /// </summary>
    public string ToBareString()
    {
        var text = new StringBuilder();
        for (int i = 0; i < _keys.Length; i++)
        {
            if (i > 0)
            {
                text.Append(' ');
            }
            text.Append(_keys[i].ToBareString());
            if (_values is not null)
            {
                text.Append('=').Append(_values[i].ToBareString());
            }
        }
        return text.ToString();
    }

    private static int SkipSpaces(string text, int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }
        return position;
    }

    /// <summary>Reads one token: up to an unquoted delimiter, honouring double quotes and backslash escapes.</summary>
    private static string ReadToken(string text, ref int position)
    {
        var token = new StringBuilder();
        bool inQuotes = false;
        int start = position;
        while (position < text.Length)
        {
            char c = text[position++];
            if (c == '\\')
            {
                if (inQuotes)
                {
                    token.Append('\\');
                }
                if (position >= text.Length)
                {
                    throw new OvsdbException("syntax error", $"{text[start..]}: backslash at end of argument");
                }
                token.Append(text[position++]);
            }
            else if (!inQuotes && (TokenDelimiters.Contains(c) || char.IsWhiteSpace(c)))
            {
                position--;
                break;
            }
            else
            {
                token.Append(c);
                if (c == '"')
                {
                    inQuotes = !inQuotes;
                }
            }
        }
        if (inQuotes)
        {
            throw new OvsdbException("syntax error", $"{text[start..]}: quoted string extends past end of argument");
        }
        return token.ToString();
    }
}
