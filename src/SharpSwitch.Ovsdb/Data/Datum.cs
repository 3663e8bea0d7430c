// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Data;

/// <summary>
/// The value of a column: a set of atoms or a map from atoms to atoms, always kept sorted by key with no
/// duplicate keys (OVS's canonical form). A scalar column holds a one-element set. A datum knows its
/// <see cref="ColumnType"/>, which decides how it is written as JSON and as OVS string syntax.
/// </summary>
public sealed partial class Datum : IEquatable<Datum>
{
    private readonly Atom[] _keys;
    private readonly Atom[]? _values;

    /// <summary>Creates a datum from keys (and values, for a map), sorting them; duplicate keys are an error.</summary>
    public Datum(ColumnType type, Atom[] keys, Atom[]? values)
    {
        if (type.IsMap != (values is not null) || (values is not null && values.Length != keys.Length))
        {
            throw new ArgumentException("keys and values do not match the column type", nameof(values));
        }
        Type = type;
        (_keys, _values) = SortUnique(type, keys, values);
    }

    private Datum(ColumnType type, Atom[] sortedKeys, Atom[]? sortedValues, bool trusted)
    {
        _ = trusted;
        Type = type;
        _keys = sortedKeys;
        _values = sortedValues;
    }

    /// <summary>The column type this datum belongs to.</summary>
    public ColumnType Type { get; }

    /// <summary>The keys (set elements), sorted.</summary>
    public IReadOnlyList<Atom> Keys => _keys;

    /// <summary>The map values, parallel to <see cref="Keys"/>; null for sets.</summary>
    public IReadOnlyList<Atom>? Values => _values;

    /// <summary>The number of elements or pairs.</summary>
    public int Count => _keys.Length;

    /// <summary>True for a map datum.</summary>
    public bool IsMap => _values is not null;

    /// <summary>The empty set or map of a type.</summary>
    public static Datum Empty(ColumnType type) => new(type, [], type.IsMap ? [] : null, trusted: true);

    /// <summary>The default value: empty when min is 0, else one default atom (or pair).</summary>
    public static Datum DefaultFor(ColumnType type)
    {
        if (type.Min == 0)
        {
            return Empty(type);
        }
        Atom key = Atom.DefaultFor(type.Key.Type);
        return new Datum(type, [key], type.Value is null ? null : [Atom.DefaultFor(type.Value.Type)], trusted: true);
    }

    /// <summary>A one-atom datum.</summary>
    public static Datum Single(ColumnType type, Atom atom) => new(type, [atom], null, trusted: true);

    /// <summary>A one-atom datum of a scalar type.</summary>
    public static Datum Scalar(Atom atom) => Single(ColumnType.Scalar(atom.Type), atom);

    internal static Datum FromSorted(ColumnType type, Atom[] keys, Atom[]? values) => new(type, keys, values, trusted: true);

    /// <summary>
    /// The same elements viewed as another (compatible) type; this datum itself when the type is the same object, and
    /// the type's shared default when the elements are the default, so that rows keep no copies of either.
    /// </summary>
    public Datum WithType(ColumnType type)
    {
        if (ReferenceEquals(type, Type))
        {
            return this;
        }
        Datum typeDefault = type.Default;
        if (Equals(typeDefault))
        {
            return typeDefault;
        }
        return new(type, _keys, type.IsMap ? _values ?? [] : null, trusted: true);
    }

    /// <summary>True when this datum equals its type's default.</summary>
    public bool IsDefault => Equals(Type.Default);

    /// <summary>The first atom of a scalar or optional column.</summary>
    public Atom? FirstKeyOrNull => _keys.Length > 0 ? _keys[0] : null;

    /// <summary>Finds the position of a key, or a negative number.</summary>
    public int IndexOfKey(Atom key) => Array.BinarySearch(_keys, key);

    /// <summary>True when the key (set element) is present.</summary>
    public bool ContainsKey(Atom key) => IndexOfKey(key) >= 0;

