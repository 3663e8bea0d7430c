// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SharpSwitch.Ovsdb.Data;

/// <summary>
/// Writes long string atoms as JSON in pieces. Written whole, a string makes the JSON writer ask its output for
/// room for the worst case of escaping at once (six bytes a character) and escape into a pooled scratch array as
/// long: for the 60,000-character <c>schema</c> column of <c>_Server.Database</c>, which every <c>ovs-vsctl</c>
/// monitors, that took 128 and 256 KB arrays from the shared pools on each request, and the pools kept about 3 MB
/// of them, most of <c>vsw ovsdb-server</c>'s large-object heap after a burst. In pieces of
/// <see cref="PieceChars"/> characters every buffer stays small. The bytes written are the same either way.
/// </summary>
internal static class LongJsonString
{
    /// <summary>
    /// The longest string written in one piece: its worst-case escaped size stays well below the 64 KB segments of
    /// the server's output buffers and the 85,000-byte large-object threshold.
    /// </summary>
    internal const int PieceChars = 2048;

    /// <summary>Writes <paramref name="value"/> as a JSON string, in pieces when it is long.</summary>
    public static void Write(Utf8JsonWriter writer, string value)
    {
        if (value.Length <= PieceChars)
        {
            writer.WriteStringValue(value);
            return;
        }
        ReadOnlySpan<char> rest = value;
        while (rest.Length > PieceChars)
        {
            // A surrogate pair stays in one piece, so each piece is valid UTF-16 on its own.
            int cut = char.IsHighSurrogate(rest[PieceChars - 1]) ? PieceChars - 1 : PieceChars;
            writer.WriteStringValueSegment(rest[..cut], isFinalSegment: false);
            rest = rest[cut..];
        }
        writer.WriteStringValueSegment(rest, isFinalSegment: true);
    }

    /// <summary>
    /// A JSON node for <paramref name="value"/> that is written in pieces when it is long (a plain string value
    /// otherwise), for replies that are built as node trees before they are written.
    /// </summary>
    public static JsonNode CreateNode(string value) =>
        value.Length <= PieceChars ? JsonValue.Create(value) : WrittenJson.Node(new LongText(value));

    private sealed class LongText(string value) : IJsonWritable
    {
        public void WriteJson(Utf8JsonWriter writer) => Write(writer, value);
    }
}
