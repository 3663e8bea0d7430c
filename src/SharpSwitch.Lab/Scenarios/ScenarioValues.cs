// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;

namespace SharpSwitch.Lab.Scenarios;

/// <summary>
/// Parsers for the value syntaxes scenario files use: durations (<c>500ms</c>, <c>10s</c>, <c>1m</c>), IPv4 addresses
/// with a prefix length, names. Each returns false with a message that says what was expected.
/// </summary>
internal static class ScenarioValues
{
    /// <summary>The longest duration a scenario may name: one day of virtual time.</summary>
    public const long MaximumDurationMs = 24L * 60 * 60 * 1000;

    /// <summary>Longest node, bridge, port or interface name (Linux's IFNAMSIZ minus the terminator is 15; OVS allows more).</summary>
    public const int MaximumNameLength = 32;

    /// <summary>
    /// Parses a duration with a unit: <c>ms</c>, <c>s</c> or <c>m</c>, with an optional fraction (<c>1.5s</c>). The result
    /// must be a whole number of milliseconds, because the lab's clock ticks in milliseconds as OVS's does.
    /// </summary>
    public static bool TryParseDuration(string text, out long milliseconds, out string error)
    {
        milliseconds = 0;
        error = "";
        string trimmed = text.Trim();
        int unitStart = trimmed.Length;
        while (unitStart > 0 && char.IsAsciiLetter(trimmed[unitStart - 1]))
        {
            unitStart--;
        }
        string number = trimmed[..unitStart];
        string unit = trimmed[unitStart..];
        long scale = unit switch
        {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            _ => 0,
        };
        if (number.Length == 0 || scale == 0)
        {
            error = unit.Length == 0 && number.Length > 0
                ? $"'{text}' needs a unit: write {number}ms, {number}s or {number}m"
                : $"'{text}' is not a duration (examples: 500ms, 10s, 1.5s, 1m)";
            return false;
        }
        if (number.StartsWith('-'))
        {
            error = $"'{text}' is negative; durations are 0 or more";
            return false;
        }
        if (!IsPlainDecimal(number) || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            error = $"'{text}' is not a duration (examples: 500ms, 10s, 1.5s, 1m)";
            return false;
        }
        if (value > MaximumDurationMs / scale)
        {
            error = $"'{text}' is longer than the lab's limit of 24h";
            return false;
        }
        decimal scaled = value * scale;
        if (scaled != decimal.Truncate(scaled))
        {
            error = $"'{text}' is not a whole number of milliseconds";
            return false;
        }
        milliseconds = (long)scaled;
        return true;
    }

    private static bool IsPlainDecimal(string number)
    {
        int dots = 0;
        foreach (char c in number)
        {
            if (c == '.')
            {
                dots++;
            }
            else if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return dots <= 1 && number[0] != '.' && number[^1] != '.' && number.Length <= 20;
    }

    /// <summary>
    /// Parses a percentage as netem writes it: <c>5%</c>, <c>0.1%</c>, or a bare number meaning the same
    /// (containerlab's <c>--loss 5</c>). The value must lie from 0 to 100.
    /// </summary>
    public static bool TryParsePercent(string text, out decimal percent, out string error)
    {
        percent = 0;
        error = "";
        string number = text.Trim();
        if (number.EndsWith('%'))
        {
            number = number[..^1].TrimEnd();
        }
        if (number.StartsWith('-'))
        {
            error = $"'{Shorten(text)}' is negative; a percentage is from 0% to 100%";
            return false;
        }
        if (number.Length == 0 || !IsPlainDecimal(number) || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out percent))
        {
            error = $"'{Shorten(text)}' is not a percentage (examples: 5%, 0.1%)";
            return false;
        }
        if (percent > 100)
        {
            error = $"'{Shorten(text)}' is more than 100%";
            return false;
        }
        return true;
    }

    /// <summary>The largest rate the lab accepts: 100 Gbit/s.</summary>
    public const long MaximumRateBitsPerSecond = 100_000_000_000;

    /// <summary>
    /// Parses a link rate as tc writes it: a number of bits per second with an optional <c>bit</c>, <c>kbit</c>,
    /// <c>mbit</c> or <c>gbit</c> unit (decimal multiples, as tc uses). tc's <c>bps</c> means bytes per second, a
    /// classic trap, so it is refused with a hint rather than guessed at.
    /// </summary>
    public static bool TryParseRate(string text, out long bitsPerSecond, out string error)
    {
        bitsPerSecond = 0;
        error = "";
        string trimmed = text.Trim();
        int unitStart = trimmed.Length;
        while (unitStart > 0 && char.IsAsciiLetter(trimmed[unitStart - 1]))
        {
            unitStart--;
        }
        string number = trimmed[..unitStart];
        string unit = trimmed[unitStart..].ToLowerInvariant();
        long scale = unit switch
        {
            "" or "bit" => 1,
            "kbit" => 1_000,
            "mbit" => 1_000_000,
            "gbit" => 1_000_000_000,
            _ => 0,
        };
        if (scale == 0)
        {
            error = unit.EndsWith("bps", StringComparison.Ordinal)
                ? $"'{Shorten(text)}': tc's 'bps' means bytes per second; write the rate in bits, e.g. 10mbit"
                : $"'{Shorten(text)}' is not a rate (examples: 10mbit, 1gbit, 500kbit, 64000)";
            return false;
        }
        if (number.StartsWith('-'))
        {
            error = $"'{Shorten(text)}' is negative; a rate is more than 0";
            return false;
        }
        if (number.Length == 0 || !IsPlainDecimal(number) || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            error = $"'{Shorten(text)}' is not a rate (examples: 10mbit, 1gbit, 500kbit, 64000)";
            return false;
        }
        if (value > MaximumRateBitsPerSecond / scale)
        {
            error = $"'{Shorten(text)}' is faster than the lab's limit of 100gbit";
            return false;
        }
        decimal bits = value * scale;
        if (bits != decimal.Truncate(bits))
        {
            error = $"'{Shorten(text)}' is not a whole number of bits per second";
            return false;
        }
        if (bits < 1)
        {
            error = $"'{Shorten(text)}' is not more than 0 bits per second";
            return false;
        }
        bitsPerSecond = (long)bits;
        return true;
    }

