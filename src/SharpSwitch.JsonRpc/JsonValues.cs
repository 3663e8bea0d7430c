// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers;
using System.Text.Json;

namespace SharpSwitch.JsonRpc;

/// <summary>
/// JSON elements for plain values, written by hand instead of by <c>JsonSerializer</c>: serializing even a string
/// through the reflection-based serializer keeps the whole reflection machinery in a NativeAOT executable (about
/// a third of <c>vsw-ovsdb-server</c>), and the server only ever needs strings, integers and arrays of strings.
/// </summary>
public static class JsonValues
{
    /// <summary>A JSON string.</summary>
    public static JsonElement String(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Build(value, static (writer, text) => writer.WriteStringValue(text));
    }

    /// <summary>A JSON number holding an integer.</summary>
    public static JsonElement Integer(long value) => Build(value, static (writer, number) => writer.WriteNumberValue(number));

    /// <summary>A JSON array of strings.</summary>
    public static JsonElement StringArray(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Build(values, static (writer, items) =>
        {
            writer.WriteStartArray();
            foreach (string item in items)
            {
                writer.WriteStringValue(item);
            }
            writer.WriteEndArray();
        });
    }

    private static JsonElement Build<T>(T value, Action<Utf8JsonWriter, T> write)
    {
        // A small growable buffer, not the message pool's 64 KB segments: these values are a few bytes long.
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, JsonRpcMessage.WireWriterOptions))
        {
            write(writer, value);
        }
        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        return JsonElement.ParseValue(ref reader);
    }
}
