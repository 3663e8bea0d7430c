// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace SharpSwitch.Ovsdb.Data;

/// <summary>A value that writes its own JSON, straight into the writer of the message that carries it.</summary>
internal interface IJsonWritable
{
    /// <summary>Writes exactly one JSON value.</summary>
    void WriteJson(Utf8JsonWriter writer);
}

/// <summary>
/// JSON nodes whose text is written by an <see cref="IJsonWritable"/> when the message is sent, so that a large part
/// of a reply built as a node tree (a monitor's initial rows, a long string) need not become a tree of nodes first.
/// The node can be written any number of times; it cannot be read back as a value.
/// </summary>
internal static class WrittenJson
{
    /// <summary>
    /// Metadata for these nodes, built without reflection so that NativeAOT builds write them too. Serializer options
    /// that write such nodes (rather than leaving the options to the node) need it.
    /// </summary>
    public static readonly IJsonTypeInfoResolver Resolver = new WritableResolver();

    private static readonly JsonTypeInfo<Writable> s_typeInfo =
        (JsonTypeInfo<Writable>)new JsonSerializerOptions { TypeInfoResolver = Resolver }.GetTypeInfo(typeof(Writable));

    /// <summary>A node that <paramref name="value"/> writes.</summary>
    public static JsonNode Node(IJsonWritable value) => JsonValue.Create(new Writable(value), s_typeInfo)!;

    private readonly record struct Writable(IJsonWritable Value);

    private sealed class WritableResolver : IJsonTypeInfoResolver
    {
        public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options) =>
            type == typeof(Writable) ? JsonMetadataServices.CreateValueInfo<Writable>(options, new WritableConverter()) : null;
    }

    private sealed class WritableConverter : JsonConverter<Writable>
    {
        public override Writable Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("JSON written by a value cannot be read back into it");

        public override void Write(Utf8JsonWriter writer, Writable value, JsonSerializerOptions options) => value.Value.WriteJson(writer);
    }
}