    /// <summary>Formats a rate with the largest tc unit that divides it: <c>10mbit</c>, <c>1500kbit</c>, <c>64bit</c>.</summary>
    public static string FormatRate(long bitsPerSecond)
    {
        foreach ((long scale, string unit) in new[] { (1_000_000_000L, "gbit"), (1_000_000L, "mbit"), (1_000L, "kbit") })
        {
            if (bitsPerSecond % scale == 0)
            {
                return (bitsPerSecond / scale).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        return bitsPerSecond.ToString(CultureInfo.InvariantCulture) + "bit";
    }

    /// <summary>Formats milliseconds the way the report prints times: seconds with three decimals.</summary>
    public static string FormatSeconds(long milliseconds)
    {
        return (milliseconds / 1000).ToString(CultureInfo.InvariantCulture) + "." + (milliseconds % 1000).ToString("D3", CultureInfo.InvariantCulture) + " s";
    }

    /// <summary>Parses <c>a.b.c.d/len</c> in strict dotted-quad form.</summary>
    public static bool TryParseIpv4WithPrefix(string text, out uint address, out int prefixLength, out string error)
    {
        address = 0;
        prefixLength = 0;
        error = $"'{text}' is not an IPv4 address with a prefix length (example: 192.0.2.10/24)";
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            if (TryParseIpv4(text, out _))
            {
                error = $"'{text}' needs a prefix length (example: {text}/24)";
            }
            return false;
        }
        if (!TryParseIpv4(text[..slash], out address))
        {
            return false;
        }
        string prefix = text[(slash + 1)..];
        if (prefix.Length is 0 or > 2 || !prefix.All(char.IsAsciiDigit))
        {
            return false;
        }
        prefixLength = int.Parse(prefix, CultureInfo.InvariantCulture);
        if (prefixLength is < 1 or > 30)
        {
            error = $"prefix length /{prefixLength} leaves no room for two hosts; use /1 to /30";
            return false;
        }
        uint hostMask = uint.MaxValue >> prefixLength;
        if ((address & hostMask) == 0 || (address & hostMask) == hostMask)
        {
            error = $"'{text}' is the network or broadcast address of its subnet";
            return false;
        }
        if ((address >> 28) >= 14 || (address >> 24) is 0 or 127)
        {
            error = $"'{text}' is not a unicast host address";
            return false;
        }
        return true;
    }

    /// <summary>Parses a dotted quad (<c>192.0.2.1</c>) with no leading zeros, shortcuts or spaces.</summary>
    public static bool TryParseIpv4(string text, out uint address)
    {
        address = 0;
        string[] parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }
        foreach (string part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }
            int octet = int.Parse(part, CultureInfo.InvariantCulture);
            if (octet > 255)
            {
                return false;
            }
            address = (address << 8) | (uint)octet;
        }
        return true;
    }

    /// <summary>Formats an IPv4 address as a dotted quad.</summary>
    public static string FormatIpv4(uint address)
    {
        return string.Create(CultureInfo.InvariantCulture, $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}");
    }

    /// <summary>
    /// Checks a node, bridge, port or interface name: letters, digits, '-', '_' and '.', starting with a letter or
    /// digit. The ':' is excluded because it separates node and interface in endpoints.
    /// </summary>
    public static bool IsValidName(string text, out string error)
    {
        error = "";
        if (text.Length == 0)
        {
            error = "a name cannot be empty";
            return false;
        }
        if (text.Length > MaximumNameLength)
        {
            error = $"'{Shorten(text)}' is longer than {MaximumNameLength} characters";
            return false;
        }
        if (!char.IsAsciiLetterOrDigit(text[0]) || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            error = $"'{Shorten(text)}' is not a valid name (use letters, digits, '-', '_' and '.', starting with a letter or digit)";
            return false;
        }
        return true;
    }

    /// <summary>Cuts long user text so that an error message stays one readable line.</summary>
    public static string Shorten(string text)
    {
        string oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length <= 40 ? oneLine : oneLine[..37] + "...";
    }
}
