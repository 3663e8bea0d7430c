// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Ovsdb.Schema;

/// <summary>
/// Our Open_vSwitch schema (schemas/vswitch.ovsschema, embedded in this assembly): the tables and columns real
/// OVS 3.1 clients expect, version 8.3.1.
/// </summary>
public static class VswitchSchema
{
    private static readonly Lazy<string> s_text = new(() =>
    {
        using Stream stream = typeof(VswitchSchema).Assembly.GetManifestResourceStream("SharpSwitch.Ovsdb.vswitch.ovsschema")
            ?? throw new InvalidOperationException("the vswitch schema resource is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The schema file's text.</summary>
    public static string Text => s_text.Value;

    /// <summary>The parsed schema.</summary>
    public static DatabaseSchema Load() => DatabaseSchema.Parse(Text);
}
