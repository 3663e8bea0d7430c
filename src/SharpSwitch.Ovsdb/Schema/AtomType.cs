// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Ovsdb.Schema;

/// <summary>The five OVSDB atomic types.</summary>
public enum AtomType
{
    /// <summary>64-bit signed integer.</summary>
    Integer,

    /// <summary>IEEE double.</summary>
    Real,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>UTF-8 string.</summary>
    String,

    /// <summary>RFC 4122 UUID, possibly a reference to a row.</summary>
    Uuid,
}

/// <summary>How a reference column holds on to the rows it names.</summary>
public enum RefType
{
    /// <summary>The referenced row must exist, and it cannot be deleted while referenced.</summary>
    Strong,

    /// <summary>The reference silently disappears when its row does.</summary>
    Weak,
}

/// <summary>Names of atomic types as they appear in schemas and error messages.</summary>
public static class AtomTypeNames
{
    /// <summary>The schema keyword for <paramref name="type"/>.</summary>
    public static string ToName(this AtomType type) => type switch
    {
        AtomType.Integer => "integer",
        AtomType.Real => "real",
        AtomType.Boolean => "boolean",
        AtomType.String => "string",
        _ => "uuid",
    };

    /// <summary>Parses a schema keyword, returning false for anything else.</summary>
    public static bool TryParse(string name, out AtomType type)
    {
        switch (name)
        {
            case "integer": type = AtomType.Integer; return true;
            case "real": type = AtomType.Real; return true;
            case "boolean": type = AtomType.Boolean; return true;
            case "string": type = AtomType.String; return true;
            case "uuid": type = AtomType.Uuid; return true;
            default: type = AtomType.Integer; return false;
        }
    }
}