    /// <summary>Looks a key up in a map.</summary>
    public bool TryGetValue(Atom key, out Atom value)
    {
        int index = IndexOfKey(key);
        if (index >= 0 && _values is not null)
        {
            value = _values[index];
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>Checks every atom against the base-type constraints (not the size limits).</summary>
    public void CheckConstraints()
    {
        foreach (Atom key in _keys)
        {
            Type.Key.CheckConstraints(key);
        }
        if (_values is not null && Type.Value is not null)
        {
            foreach (Atom value in _values)
            {
                Type.Value.CheckConstraints(value);
            }
        }
    }

    /// <summary>True when every element of <paramref name="other"/> is in this datum (pairs must match in maps).</summary>
    public bool Includes(Datum other)
    {
        for (int i = 0; i < other._keys.Length; i++)
        {
            int index = IndexOfKey(other._keys[i]);
            if (index < 0)
            {
                return false;
            }
            if (_values is not null && other._values is not null && _values[index] != other._values[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>True when no element of <paramref name="other"/> is in this datum.</summary>
    public bool Excludes(Datum other)
    {
        for (int i = 0; i < other._keys.Length; i++)
        {
            int index = IndexOfKey(other._keys[i]);
            if (index >= 0 && (_values is null || other._values is null || _values[index] == other._values[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Adds elements. For maps an existing key keeps its value: OVS's map <c>insert</c> never overwrites,
    /// which is why clients delete a key before re-inserting it.
    /// </summary>
    public Datum Union(Datum other)
    {
        var keys = new List<Atom>(_keys);
        var values = _values is null ? null : new List<Atom>(_values);
        for (int i = 0; i < other._keys.Length; i++)
        {
            if (!ContainsKey(other._keys[i]))
            {
                keys.Add(other._keys[i]);
                values?.Add(other._values is null ? Atom.DefaultFor(Type.Value!.Type) : other._values[i]);
            }
        }
        return new Datum(Type, [.. keys], values?.ToArray());
    }

    /// <summary>
    /// Removes elements. For a map, <paramref name="other"/> may be a set of keys (removes those keys) or a map
    /// (removes a pair only when both key and value match).
    /// </summary>
    public Datum Subtract(Datum other)
    {
        var keys = new List<Atom>();
        var values = _values is null ? null : new List<Atom>();
        for (int i = 0; i < _keys.Length; i++)
        {
            int index = other.IndexOfKey(_keys[i]);
            bool remove = index >= 0 && (other._values is null || _values is null || other._values[index] == _values[i]);
            if (!remove)
            {
                keys.Add(_keys[i]);
                values?.Add(_values![i]);
            }
        }
        return FromSorted(Type, [.. keys], values?.ToArray());
    }

    /// <summary>
    /// The difference from <paramref name="old"/> to this datum in OVS's diff form (used by <c>update2</c> and
    /// on disk): elements present on one side only, plus map keys whose value changed, carrying the new value.
    /// </summary>
    public Datum DiffFrom(Datum old)
    {
        var keys = new List<Atom>();
        var values = _values is null ? null : new List<Atom>();
        int i = 0, j = 0;
        while (i < old._keys.Length || j < _keys.Length)
        {
            int order = i >= old._keys.Length ? 1 : j >= _keys.Length ? -1 : old._keys[i].CompareTo(_keys[j]);
            if (order < 0)
            {
                keys.Add(old._keys[i]);
                values?.Add(old._values![i]);
                i++;
            }
            else if (order > 0)
            {
                keys.Add(_keys[j]);
                values?.Add(_values![j]);
                j++;
            }
            else
            {
                if (values is not null && old._values![i] != _values![j])
                {
                    keys.Add(_keys[j]);
                    values.Add(_values[j]);
                }
                i++;
                j++;
            }
        }
        return FromSorted(Type.WithoutSizeLimits(), [.. keys], values?.ToArray());
    }

    /// <summary>
    /// Applies a diff made by <see cref="DiffFrom"/>: an absent key is added, a key present with the same value is
    /// removed, and a key present with another value takes the new value.
    /// </summary>
    public Datum ApplyDiff(Datum diff)
    {
        var result = new SortedDictionary<Atom, Atom>();
        for (int i = 0; i < _keys.Length; i++)
        {
            result[_keys[i]] = _values is null ? default : _values[i];
        }
        for (int i = 0; i < diff._keys.Length; i++)
        {
            Atom key = diff._keys[i];
            Atom value = diff._values is null ? default : diff._values[i];
            if (result.TryGetValue(key, out Atom existing))
            {
                if (_values is null || existing == value)
                {
                    result.Remove(key);
                }
                else
                {
                    result[key] = value;
                }
            }
            else
            {
                result[key] = value;
            }
        }
        return FromSorted(Type, [.. result.Keys], _values is null ? null : [.. result.Values]);
    }

    /// <summary>Value equality of the elements (the types are not compared).</summary>
    public bool Equals(Datum? other)
    {
        if (other is null || other._keys.Length != _keys.Length || (other._values is null) != (_values is null))
        {
            return false;
        }
        for (int i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] != other._keys[i] || (_values is not null && _values[i] != other._values![i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Datum other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        for (int i = 0; i < _keys.Length; i++)
        {
            hash.Add(_keys[i]);
            if (_values is not null)
            {
                hash.Add(_values[i]);
            }
        }
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => ToOvsString();

    private static (Atom[] Keys, Atom[]? Values) SortUnique(ColumnType type, Atom[] keys, Atom[]? values)
    {
        if (keys.Length < 2)
        {
            return ((Atom[])keys.Clone(), (Atom[]?)values?.Clone());
        }
        int[] order = [.. Enumerable.Range(0, keys.Length).OrderBy(i => keys[i])];
        var sortedKeys = new Atom[keys.Length];
        Atom[]? sortedValues = values is null ? null : new Atom[keys.Length];
        for (int i = 0; i < order.Length; i++)
        {
            sortedKeys[i] = keys[order[i]];
            if (sortedValues is not null)
            {
                sortedValues[i] = values![order[i]];
            }
            if (i > 0 && sortedKeys[i] == sortedKeys[i - 1])
            {
                throw new OvsdbException("ovsdb error", type.IsMap ? "map contains duplicate key" : "set contains duplicate");
            }
        }
        return (sortedKeys, sortedValues);
    }
}
