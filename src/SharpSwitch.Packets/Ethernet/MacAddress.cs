// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace SharpSwitch.Packets;

/// <summary>
/// A 48-bit Ethernet address held in the low 48 bits of a <see cref="ulong"/>, most significant octet first,
/// so that comparisons and hashing never allocate.
/// </summary>
public readonly struct MacAddress : IEquatable<MacAddress>, IComparable<MacAddress>, ISpanFormattable
{
    /// <summary>The number of octets in an Ethernet address.</summary>
    public const int Size = 6;

    private const ulong Mask = 0xFFFF_FFFF_FFFFUL;

    /// <summary>The address as a 48-bit integer, first octet in bits 47..40.</summary>
    public ulong Value { get; }

    /// <summary>Creates an address from its 48-bit integer form; higher bits are ignored.</summary>
    public MacAddress(ulong value)
    {
        Value = value & Mask;
    }

    /// <summary>The all-zero address.</summary>
    public static MacAddress Zero => default;

    /// <summary>The broadcast address ff:ff:ff:ff:ff:ff.</summary>
    public static MacAddress Broadcast => new(Mask);

    /// <summary>True for group addresses (the I/G bit of the first octet), broadcast included.</summary>
    public bool IsMulticast => (Value & 0x0100_0000_0000UL) != 0;

    /// <summary>True for ff:ff:ff:ff:ff:ff.</summary>
    public bool IsBroadcast => Value == Mask;

    /// <summary>True for 00:00:00:00:00:00.</summary>
    public bool IsZero => Value == 0;

    /// <summary>True for the IEEE 802.1D reserved range 01:80:c2:00:00:00 to 01:80:c2:00:00:0f (BPDUs, LACP, LLDP).</summary>
    public bool IsReservedLinkLocal => (Value & ~0xFUL) == 0x0180_C200_0000UL;

    /// <summary>Reads an address from the first six octets of <paramref name="source"/>.</summary>
    public static MacAddress Read(ReadOnlySpan<byte> source)
    {
        return new MacAddress(((ulong)BinaryPrimitives.ReadUInt16BigEndian(source) << 32) | BinaryPrimitives.ReadUInt32BigEndian(source[2..]));
    }

    /// <summary>Writes the six octets of the address to the start of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)Value);
    }

    /// <summary>Parses the colon-separated hexadecimal form <c>aa:bb:cc:dd:ee:ff</c> (OVS's ETH_ADDR_FMT).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out MacAddress address)
    {
        address = default;
        if (text is null)
        {
            return false;
        }
        return TryParse(text.AsSpan(), out address);
    }

    /// <summary>Parses the colon-separated hexadecimal form; each octet may have one or two digits, as OVS accepts.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress address)
    {
        address = default;
        ulong value = 0;
        int octets = 0;
        int position = 0;
        while (octets < Size)
        {
            int digits = 0;
            int octet = 0;
            while (position < text.Length && digits < 2 && IsHex(text[position]))
            {
                octet = (octet << 4) | HexValue(text[position]);
                position++;
                digits++;
            }
            if (digits == 0)
            {
                return false;
            }
            value = (value << 8) | (uint)octet;
            octets++;
            if (octets < Size)
            {
                if (position >= text.Length || text[position] != ':')
                {
                    return false;
                }
                position++;
            }
        }
        if (position != text.Length)
        {
            return false;
        }
        address = new MacAddress(value);
        return true;
    }

    /// <summary>Parses an address or throws <see cref="FormatException"/>.</summary>
    public static MacAddress Parse(string text)
    {
        return TryParse(text, out MacAddress address) ? address : throw new FormatException($"'{text}' is not an Ethernet address");
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <inheritdoc/>
    public bool Equals(MacAddress other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MacAddress other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value.GetHashCode();

    /// <inheritdoc/>
    public int CompareTo(MacAddress other) => Value.CompareTo(other.Value);

    /// <summary>Equality.</summary>
    public static bool operator ==(MacAddress left, MacAddress right) => left.Value == right.Value;

    /// <summary>Inequality.</summary>
    public static bool operator !=(MacAddress left, MacAddress right) => left.Value != right.Value;

    /// <summary>Formats as lower-case <c>aa:bb:cc:dd:ee:ff</c>, the form OVS prints.</summary>
    public override string ToString()
    {
        return string.Create(17, Value, static (span, value) => Format(value, span));
    }

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        if (destination.Length < 17)
        {
            charsWritten = 0;
            return false;
        }
        Format(Value, destination);
        charsWritten = 17;
        return true;
    }

    private static void Format(ulong value, Span<char> span)
    {
        const string Hex = "0123456789abcdef";
        for (int i = 0; i < Size; i++)
        {
            int octet = (int)(value >> (40 - (8 * i))) & 0xFF;
            span[i * 3] = Hex[octet >> 4];
            span[(i * 3) + 1] = Hex[octet & 0xF];
            if (i < Size - 1)
            {
                span[(i * 3) + 2] = ':';
            }
        }
    }
}
