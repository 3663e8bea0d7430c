// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SharpSwitch.Ovsdb.Data;

/// <summary>
/// Helpers for turning JSON into the compact text OVS uses in error messages and on disk.
/// OVS prints object members sorted by name in its <c>syntax</c> fields, so this does too.
/// </summary>
public static class JsonText
{
    /// <summary>Writer options: compact, and escaping only what JSON requires, as OVS does.</summary>
    public static readonly JsonWriterOptions CompactWriter = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    /// <summary>Serializer options matching <see cref="CompactWriter"/>.</summary>
    public static readonly JsonSerializerOptions CompactSerializer = new()
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // Nodes of plain values carry their own converters; nodes that write themselves need their metadata from here.
        TypeInfoResolver = WrittenJson.Resolver,
    };

    /// <summary>Compact JSON with object members in sorted order, the way OVS reports syntax errors.</summary>
    public static string Sorted(JsonElement element)
    {
        try
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, CompactWriter))
            {
                WriteSorted(writer, element);
            }
            return Encoding.UTF8.GetString(stream.ToArray());
        }
        catch (InvalidOperationException)
        {
            // Escaped lone surrogates cannot be re-encoded; the original text still shows what was wrong.
            return element.GetRawText();
        }
    }

    // One growable buffer per thread for ToElement: a server reply can be hundreds of kilobytes, and a buffer that is
    // reused stays put instead of leaving a trail of large arrays for the collector after every reply.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_elementBuffer;

    /// <summary>
    /// The node as a <see cref="JsonElement"/> that owns its own copy of the text (the element stays valid after
    /// the node changes). Unlike <c>JsonSerializer.SerializeToElement</c> this needs no reflection, so it works the
    /// same in trimmed and NativeAOT builds.
    /// </summary>
    public static JsonElement ToElement(JsonNode? node)
    {
        ArrayBufferWriter<byte> buffer = t_elementBuffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            if (node is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(writer);
            }
        }
        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        JsonElement element = JsonElement.ParseValue(ref reader);
        if (buffer.Capacity > MaxRetainedBufferBytes)
        {
            // A rare huge reply (a dump of a big database) should not pin its buffer for the life of the process.
            t_elementBuffer = null;
        }
        return element;
    }

    private const int MaxRetainedBufferBytes = 4 << 20;

    /// <summary>Compact JSON of a node, members in insertion order.</summary>
    public static string Compact(JsonNode? node) => node is null ? "null" : node.ToJsonString(CompactSerializer);

    /// <summary>Compact JSON of an element, members in their original order.</summary>
    public static string Compact(JsonElement element)
    {
        if (element.ValueKind is JsonValueKind.String or JsonValueKind.Object or JsonValueKind.Array)
        {
            try
            {
                return CompactUnchecked(element);
            }
            catch (InvalidOperationException)
            {
                return element.GetRawText();
            }
        }
        return CompactUnchecked(element);
    }

    private static string CompactUnchecked(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, CompactWriter))
        {
            element.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Parses text into a detached element (its document is not kept open).</summary>
    public static JsonElement Parse(string text)
    {
        using JsonDocument document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Reads a JSON string, turning escapes that do not form valid Unicode (lone surrogates) into an OVSDB error
    /// instead of the reader's InvalidOperationException.
    /// </summary>
    public static string GetStringChecked(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new OvsdbException("constraint violation", "not a valid UTF-8 string: invalid UTF-16 surrogate escape", Sorted(element));
        }
    }

    /// <summary>True when a JSON number is written without fraction or exponent, which OVS treats as an integer.</summary>
    public static bool IsIntegerToken(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Number)
        {
            return false;
        }
        string raw = element.GetRawText();
        return raw.IndexOfAny(['.', 'e', 'E']) < 0;
    }

    private static void WriteSorted(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (JsonProperty property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteSorted(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    WriteSorted(writer, item);
                }
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
