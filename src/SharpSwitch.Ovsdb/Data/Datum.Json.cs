// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Schema;

namespace SharpSwitch.Ovsdb.Data;

public sealed partial class Datum
{
    /// <summary>
    /// Parses a datum from its JSON form (RFC 7047 section 5.1): a bare atom for a one-element set,
    /// <c>["set",[...]]</c>, or <c>["map",[[k,v],...]]</c>. Size limits and atom constraints are enforced with
    /// OVS's error texts. <c>["named-uuid",name]</c> is accepted when <paramref name="symbols"/> is given.
    /// </summary>
    public static Datum FromJson(JsonElement json, ColumnType type, SymbolTable? symbols = null)
    {
        bool isMap = type.IsMap;
        bool wrapped = isMap || (json.ValueKind == JsonValueKind.Array && json.GetArrayLength() > 0
            && json[0].ValueKind == JsonValueKind.String && json[0].GetString() == "set");
        if (!wrapped)
        {
            Atom atom = Atom.FromJson(json, type.Key, symbols);
            if (type.Max < 1)
            {
                throw OvsdbException.SyntaxError(JsonText.Sorted(json), "set must have 0 to 0 members but 1 are present");
            }
            return Single(type, atom);
        }
        string kind = isMap ? "map" : "set";
        if (json.ValueKind != JsonValueKind.Array || json.GetArrayLength() != 2 || json[0].ValueKind != JsonValueKind.String
            || json[0].GetString() != kind || json[1].ValueKind != JsonValueKind.Array)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), $"expected [\"{kind}\", <array>]");
        }
        JsonElement inner = json[1];
        int count = inner.GetArrayLength();
        if (count < type.Min || count > type.Max)
        {
            throw OvsdbException.SyntaxError(JsonText.Sorted(json), type.Min == 1 && type.Max == 1
                ? $"{kind} must have exactly one member but {count} are present"
                : $"{kind} must have {type.Min} to {type.Max} members but {count} are present");
        }
        var keys = new Atom[count];
        Atom[]? values = isMap ? new Atom[count] : null;
        int index = 0;
        foreach (JsonElement element in inner.EnumerateArray())
        {
            if (isMap)
            {
                if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != 2)
                {
                    throw OvsdbException.SyntaxError(JsonText.Sorted(element), "expected 2-element array");
                }
                keys[index] = Atom.FromJson(element[0], type.Key, symbols);
                values![index] = Atom.FromJson(element[1], type.Value!, symbols);
            }
            else
            {
                keys[index] = Atom.FromJson(element, type.Key, symbols);
            }
            index++;
        }
        return new Datum(type, keys, values);
    }

    /// <summary>
    /// The datum as JSON the way OVS writes it: maps always as <c>["map",[...]]</c>, one-element sets as the bare
    /// atom, everything else as <c>["set",[...]]</c>.
    /// </summary>
    public JsonNode ToJson()
    {
        if (_values is not null)
        {
            var pairs = new JsonArray();
            for (int i = 0; i < _keys.Length; i++)
            {
                pairs.Add((JsonNode)new JsonArray(_keys[i].ToJson(), _values[i].ToJson()));
            }
            return new JsonArray("map", pairs);
        }
        if (_keys.Length == 1)
        {
            return _keys[0].ToJson();
        }
        var elements = new JsonArray();
        foreach (Atom key in _keys)
        {
            elements.Add(key.ToJson());
        }
        return new JsonArray("set", elements);
    }

    /// <summary>Writes the datum as JSON (same form as <see cref="ToJson"/>).</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        if (_values is null && _keys.Length == 1)
        {
            _keys[0].WriteJson(writer);
            return;
        }
        writer.WriteStartArray();
        writer.WriteStringValue(_values is null ? "set" : "map");
        writer.WriteStartArray();
        for (int i = 0; i < _keys.Length; i++)
        {
            if (_values is not null)
            {
                writer.WriteStartArray();
                _keys[i].WriteJson(writer);
                _values[i].WriteJson(writer);
                writer.WriteEndArray();
            }
            else
            {
                _keys[i].WriteJson(writer);
            }
        }
        writer.WriteEndArray();
        writer.WriteEndArray();
    }
}
