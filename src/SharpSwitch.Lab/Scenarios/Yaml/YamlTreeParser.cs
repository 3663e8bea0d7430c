// SharpSwitch: an Open vSwitch-compatible virtual switch.
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SharpSwitch.Lab.Scenarios.Yaml;

/// <summary>The reason a YAML text could not be turned into a tree, with its position.</summary>
internal sealed record YamlTreeError(SourcePosition Position, string Message);

/// <summary>
/// Builds a <see cref="YamlTreeNode"/> tree from YamlDotNet's event parser. Scenario files are small and
/// hand-written, so the parser refuses what a scenario never needs and what could hurt the process: anchors and
/// aliases (a few lines can expand into an exponential tree), tags, several documents, and nesting deeper than
/// <see cref="MaximumDepth"/> levels.
/// </summary>
internal static class YamlTreeParser
{
    /// <summary>The deepest nesting a scenario may use; real scenarios need about eight levels.</summary>
    public const int MaximumDepth = 32;

    /// <summary>Parses one YAML document. Returns the root node, or null and an error.</summary>
    public static YamlTreeNode? Parse(string text, out YamlTreeError? error)
    {
        error = null;
        var parser = new Parser(new StringReader(text));
        SourcePosition last = SourcePosition.FileStart;
        try
        {
            Expect<StreamStart>(parser, ref last);
            if (Peek(parser) is StreamEnd)
            {
                error = new YamlTreeError(SourcePosition.FileStart, "the file is empty: a scenario needs at least 'name:' and 'topology:'");
                return null;
            }
            Expect<DocumentStart>(parser, ref last);
            YamlTreeNode root = ReadNode(parser, depth: 0, ref last);
            Expect<DocumentEnd>(parser, ref last);
            if (Peek(parser) is not StreamEnd)
            {
                error = new YamlTreeError(PositionOf(Peek(parser)!), "a scenario file holds one YAML document; remove the second '---'");
                return null;
            }
            return root;
        }
        catch (YamlTreeException ex)
        {
            error = new YamlTreeError(ex.Position, ex.Message);
            return null;
        }
        catch (YamlException ex)
        {
            error = new YamlTreeError(new SourcePosition(ClampToInt(ex.Start.Line), ClampToInt(ex.Start.Column)), "YAML syntax error: " + FirstSentence(ex.Message));
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or OverflowException)
        {
            // YamlDotNet reports most malformed input as YamlException; the few inputs that trip its internal
            // checks instead are still the user's input, so they become a located error too.
            error = new YamlTreeError(last, "YAML syntax error after this point (check brackets, quotes and indentation)");
            return null;
        }
    }

    private static YamlTreeNode ReadNode(Parser parser, int depth, ref SourcePosition last)
    {
        ParsingEvent current = Next(parser, ref last);
        SourcePosition position = PositionOf(current);
        if (current is NodeEvent node)
        {
            if (!node.Anchor.IsEmpty)
            {
                throw new YamlTreeException(position, "YAML anchors (&" + node.Anchor.Value + ") are not supported in scenario files; repeat the text instead");
            }
            if (!node.Tag.IsEmpty && !IsStandardTag(node.Tag.Value))
            {
                throw new YamlTreeException(position, "YAML tag '" + node.Tag.Value + "' is not supported in scenario files");
            }
        }
        switch (current)
        {
            case Scalar scalar:
                return new YamlTreeScalar(position, scalar.Value, scalar.Style is not ScalarStyle.Plain);
            case AnchorAlias alias:
                throw new YamlTreeException(position, "YAML aliases (*" + alias.Value.Value + ") are not supported in scenario files; repeat the text instead");
            case SequenceStart:
                {
                    if (depth >= MaximumDepth)
                    {
                        throw new YamlTreeException(position, $"nesting deeper than {MaximumDepth} levels");
                    }
                    var items = new List<YamlTreeNode>();
                    while (Peek(parser) is not SequenceEnd)
                    {
                        items.Add(ReadNode(parser, depth + 1, ref last));
                    }
                    Next(parser, ref last);
                    return new YamlTreeSequence(position, items);
                }
            case MappingStart:
                {
                    if (depth >= MaximumDepth)
                    {
                        throw new YamlTreeException(position, $"nesting deeper than {MaximumDepth} levels");
                    }
                    var entries = new List<KeyValuePair<YamlTreeScalar, YamlTreeNode>>();
                    var seen = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
                    while (Peek(parser) is not MappingEnd)
                    {
                        YamlTreeNode key = ReadNode(parser, depth + 1, ref last);
                        if (key is not YamlTreeScalar scalarKey)
                        {
                            throw new YamlTreeException(key.Position, "a mapping key must be a plain name, not " + key.ShapeName);
                        }
                        if (seen.TryGetValue(scalarKey.Text, out SourcePosition first))
                        {
                            throw new YamlTreeException(key.Position, $"duplicate key '{scalarKey.Text}' (first given at line {first.Line}, column {first.Column})");
                        }
                        seen.Add(scalarKey.Text, key.Position);
                        YamlTreeNode value = ReadNode(parser, depth + 1, ref last);
                        entries.Add(new KeyValuePair<YamlTreeScalar, YamlTreeNode>(scalarKey, value));
                    }
                    Next(parser, ref last);
                    return new YamlTreeMapping(position, entries);
                }
            default:
                throw new YamlTreeException(position, "unexpected YAML structure");
        }
    }

    private static bool IsStandardTag(string tag)
    {
        // The core schema's own tags (for example "!!str" written to force a string) change nothing here,
        // because every scalar is read as text and typed by the scenario reader.
        return tag.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal) || tag == "!";
    }

    private static void Expect<T>(Parser parser, ref SourcePosition last)
        where T : ParsingEvent
    {
        ParsingEvent current = Next(parser, ref last);
        if (current is not T)
        {
            throw new YamlTreeException(PositionOf(current), "unexpected YAML structure");
        }
    }

    private static ParsingEvent Next(Parser parser, ref SourcePosition last)
    {
        // YamlDotNet's Current is the next event not yet consumed; consuming it moves the parser on.
        ParsingEvent current = Peek(parser) ?? throw new YamlTreeException(last, "unexpected end of file");
        last = PositionOf(current);
        parser.MoveNext();
        return current;
    }

    private static ParsingEvent? Peek(Parser parser)
    {
        if (parser.Current is null)
        {
            parser.MoveNext();
        }
        return parser.Current;
    }

    private static SourcePosition PositionOf(ParsingEvent e) => new(ClampToInt(e.Start.Line), ClampToInt(e.Start.Column));

    private static int ClampToInt(long value) => value < 1 ? 1 : value > int.MaxValue ? int.MaxValue : (int)value;

    private static string FirstSentence(string message)
    {
        // YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the position is
        // already in front of the error, so only the description is kept.
        int marker = message.LastIndexOf("): ", StringComparison.Ordinal);
        string text = marker >= 0 ? message[(marker + 3)..] : message;
        return text.ReplaceLineEndings(" ").Trim();
    }

    private sealed class YamlTreeException(SourcePosition position, string message) : Exception(message)
    {
        public SourcePosition Position { get; } = position;
    }
}
