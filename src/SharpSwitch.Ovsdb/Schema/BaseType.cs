// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Data;

namespace SharpSwitch.Ovsdb.Schema;

/// <summary>
/// The type of one atom in a column: its atomic type plus the constraints the schema puts on it
/// (enumeration, integer or real range, string length, referenced table).
/// </summary>
public sealed class BaseType
{
    /// <summary>The atomic type.</summary>
    public AtomType Type { get; }

    /// <summary>The allowed values, or null when any value of the type is allowed.</summary>
    public IReadOnlyList<Atom>? Enum { get; private init; }

    /// <summary>Smallest allowed integer.</summary>
    public long MinInteger { get; private init; } = long.MinValue;

    /// <summary>Largest allowed integer.</summary>
    public long MaxInteger { get; private init; } = long.MaxValue;

    /// <summary>Smallest allowed real.</summary>
    public double MinReal { get; private init; } = -double.MaxValue;

    /// <summary>Largest allowed real.</summary>
    public double MaxReal { get; private init; } = double.MaxValue;

    /// <summary>Shortest allowed string, in characters.</summary>
    public long MinLength { get; private init; }

    /// <summary>Longest allowed string, in characters.</summary>
    public long MaxLength { get; private init; } = uint.MaxValue;

    /// <summary>For uuid atoms: the table the uuid refers to, or null for a plain uuid.</summary>
    public string? RefTable { get; private init; }

    /// <summary>For references: strong or weak.</summary>
    public RefType RefType { get; private init; } = RefType.Strong;

    /// <summary>An unconstrained base type.</summary>
    public BaseType(AtomType type)
    {
        Type = type;
    }

    /// <summary>True when this base type names a row in another table.</summary>
    public bool IsReference => Type == AtomType.Uuid && RefTable is not null;

    /// <summary>True when this is a strong reference.</summary>
    public bool IsStrongReference => IsReference && RefType == RefType.Strong;

    /// <summary>True when no constraint restricts the atoms.</summary>
    public bool HasNoConstraints =>
        Enum is null && MinInteger == long.MinValue && MaxInteger == long.MaxValue && MinReal == -double.MaxValue
        && MaxReal == double.MaxValue && MinLength == 0 && MaxLength == uint.MaxValue && RefTable is null;

    /// <summary>The same atomic type without any constraint.</summary>
    public BaseType Unconstrained() => new(Type);

