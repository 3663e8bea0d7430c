// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Lab.Scenarios.Yaml;

/// <summary>A position in a scenario file, 1-based as editors and compilers print it.</summary>
internal readonly record struct SourcePosition(int Line, int Column)
{
    /// <summary>The position used when a problem concerns the file as a whole.</summary>
    public static SourcePosition FileStart => new(1, 1);
}

/// <summary>
/// One node of a parsed YAML document with the position where it starts. The lab reads YAML into this small tree
/// instead of YamlDotNet's representation model so that it decides itself about aliases, nesting depth and duplicate
/// keys, each of which must become a located error rather than an exception or a stack overflow.
/// </summary>
internal abstract class YamlTreeNode(SourcePosition position)
{
    /// <summary>Where the node starts in the file.</summary>
    public SourcePosition Position { get; } = position;

    /// <summary>A short word for the node's shape, used in error messages ("a mapping", "a list", "a value").</summary>
    public abstract string ShapeName { get; }
}

/// <summary>A scalar. YAML scalars are all text here; the scenario reader gives them a type.</summary>
internal sealed class YamlTreeScalar(SourcePosition position, string text, bool quoted) : YamlTreeNode(position)
{
    /// <summary>The scalar's text after YAML unescaping.</summary>
    public string Text { get; } = text;

    /// <summary>True when the scalar was written in quotes or as a block, so <c>"null"</c> stays a string.</summary>
    public bool Quoted { get; } = quoted;

    /// <summary>True for a plain empty scalar, <c>~</c> or <c>null</c>: YAML's way of writing "nothing".</summary>
    public bool IsNull => !Quoted && Text is "" or "~" or "null" or "Null" or "NULL";

    /// <inheritdoc/>
    public override string ShapeName => IsNull ? "nothing" : "a value";
}

/// <summary>A mapping whose keys are scalars, in file order.</summary>
internal sealed class YamlTreeMapping(SourcePosition position, IReadOnlyList<KeyValuePair<YamlTreeScalar, YamlTreeNode>> entries) : YamlTreeNode(position)
{
    /// <summary>The entries in the order they appear in the file; keys are unique.</summary>
    public IReadOnlyList<KeyValuePair<YamlTreeScalar, YamlTreeNode>> Entries { get; } = entries;

    /// <inheritdoc/>
    public override string ShapeName => "a mapping";
}

/// <summary>A sequence, in file order.</summary>
internal sealed class YamlTreeSequence(SourcePosition position, IReadOnlyList<YamlTreeNode> items) : YamlTreeNode(position)
{
    /// <summary>The items in file order.</summary>
    public IReadOnlyList<YamlTreeNode> Items { get; } = items;

    /// <inheritdoc/>
    public override string ShapeName => "a list";
}
