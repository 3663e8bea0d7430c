// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.JsonRpc;

/// <summary>
/// A client's list of servers, written as OVS writes it: one or more active addresses separated by commas
/// (<c>unix:/run/a.sock,unix:/run/b.sock,tcp:127.0.0.1:6641</c>). Blanks around the commas are ignored. A client
/// shuffles the list once (so that many clients spread over a cluster) and then walks it in order, wrapping round.
/// </summary>
public sealed class JsonRpcRemoteList
{
    private JsonRpcRemoteList(IReadOnlyList<JsonRpcAddress> addresses, string text)
    {
        Addresses = addresses;
        Text = text;
    }

    /// <summary>The addresses, in the order they will be tried.</summary>
    public IReadOnlyList<JsonRpcAddress> Addresses { get; }

    /// <summary>The list as it was written.</summary>
    public string Text { get; }

    /// <summary>Number of remotes.</summary>
    public int Count => Addresses.Count;

    /// <summary>Parses a list, throwing <see cref="FormatException"/> naming the first bad element.</summary>
    public static JsonRpcRemoteList Parse(string text)
    {
        return TryParse(text, out JsonRpcRemoteList? list, out string? error) ? list : throw new FormatException(error);
    }

    /// <summary>
    /// Parses a list of active addresses. Passive ones (<c>punix:</c>, <c>ptcp:</c>) are refused because a client
    /// cannot connect to them, and an empty element (<c>unix:a,,unix:b</c>) is refused rather than silently dropped.
    /// </summary>
    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JsonRpcRemoteList? list, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        list = null;
        var addresses = new List<JsonRpcAddress>();
        foreach (string part in text.Split(','))
        {
            string item = part.Trim();
            if (item.Length == 0)
            {
                error = $"{text}: empty remote in a comma-separated list";
                return false;
            }
            if (!JsonRpcAddress.TryParse(item, out JsonRpcAddress? address, out error))
            {
                return false;
            }
            if (address.IsPassive)
            {
                error = $"{item}: a client cannot connect to a passive (listening) address";
                return false;
            }
            addresses.Add(address);
        }
        list = new JsonRpcRemoteList(addresses, text);
        error = null;
        return true;
    }

    /// <summary>
    /// Returns the list in a random order, as OVS clients shuffle their remotes. With the same <paramref name="random"/>
    /// seed the order is always the same, which is how tests stay deterministic.
    /// </summary>
    public JsonRpcRemoteList Shuffled(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        JsonRpcAddress[] order = [.. Addresses];
        random.Shuffle(order);
        return new JsonRpcRemoteList(order, Text);
    }

    /// <summary>The list as it was written.</summary>
    public override string ToString() => Text;
}