    /// <summary>Parses a <c>&lt;base-type&gt;</c> from a schema.</summary>
    public static BaseType Parse(JsonElement json)
    {
        if (json.ValueKind == JsonValueKind.String)
        {
            if (!AtomTypeNames.TryParse(json.GetString()!, out AtomType simple))
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(json), $"Unknown atomic type {json.GetString()}");
            }
            return new BaseType(simple);
        }
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "ovsdb type expected");
        }
        if (!json.TryGetProperty("type", out JsonElement typeJson) || typeJson.ValueKind != JsonValueKind.String
            || !AtomTypeNames.TryParse(typeJson.GetString()!, out AtomType type))
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Required 'type' member is missing or is not an atomic type.");
        }
        var plain = new BaseType(type);
        IReadOnlyList<Atom>? enumeration = null;
        if (json.TryGetProperty("enum", out JsonElement enumJson))
        {
            ColumnType enumType = new(plain, null, 1, uint.MaxValue);
            Datum values = Datum.FromJson(enumJson, enumType, null);
            enumeration = values.Keys;
        }
        long minInteger = long.MinValue, maxInteger = long.MaxValue, minLength = 0, maxLength = uint.MaxValue;
        double minReal = -double.MaxValue, maxReal = double.MaxValue;
        string? refTable = null;
        RefType refType = RefType.Strong;
        switch (type)
        {
            case AtomType.Integer:
                minInteger = ReadInteger(json, "minInteger") ?? long.MinValue;
                maxInteger = ReadInteger(json, "maxInteger") ?? long.MaxValue;
                if (minInteger > maxInteger)
                {
                    throw OvsdbException.SyntaxError(JsonText.Sorted(json), "minInteger exceeds maxInteger");
                }
                break;
            case AtomType.Real:
                minReal = ReadReal(json, "minReal") ?? -double.MaxValue;
                maxReal = ReadReal(json, "maxReal") ?? double.MaxValue;
                if (minReal > maxReal)
                {
                    throw OvsdbException.SyntaxError(JsonText.Sorted(json), "minReal exceeds maxReal");
                }
                break;
            case AtomType.String:
                minLength = ReadInteger(json, "minLength") ?? 0;
                maxLength = ReadInteger(json, "maxLength") ?? uint.MaxValue;
                if (minLength > maxLength)
                {
                    throw OvsdbException.SyntaxError(JsonText.Sorted(json), "minLength exceeds maxLength");
                }
                break;
            case AtomType.Uuid:
                if (json.TryGetProperty("refTable", out JsonElement refTableJson))
                {
                    if (refTableJson.ValueKind != JsonValueKind.String)
                    {
                        throw OvsdbException.SyntaxError(JsonText.Sorted(json), "refTable must be a string");
                    }
                    refTable = refTableJson.GetString();
                    if (json.TryGetProperty("refType", out JsonElement refTypeJson))
                    {
                        refType = refTypeJson.ValueKind == JsonValueKind.String ? refTypeJson.GetString() switch
                        {
                            "strong" => RefType.Strong,
                            "weak" => RefType.Weak,
                            _ => throw OvsdbException.SyntaxError(JsonText.Sorted(json), "refType must be \"strong\" or \"weak\" (not \"" + refTypeJson.GetString() + "\")"),
                        } : throw OvsdbException.SyntaxError(JsonText.Sorted(json), "refType must be a string");
                    }
                }
                break;
            default:
                break;
        }
        return new BaseType(type)
        {
            Enum = enumeration,
            MinInteger = minInteger,
            MaxInteger = maxInteger,
            MinReal = minReal,
            MaxReal = maxReal,
            MinLength = minLength,
            MaxLength = maxLength,
            RefTable = refTable,
            RefType = refType,
        };
    }

    /// <summary>Writes this base type in schema form: a bare type name when unconstrained.</summary>
    public JsonNode ToJson()
    {
        if (HasNoConstraints)
        {
            return JsonValue.Create(Type.ToName());
        }
        var json = new JsonObject { ["type"] = Type.ToName() };
        if (Enum is not null)
        {
            json["enum"] = new Datum(new ColumnType(new BaseType(Type), null, 1, uint.MaxValue), [.. Enum], null).ToJson();
        }
        if (Type == AtomType.Integer)
        {
            if (MinInteger != long.MinValue)
            {
                json["minInteger"] = MinInteger;
            }
            if (MaxInteger != long.MaxValue)
            {
                json["maxInteger"] = MaxInteger;
            }
        }
        else if (Type == AtomType.Real)
        {
            if (MinReal != -double.MaxValue)
            {
                json["minReal"] = MinReal;
            }
            if (MaxReal != double.MaxValue)
            {
                json["maxReal"] = MaxReal;
            }
        }
        else if (Type == AtomType.String)
        {
            if (MinLength != 0)
            {
                json["minLength"] = MinLength;
            }
            if (MaxLength != uint.MaxValue)
            {
                json["maxLength"] = MaxLength;
            }
        }
        else if (Type == AtomType.Uuid && RefTable is not null)
        {
            json["refTable"] = RefTable;
            if (RefType == RefType.Weak)
            {
                json["refType"] = "weak";
            }
        }
        return json;
    }

    /// <summary>
    /// Checks an atom against the enumeration, range and length constraints, throwing OVS's
    /// <c>constraint violation</c> with its exact wording. References are checked at commit instead.
    /// </summary>
    public void CheckConstraints(Atom atom)
    {
        if (Enum is not null && !Enum.Contains(atom))
        {
            var allowed = new StringBuilder();
            var enumType = new ColumnType(new BaseType(Type), null, 0, uint.MaxValue);
            allowed.Append(new Datum(enumType, [.. Enum], null).ToOvsString());
            throw OvsdbException.ConstraintViolation($"{atom.ToOvsString()} is not one of the allowed values ({allowed})");
        }
        switch (Type)
        {
            case AtomType.Integer:
                long value = atom.Integer;
                if (value >= MinInteger && value <= MaxInteger)
                {
                    return;
                }
                if (MinInteger != long.MinValue)
                {
                    throw OvsdbException.ConstraintViolation(MaxInteger != long.MaxValue
                        ? $"{value} is not in the valid range {MinInteger} to {MaxInteger} (inclusive)"
                        : $"{value} is less than minimum allowed value {MinInteger}");
                }
                throw OvsdbException.ConstraintViolation($"{value} is greater than maximum allowed value {MaxInteger}");
            case AtomType.Real:
                double real = atom.Real;
                if (real >= MinReal && real <= MaxReal)
                {
                    return;
                }
                if (MinReal != -double.MaxValue)
                {
                    throw OvsdbException.ConstraintViolation(MaxReal != double.MaxValue
                        ? $"{Atom.FormatReal(real)} is not in the valid range {Atom.FormatReal(MinReal)} to {Atom.FormatReal(MaxReal)} (inclusive)"
                        : $"{Atom.FormatReal(real)} is less than minimum allowed value {Atom.FormatReal(MinReal)}");
                }
                throw OvsdbException.ConstraintViolation($"{Atom.FormatReal(real)} is greater than maximum allowed value {Atom.FormatReal(MaxReal)}");
            case AtomType.String:
                string text = atom.String;
                long length = text.EnumerateRunes().Count();
                if (length < MinLength)
                {
                    throw OvsdbException.ConstraintViolation($"\"{text}\" length {length} is less than minimum allowed length {MinLength}");
                }
                if (length > MaxLength)
                {
                    throw OvsdbException.ConstraintViolation($"\"{text}\" length {length} is greater than maximum allowed length {MaxLength}");
                }
                return;
            default:
                return;
        }
    }

    private static long? ReadInteger(JsonElement json, string name)
    {
        if (!json.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }
        if (!JsonText.IsIntegerToken(value) || !value.TryGetInt64(out long result))
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), $"{name} must be an integer");
        }
        return result;
    }

    private static double? ReadReal(JsonElement json, string name)
    {
        if (!json.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), $"{name} must be a number");
        }
        return value.GetDouble();
    }

    /// <summary>Describes the type in a few words, for error messages.</summary>
    public override string ToString() => RefTable is null ? Type.ToName() : Type.ToName() + " (" + RefTable + ")";
}
