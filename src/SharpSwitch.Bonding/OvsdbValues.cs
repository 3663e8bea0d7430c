// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding;

/// <summary>
/// Reads <c>other_config</c> values with the exact rules Open vSwitch applies to its string maps, so that a value
/// OVS would ignore is ignored here too.
/// </summary>
internal static class OvsdbValues
{
    /// <summary>
    /// OVS's integer rule: the whole value must be a base-10 integer that fits in 32 bits. Leading white space and a
    /// sign are accepted (the C library's <c>strtol</c> skips and reads them); anything after the digits is not.
    /// </summary>
    public static bool TryParseInt(string? text, out int value)
    {
        value = 0;
        if (text is null)
        {
            return false;
        }
        int position = 0;
        while (position < text.Length && IsCSpace(text[position]))
        {
            position++;
        }
        bool negative = false;
        if (position < text.Length && (text[position] == '+' || text[position] == '-'))
        {
            negative = text[position] == '-';
            position++;
        }
        int digitsStart = position;
        long magnitude = 0;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            magnitude = (magnitude * 10) + (text[position] - '0');
            if (magnitude > (long)int.MaxValue + 1)
            {
                return false;
            }
            position++;
        }
        if (position == digitsStart || position != text.Length)
        {
            return false;
        }
        long signed = negative ? -magnitude : magnitude;
        if (signed < int.MinValue || signed > int.MaxValue)
        {
            return false;
        }
        value = (int)signed;
        return true;
    }

    /// <summary>Reads an integer key, falling back to <paramref name="defaultValue"/> when absent or malformed.</summary>
    public static int GetInt(IReadOnlyDictionary<string, string> map, string key, int defaultValue)
    {
        return map.TryGetValue(key, out string? text) && TryParseInt(text, out int value) ? value : defaultValue;
    }

    /// <summary>
    /// OVS's boolean rule with a false default: only the case-insensitive string <c>true</c> is true;
    /// <c>yes</c>, <c>1</c> and <c>on</c> are false.
    /// </summary>
    public static bool GetBool(IReadOnlyDictionary<string, string> map, string key)
    {
        return map.TryGetValue(key, out string? text) && string.Equals(text, "true", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
