// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Net;

namespace SharpSwitch.JsonRpc;

/// <summary>The transport named by an OVS connection string.</summary>
public enum JsonRpcTransport
{
    /// <summary><c>unix:PATH</c>: connect to a Unix domain socket.</summary>
    Unix,

    /// <summary><c>tcp:IP:PORT</c>: connect over TCP.</summary>
    Tcp,

    /// <summary><c>punix:PATH</c>: listen on a Unix domain socket.</summary>
    PassiveUnix,

    /// <summary><c>ptcp:PORT[:IP]</c>: listen on TCP.</summary>
    PassiveTcp,
}

/// <summary>
/// A parsed OVS stream address: <c>unix:PATH</c>, <c>tcp:IP[:PORT]</c>, <c>punix:PATH</c> or <c>ptcp:[PORT][:IP]</c>.
/// IPv6 addresses go in square brackets, as in OVS (<c>tcp:[::1]:6640</c>, <c>ptcp:6640:[::1]</c>).
/// </summary>
public sealed record JsonRpcAddress
{
    /// <summary>The port OVSDB uses when a TCP address names none.</summary>
    public const int DefaultOvsdbPort = 6640;

    private JsonRpcAddress(JsonRpcTransport transport, string? path, IPAddress? ip, int port, string text)
    {
        Transport = transport;
        Path = path;
        IPAddress = ip;
        Port = port;
        Text = text;
    }

    /// <summary>Which transport, and whether it connects or listens.</summary>
    public JsonRpcTransport Transport { get; }

    /// <summary>The socket file of a Unix address; null for TCP.</summary>
    public string? Path { get; }

    /// <summary>The IP address of a TCP address; for <c>ptcp:</c> without an address this is <see cref="IPAddress.Any"/>.</summary>
    public IPAddress? IPAddress { get; }

    /// <summary>The TCP port; 0 for Unix addresses (and for <c>ptcp:0</c>, meaning any free port).</summary>
    public int Port { get; }

    /// <summary>The address as it was written.</summary>
    public string Text { get; }

    /// <summary>True for <c>punix:</c> and <c>ptcp:</c>.</summary>
    public bool IsPassive => Transport is JsonRpcTransport.PassiveUnix or JsonRpcTransport.PassiveTcp;

    /// <summary>True for TCP addresses, the only ones that get inactivity probes by default.</summary>
    public bool IsTcp => Transport is JsonRpcTransport.Tcp or JsonRpcTransport.PassiveTcp;

    /// <summary>Parses an address, throwing <see cref="FormatException"/> with a clear message when it is invalid.</summary>
    public static JsonRpcAddress Parse(string text)
    {
        return TryParse(text, out JsonRpcAddress? address, out string? error) ? address : throw new FormatException(error);
    }

    /// <summary>Parses an address; on failure returns false with the reason in <paramref name="error"/>.</summary>
    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JsonRpcAddress? address, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        address = null;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            error = $"{text}: unknown connection method (expected unix:, tcp:, punix: or ptcp:)";
            return false;
        }
        string scheme = text[..colon];
        string rest = text[(colon + 1)..];
        switch (scheme)
        {
            case "unix":
            case "punix":
                if (rest.Length == 0)
                {
                    error = $"{text}: a socket path is required after \"{scheme}:\"";
                    return false;
                }
                address = new JsonRpcAddress(scheme == "unix" ? JsonRpcTransport.Unix : JsonRpcTransport.PassiveUnix, rest, null, 0, text);
                error = null;
                return true;
            case "tcp":
                {
                    if (!SplitHostAndPort(rest, out string host, out string? portText) || host.Length == 0)
                    {
                        error = $"{text}: expected \"tcp:IP[:PORT]\"";
                        return false;
                    }
                    if (!IPAddress.TryParse(host, out IPAddress? ip))
                    {
                        error = $"{text}: \"{host}\" is not a valid IP address";
                        return false;
                    }
                    int port = DefaultOvsdbPort;
                    if (portText is not null && !TryParsePort(portText, allowZero: false, out port))
                    {
                        error = $"{text}: \"{portText}\" is not a valid TCP port";
                        return false;
                    }
                    address = new JsonRpcAddress(JsonRpcTransport.Tcp, null, ip, port, text);
                    error = null;
                    return true;
                }
            case "ptcp":
                {
                    int separator = rest.IndexOf(':', StringComparison.Ordinal);
                    string portText = separator < 0 ? rest : rest[..separator];
                    string hostText = separator < 0 ? "" : rest[(separator + 1)..];
                    int port = DefaultOvsdbPort;
                    if (portText.Length > 0 && !TryParsePort(portText, allowZero: true, out port))
                    {
                        error = $"{text}: \"{portText}\" is not a valid TCP port";
                        return false;
                    }
                    IPAddress ip = IPAddress.Any;
                    if (hostText.Length > 0)
                    {
                        string bare = hostText.StartsWith('[') && hostText.EndsWith(']') ? hostText[1..^1] : hostText;
                        if (!IPAddress.TryParse(bare, out IPAddress? parsed))
                        {
                            error = $"{text}: \"{hostText}\" is not a valid IP address";
                            return false;
                        }
                        ip = parsed;
                    }
                    address = new JsonRpcAddress(JsonRpcTransport.PassiveTcp, null, ip, port, text);
                    error = null;
                    return true;
                }
            default:
                error = $"{text}: unknown connection method \"{scheme}\" (expected unix:, tcp:, punix: or ptcp:)";
                return false;
        }
    }

    /// <summary>The address as it was written.</summary>
    public override string ToString()
    {
        return Text;
    }

    private static bool SplitHostAndPort(string rest, out string host, out string? port)
    {
        port = null;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                host = "";
                return false;
            }
            host = rest[1..close];
            string after = rest[(close + 1)..];
            if (after.Length == 0)
            {
                return true;
            }
            if (after[0] != ':')
            {
                return false;
            }
            port = after[1..];
            return true;
        }
        int colon = rest.LastIndexOf(':');
        if (colon < 0)
        {
            host = rest;
            return true;
        }
        if (rest.IndexOf(':', StringComparison.Ordinal) != colon)
        {
            // Several colons without brackets: an IPv6 address without a port.
            host = rest;
            return true;
        }
        host = rest[..colon];
        port = rest[(colon + 1)..];
        return true;
    }

    private static bool TryParsePort(string text, bool allowZero, out int port)
    {
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535 && (allowZero || port > 0);
    }
}
