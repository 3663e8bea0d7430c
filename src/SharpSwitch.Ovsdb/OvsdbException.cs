// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json.Nodes;

namespace SharpSwitch.Ovsdb;

/// <summary>
/// The single error type of the OVSDB engine. It carries the three fields OVS puts on the wire: a short
/// machine-readable tag (<c>syntax error</c>, <c>constraint violation</c>, ...), a human-readable details text and,
/// for parse errors, the offending JSON as compact text.
/// </summary>
public sealed class OvsdbException : Exception
{
    /// <summary>Creates an error with OVS's tag, details and optional syntax text.</summary>
    public OvsdbException(string tag, string details, string? syntax = null)
        : base(string.IsNullOrEmpty(details) ? tag : tag + ": " + details)
    {
        Tag = tag;
        Details = details;
        Syntax = syntax;
    }

    /// <summary>The error class, e.g. <c>constraint violation</c>.</summary>
    public string Tag { get; }

    /// <summary>The explanation OVS gives for this error.</summary>
    public string Details { get; }

    /// <summary>The JSON text that could not be parsed, when there is one.</summary>
    public string? Syntax { get; }

    /// <summary>Builds the <c>{"syntax":...,"details":...,"error":...}</c> object OVS sends.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        if (Syntax is not null)
        {
            json["syntax"] = Syntax;
        }
        if (Details.Length > 0)
        {
            json["details"] = Details;
        }
        json["error"] = Tag;
        return json;
    }

    /// <summary>Shorthand for a <c>syntax error</c> whose syntax text is <paramref name="syntax"/>.</summary>
    public static OvsdbException SyntaxError(string? syntax, string details) => new("syntax error", details, syntax);

    /// <summary>Shorthand for a <c>constraint violation</c>.</summary>
    public static OvsdbException ConstraintViolation(string details) => new("constraint violation", details);
}
