// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSwitch.Ovsdb.Data;

namespace SharpSwitch.Ovsdb.Tests.Data;

public sealed class LongJsonStringTests
{
    // Quotes, backslashes, control characters, non-ASCII text and surrogate pairs, repeated past several pieces, with
    // a pair placed across the first piece boundary.
    private static string LongText()
    {
        var text = new StringBuilder();
        text.Append('x', LongJsonString.PieceChars - 1).Append("\U0001F600");
        while (text.Length < 5 * LongJsonString.PieceChars + 17)
        {
            text.Append("{\"key\": \"va\\lue\"}\t\n\u0001 grüße \u00e9\U0001F600 ");
        }
        return text.ToString();
    }

    private static string Whole(string value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonText.CompactWriter))
        {
            writer.WriteStringValue(value);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void A_long_string_atom_is_written_exactly_as_the_writer_writes_it_whole()
    {
        string value = LongText();
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonText.CompactWriter))
        {
            Atom.FromString(value).WriteJson(writer);
        }
        Assert.Equal(Whole(value), Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void A_long_string_atom_as_a_node_serializes_to_the_same_text_and_reads_back()
    {
        string value = LongText();
        JsonNode node = Atom.FromString(value).ToJson();
        Assert.Equal(Whole(value), JsonText.Compact(node));
        Assert.Equal(value, JsonNode.Parse(node.ToJsonString())!.GetValue<string>());
        Assert.Equal("\"short\"", Atom.FromString("short").ToJson().ToJsonString());
    }

    [Fact]
    public void A_long_string_never_asks_its_output_for_a_large_buffer()
    {
        var output = new LargestRequestWriter();
        using (var writer = new Utf8JsonWriter(output, JsonText.CompactWriter))
        {
            writer.WriteStartArray();
            Atom.FromString(new string('"', 60_000)).WriteJson(writer);
            writer.WriteEndArray();
        }
        // Escaped, the 60,000 quotes are 120,002 bytes; written whole, the writer would have asked for six bytes a character.
        Assert.Equal(120_004, output.Written);
        Assert.InRange(output.LargestRequest, 1, 64 * 1024);
    }

    /// <summary>An output that records the largest room the JSON writer asked it for at once.</summary>
    private sealed class LargestRequestWriter : IBufferWriter<byte>
    {
        private byte[] _buffer = [];

        public int LargestRequest { get; private set; }

        public int Written { get; private set; }

        public void Advance(int count) => Written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            LargestRequest = Math.Max(LargestRequest, sizeHint);
            if (_buffer.Length < Math.Max(sizeHint, 256))
            {
                _buffer = new byte[Math.Max(sizeHint, 256)];
            }
            return _buffer;
        }

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }
}
