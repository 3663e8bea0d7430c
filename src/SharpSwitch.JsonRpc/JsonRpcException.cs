// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.JsonRpc;

/// <summary>
/// The peer sent something that is not a valid JSON-RPC 1.0 message stream: malformed JSON, a message that is too
/// large, or a JSON object that is not a request, notification or reply. A connection that raised this is unusable.
/// </summary>
public sealed class JsonRpcProtocolException : Exception
{
    /// <summary>Creates the exception with the human-readable reason.</summary>
    public JsonRpcProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the human-readable reason and the parser error behind it.</summary>
    public JsonRpcProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
