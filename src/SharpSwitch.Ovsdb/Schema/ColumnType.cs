// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Data;

namespace SharpSwitch.Ovsdb.Schema;

/// <summary>
/// The type of a column: a key base type, an optional value base type (which makes it a map), and how many
/// elements the set or map may hold. A column with min 1 and max 1 holds exactly one atom (a "scalar").
/// </summary>
public sealed class ColumnType
{
    /// <summary>The marker for "unlimited" in <see cref="Max"/>.</summary>
    public const long Unlimited = uint.MaxValue;

    /// <summary>Creates a column type.</summary>
    public ColumnType(BaseType key, BaseType? value, long min, long max)
    {
        Key = key;
        Value = value;
        Min = min;
        Max = max;
    }

    /// <summary>The type of keys (or of the elements of a set).</summary>
    public BaseType Key { get; }

    /// <summary>The type of values, for maps; null for sets and scalars.</summary>
    public BaseType? Value { get; }

    /// <summary>Minimum number of elements (0 or 1).</summary>
    public long Min { get; }

    /// <summary>Maximum number of elements; <see cref="Unlimited"/> when unbounded.</summary>
    public long Max { get; }

    /// <summary>True for maps.</summary>
    public bool IsMap => Value is not null;

    // The type's default value, made once: every row starts from its columns' defaults and most cells keep them
    // (an Interface row made by add-port sets 2 of its ~45 columns), so one shared immutable datum per column type
    // instead of one per cell took the live heap of vsw ovsdb-server with 1000 ports from 57,000 datums (2.3 MB) to a
    // few thousand. Built lazily and without a lock: two threads racing build equal immutable values.
    private Datum? _default;

    /// <summary>The default value of this type (see <see cref="Datum.DefaultFor"/>), one shared instance.</summary>
    public Datum Default => _default ??= Datum.DefaultFor(this);

    /// <summary>True for sets with room for more than one element (not maps).</summary>
    public bool IsSet => Value is null && Max > 1;

    /// <summary>True for exactly-one-atom columns.</summary>
    public bool IsScalar => Value is null && Min == 1 && Max == 1;

    /// <summary>True for zero-or-one-atom columns.</summary>
    public bool IsOptional => Value is null && Min == 0 && Max == 1;

    /// <summary>Builds the single-atom type for an atomic type.</summary>
    public static ColumnType Scalar(AtomType type) => new(new BaseType(type), null, 1, 1);

    /// <summary>The same type with no size limits, used to parse mutation arguments and <c>where</c> values.</summary>
    public ColumnType WithoutSizeLimits() => new(Key, Value, 0, Unlimited);

    /// <summary>The same type with no constraints at all (keeps the atomic types only).</summary>
    public ColumnType Unconstrained() => new(Key.Unconstrained(), Value?.Unconstrained(), 0, Unlimited);

    /// <summary>Parses a <c>&lt;type&gt;</c> from a schema.</summary>
    public static ColumnType Parse(JsonElement json)
    {
        if (json.ValueKind == JsonValueKind.String)
        {
            return new ColumnType(BaseType.Parse(json), null, 1, 1);
        }
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "ovsdb type expected");
        }
        if (!json.TryGetProperty("key", out JsonElement keyJson))
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "Required 'key' member is missing.");
        }
        BaseType key = BaseType.Parse(keyJson);
        BaseType? value = json.TryGetProperty("value", out JsonElement valueJson) ? BaseType.Parse(valueJson) : null;
        long min = 1;
        if (json.TryGetProperty("min", out JsonElement minJson))
        {
            if (!JsonText.IsIntegerToken(minJson) || !minJson.TryGetInt64(out min) || min < 0 || min > 1)
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(json), "ovsdb type fails constraint checks");
            }
        }
        long max = 1;
        if (json.TryGetProperty("max", out JsonElement maxJson))
        {
            if (maxJson.ValueKind == JsonValueKind.String && maxJson.GetString() == "unlimited")
            {
                max = Unlimited;
            }
            else if (!JsonText.IsIntegerToken(maxJson) || !maxJson.TryGetInt64(out max) || max < 1 || max > Unlimited)
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(json), "ovsdb type fails constraint checks");
            }
        }
        if (min > max)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), "ovsdb type fails constraint checks");
        }
        return new ColumnType(key, value, min, max);
    }

    /// <summary>Writes the type in schema form, using the short forms OVS uses.</summary>
    public JsonNode ToJson()
    {
        if (Value is null && Min == 1 && Max == 1 && Key.HasNoConstraints)
        {
            return JsonValue.Create(Key.Type.ToName());
        }
        var json = new JsonObject { ["key"] = Key.ToJson() };
        if (Value is not null)
        {
            json["value"] = Value.ToJson();
        }
        if (Min != 1)
        {
            json["min"] = Min;
        }
        if (Max == Unlimited)
        {
            json["max"] = "unlimited";
        }
        else if (Max != 1)
        {
            json["max"] = Max;
        }
        return json;
    }

    /// <summary>Describes the type in OVS's words, e.g. "set of up to 4096 integers".</summary>
    public override string ToString()
    {
        if (IsScalar)
        {
            return Key.ToString();
        }
        string what = IsMap ? "map of " + Key + " to " + Value : "set of " + Key;
        return Max == Unlimited ? what : what + " (max " + Max + ")";
    }
}
