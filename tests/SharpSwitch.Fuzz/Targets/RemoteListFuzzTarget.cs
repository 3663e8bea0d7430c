// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using SharpSwitch.JsonRpc;

namespace SharpSwitch.Fuzz.Targets;

/// <summary>
/// Parses the input as a comma-separated remote list (<c>--db=unix:A,unix:B,tcp:IP:PORT</c>). Parsing must either
/// succeed or fail with a reason, never throw; a list that parses holds only active addresses, one per comma-separated
/// element, and reparsing the elements it found gives the same addresses, in any shuffled order.
/// </summary>
internal static class RemoteListFuzzTarget
{
    [FuzzTarget("remote-list")]
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        string text = Encoding.UTF8.GetString(input);
        if (!JsonRpcRemoteList.TryParse(text, out JsonRpcRemoteList? list, out string? error))
        {
            if (string.IsNullOrEmpty(error))
            {
                throw new InvalidOperationException($"refused {text} without a reason");
            }
            return;
        }
        if (list.Count != text.Split(',').Length || list.Addresses.Any(a => a.IsPassive))
        {
            throw new InvalidOperationException($"{text}: parsed into {list.Count} addresses, passive ones included");
        }
        string rejoined = string.Join(',', list.Addresses.Select(a => a.Text));
        JsonRpcRemoteList again = JsonRpcRemoteList.Parse(rejoined);
        JsonRpcRemoteList shuffled = again.Shuffled(new Random(input.Length));
        if (!again.Addresses.SequenceEqual(list.Addresses)
            || !shuffled.Addresses.Select(a => a.Text).Order(StringComparer.Ordinal).SequenceEqual(list.Addresses.Select(a => a.Text).Order(StringComparer.Ordinal)))
        {
            throw new InvalidOperationException($"{text}: reparsing or shuffling changed the addresses");
        }
    }
}
