// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Data;

/// <summary>
/// One OVSDB value of an atomic type. Atoms order the way OVS orders them (numbers numerically, false before
/// true, strings by their UTF-8 bytes, uuids by their text), which fixes the canonical order of sets and maps.
/// </summary>
// The payload fields share their storage: an atom holds one value of one type, so the integer (or boolean), the
// real and the uuid overlap at offset 0 and only the reference to a string needs a field of its own. That makes an
// atom 32 bytes instead of 48, and a database is mostly atoms (every set and map element is one).
[StructLayout(LayoutKind.Explicit)]
public readonly struct Atom : IEquatable<Atom>, IComparable<Atom>
{
    [FieldOffset(0)]
    private readonly long _integer;

    [FieldOffset(0)]
    private readonly double _real;

    [FieldOffset(0)]
    private readonly Guid _uuid;

    [FieldOffset(16)]
    private readonly string? _string;

    [FieldOffset(24)]
    private readonly AtomType _type;

    private Atom(AtomType type, long integer, double real, string? text, Guid uuid)
    {
        // Every payload field is written, the one that belongs to the type last, so that the bytes of the others
        // never leak into it.
        _uuid = Guid.Empty;
        _integer = 0;
        _real = 0;
        switch (type)
        {
            case AtomType.Integer or AtomType.Boolean:
                _integer = integer;
                break;
            case AtomType.Real:
                _real = real;
                break;
            case AtomType.Uuid:
                _uuid = uuid;
                break;
            default:
                break;
        }
        _string = text;
        _type = type;
    }

    /// <summary>The atomic type of this atom.</summary>
    public AtomType Type => _type;

    /// <summary>The value of an integer atom.</summary>
    public long Integer => _type is AtomType.Integer or AtomType.Boolean ? _integer : 0;

    /// <summary>The value of a real atom.</summary>
    public double Real => _type == AtomType.Real ? _real : 0;

    /// <summary>The value of a boolean atom.</summary>
    public bool Boolean => Integer != 0;

    /// <summary>The value of a string atom.</summary>
    public string String => _string ?? "";

    /// <summary>The value of a uuid atom.</summary>
    public Guid Uuid => _type == AtomType.Uuid ? _uuid : Guid.Empty;

    /// <summary>An integer atom.</summary>
    public static Atom FromInteger(long value) => new(AtomType.Integer, value, 0, null, Guid.Empty);

    /// <summary>A real atom. Negative zero becomes zero, as in OVS.</summary>
    public static Atom FromReal(double value) => new(AtomType.Real, 0, value == 0 ? 0.0 : value, null, Guid.Empty);

    /// <summary>A boolean atom.</summary>
    public static Atom FromBoolean(bool value) => new(AtomType.Boolean, value ? 1 : 0, 0, null, Guid.Empty);

    /// <summary>A string atom.</summary>
    public static Atom FromString(string value) => new(AtomType.String, 0, 0, value, Guid.Empty);

    /// <summary>A uuid atom.</summary>
    public static Atom FromUuid(Guid value) => new(AtomType.Uuid, 0, 0, null, value);

    /// <summary>The default atom of a type: 0, 0.0, false, "" or the all-zero uuid.</summary>
    public static Atom DefaultFor(AtomType type) => type switch
    {
        AtomType.Integer => FromInteger(0),
        AtomType.Real => FromReal(0),
        AtomType.Boolean => FromBoolean(false),
        AtomType.String => FromString(""),
        _ => FromUuid(Guid.Empty),
    };

    /// <summary>True when this atom is its type's default.</summary>
    public bool IsDefault => Equals(DefaultFor(Type));

    /// <summary>Parses an atom from JSON and checks its constraints. Named uuids resolve through <paramref name="symbols"/>.</summary>
    public static Atom FromJson(JsonElement json, BaseType type, SymbolTable? symbols)
    {
        Atom atom = FromJsonUnchecked(json, type, symbols);
        type.CheckConstraints(atom);
        return atom;
    }

    private static Atom FromJsonUnchecked(JsonElement json, BaseType type, SymbolTable? symbols)
    {
        switch (type.Type)
        {
            case AtomType.Integer:
                if (JsonText.IsIntegerToken(json))
                {
                    if (json.TryGetInt64(out long integer))
                    {
                        return FromInteger(integer);
                    }
                    throw OvsdbException.SyntaxError(JsonText.Sorted(json), "integer out of range");
                }
                break;
            case AtomType.Real:
                if (json.ValueKind == JsonValueKind.Number)
                {
                    double real = json.GetDouble();
                    if (double.IsFinite(real))
                    {
                        return FromReal(real);
                    }
                    throw OvsdbException.SyntaxError(JsonText.Sorted(json), "real number out of range");
                }
                break;
            case AtomType.Boolean:
                if (json.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    return FromBoolean(json.ValueKind == JsonValueKind.True);
                }
                break;
            case AtomType.String:
                if (json.ValueKind == JsonValueKind.String)
                {
                    return FromString(JsonText.GetStringChecked(json));
                }
                break;
            case AtomType.Uuid:
                return FromUuid(ParseUuidJson(json, symbols, type));
        }
        throw OvsdbException.SyntaxError(JsonText.Sorted(json), "expected " + type.Type.ToName());
    }

    private static Guid ParseUuidJson(JsonElement json, SymbolTable? symbols, BaseType type)
    {
        if (json.ValueKind == JsonValueKind.Array && json.GetArrayLength() == 2 && json[0].ValueKind == JsonValueKind.String
            && json[1].ValueKind == JsonValueKind.String)
        {
            string kind = JsonText.GetStringChecked(json[0]);
            string value = JsonText.GetStringChecked(json[1]);
            if (kind == "uuid")
            {
                if (!TryParseUuid(value, out Guid uuid))
                {
                    throw OvsdbException.SyntaxError(JsonText.Sorted(json), $"\"{value}\" is not a valid UUID");
                }
                return uuid;
            }
            if (kind == "named-uuid" && symbols is not null)
            {
                if (!Identifiers.IsId(value))
                {
                    throw OvsdbException.SyntaxError(JsonText.Sorted(json), "named-uuid string is not a valid <id>");
                }
                return symbols.Reference(value, type);
            }
        }
        throw OvsdbException.SyntaxError(JsonText.Sorted(json), "expected [\"uuid\", <string>]");
    }

    /// <summary>Parses the 36-character RFC 4122 text form.</summary>
    public static bool TryParseUuid(string text, out Guid uuid)
    {
        if (text.Length != 36)
        {
            uuid = Guid.Empty;
            return false;
        }
        return Guid.TryParseExact(text, "D", out uuid);
    }

    /// <summary>The atom as JSON: a number, boolean, string, or <c>["uuid","..."]</c>.</summary>
    public JsonNode ToJson() => Type switch
    {
        AtomType.Integer => JsonValue.Create(_integer),
        AtomType.Real => JsonValue.Create(_real),
        AtomType.Boolean => JsonValue.Create(Boolean),
        AtomType.String => LongJsonString.CreateNode(String),
        _ => new JsonArray("uuid", _uuid.ToString("D")),
    };

    /// <summary>Writes the atom as JSON.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        switch (Type)
        {
            case AtomType.Integer:
                writer.WriteNumberValue(_integer);
                break;
            case AtomType.Real:
                writer.WriteNumberValue(_real);
                break;
            case AtomType.Boolean:
                writer.WriteBooleanValue(Boolean);
                break;
            case AtomType.String:
                LongJsonString.Write(writer, String);
                break;
            default:
                writer.WriteStartArray();
                writer.WriteStringValue("uuid");
                writer.WriteStringValue(_uuid.ToString("D"));
                writer.WriteEndArray();
                break;
        }
    }

    /// <summary>The atom in OVS's string syntax (as ovs-vsctl prints it): strings quoted only when needed.</summary>
    public string ToOvsString() => Type switch
    {
        AtomType.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        AtomType.Real => FormatReal(_real),
        AtomType.Boolean => Boolean ? "true" : "false",
        AtomType.String => NeedsQuotes(String) ? JsonText.Compact(JsonValue.Create(String)) : String,
        _ => _uuid.ToString("D"),
    };

    /// <summary>The atom in OVS's bare form: like <see cref="ToOvsString"/> but strings are never quoted.</summary>
    public string ToBareString() => Type == AtomType.String ? String : ToOvsString();

    /// <summary>Formats a real the way C's <c>%.15g</c> does.</summary>
    public static string FormatReal(double value)
    {
        string text = value.ToString("G15", CultureInfo.InvariantCulture);
        return text.Replace("E+", "e+", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal);
    }

    /// <summary>
    /// A string needs quotes unless it looks like an identifier (a letter or underscore, then letters, digits,
    /// underscores, dashes and dots) and cannot be mistaken for a boolean or a uuid.
    /// </summary>
    internal static bool NeedsQuotes(string text)
    {
        if (text.Length == 0 || !(char.IsAsciiLetter(text[0]) || text[0] == '_'))
        {
            return true;
        }
        foreach (char c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return true;
            }
        }
        return text is "true" or "false" || TryParseUuid(text, out _);
    }

    /// <summary>Compares two strings by Unicode code point, which is the order of their UTF-8 bytes (strcmp in OVS).</summary>
    internal static int CompareUtf8(string a, string b)
    {
        int length = Math.Min(a.Length, b.Length);
        for (int i = 0; i < length; i++)
        {
            char x = a[i];
            char y = b[i];
            if (x == y)
            {
                continue;
            }
            // Surrogates encode code points above U+FFFF, which sort after every BMP character in UTF-8.
            bool xs = char.IsSurrogate(x);
            bool ys = char.IsSurrogate(y);
            if (xs != ys)
            {
                return xs ? 1 : -1;
            }
            return x < y ? -1 : 1;
        }
        return a.Length.CompareTo(b.Length);
    }

    /// <inheritdoc/>
    public int CompareTo(Atom other)
    {
        if (Type != other.Type)
        {
            return Type.CompareTo(other.Type);
        }
        return Type switch
        {
            AtomType.Integer or AtomType.Boolean => _integer.CompareTo(other._integer),
            AtomType.Real => _real < other._real ? -1 : _real > other._real ? 1 : 0,
            AtomType.String => CompareUtf8(String, other.String),
            _ => _uuid.CompareTo(other._uuid),
        };
    }

    /// <inheritdoc/>
    public bool Equals(Atom other) => CompareTo(other) == 0;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Atom other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Type switch
    {
        AtomType.Integer or AtomType.Boolean => HashCode.Combine(Type, _integer),
        AtomType.Real => HashCode.Combine(Type, _real),
        AtomType.String => HashCode.Combine(Type, String),
        _ => HashCode.Combine(Type, _uuid),
    };

    /// <summary>Equality operator.</summary>
    public static bool operator ==(Atom left, Atom right) => left.Equals(right);

    /// <summary>Inequality operator.</summary>
    public static bool operator !=(Atom left, Atom right) => !left.Equals(right);

    /// <summary>Ordering operator.</summary>
    public static bool operator <(Atom left, Atom right) => left.CompareTo(right) < 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator >(Atom left, Atom right) => left.CompareTo(right) > 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator <=(Atom left, Atom right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator >=(Atom left, Atom right) => left.CompareTo(right) >= 0;

    /// <inheritdoc/>
    public override string ToString() => ToOvsString();

    /// <summary>Parses one token of OVS string syntax (already split out by the datum parser) as an atom of <paramref name="type"/>.</summary>
    public static Atom ParseOvsString(string token, BaseType type, SymbolTable? symbols = null)
    {
        Atom atom = ParseOvsStringUnchecked(token, type, symbols);
        type.CheckConstraints(atom);
        return atom;
    }

    private static Atom ParseOvsStringUnchecked(string token, BaseType type, SymbolTable? symbols)
    {
        switch (type.Type)
        {
            case AtomType.Integer:
                if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
                {
                    return FromInteger(integer);
                }
                throw new OvsdbException("syntax error", $"\"{token}\" is not a valid integer");
            case AtomType.Real:
                if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double real) && double.IsFinite(real))
                {
                    return FromReal(real);
                }
                throw new OvsdbException("syntax error", $"\"{token}\" is not a valid real number");
            case AtomType.Boolean:
                return token switch
                {
                    "true" or "yes" or "on" or "1" => FromBoolean(true),
                    "false" or "no" or "off" or "0" => FromBoolean(false),
                    _ => throw new OvsdbException("syntax error", $"\"{token}\" is not a valid boolean (use \"true\" or \"false\")"),
                };
            case AtomType.String:
                if (token.Length == 0)
                {
                    throw new OvsdbException("syntax error", "An empty string is not valid as input; use \"\" to represent the empty string");
                }
                if (token[0] == '"')
                {
                    if (token.Length < 2 || token[^1] != '"')
                    {
                        throw new OvsdbException("syntax error", $"{token}: missing quote at end of quoted string");
                    }
                    try
                    {
                        using JsonDocument document = JsonDocument.Parse(token);
                        if (document.RootElement.ValueKind == JsonValueKind.String)
                        {
                            return FromString(JsonText.GetStringChecked(document.RootElement));
                        }
                    }
                    catch (JsonException)
                    {
                        // Falls through to the error below, which names the bad token.
                    }
                    throw new OvsdbException("syntax error", $"{token}: invalid quoted string");
                }
                return FromString(token);
            default:
                if (token.StartsWith('@') && symbols is not null)
                {
                    return FromUuid(symbols.Reference(token, type));
                }
                if (TryParseUuid(token, out Guid uuid))
                {
                    return FromUuid(uuid);
                }
                throw new OvsdbException("syntax error", $"\"{token}\" is not a valid UUID");
        }
    }
}
