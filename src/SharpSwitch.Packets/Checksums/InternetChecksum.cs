// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>
/// The RFC 1071 Internet checksum: the one's complement of the one's complement sum of 16-bit big-endian words.
/// Sums are carried as a <see cref="uint"/> so that several pieces (pseudo-header, header, payload) can be added
/// before <see cref="Finish"/> folds and complements them.
/// </summary>
public static class InternetChecksum
{
    /// <summary>
    /// Adds <paramref name="data"/> to a running sum. An odd final byte is padded with zero, so only the last piece
    /// of a message may have odd length.
    /// </summary>
    public static uint Add(uint sum, ReadOnlySpan<byte> data)
    {
        ulong wide = sum;
        int i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            uint word = BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
            wide += (word >> 16) + (word & 0xFFFF);
        }
        for (; i + 2 <= data.Length; i += 2)
        {
            wide += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }
        if (i < data.Length)
        {
            wide += (uint)data[i] << 8;
        }
        return Fold(wide);
    }

    /// <summary>Adds one 16-bit word to a running sum.</summary>
    public static uint Add(uint sum, ushort word) => Fold((ulong)sum + word);

    /// <summary>Adds a 32-bit value as two 16-bit words.</summary>
    public static uint Add(uint sum, uint value) => Fold((ulong)sum + (value >> 16) + (value & 0xFFFF));

    /// <summary>Folds the carries of a running sum and returns its complement: the value to store in a checksum field.</summary>
    public static ushort Finish(uint sum)
    {
        return (ushort)~Fold(sum);
    }

    /// <summary>The checksum of <paramref name="data"/> alone.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(0, data));

    /// <summary>True when <paramref name="data"/>, checksum field included, sums to all ones (the checksum verifies).</summary>
    public static bool Verify(ReadOnlySpan<byte> data) => Compute(data) == 0;

    /// <summary>Adds the IPv4 pseudo-header that TCP and UDP checksums cover.</summary>
    public static uint AddIpv4PseudoHeader(uint sum, uint source, uint destination, byte protocol, int transportLength)
    {
        sum = Add(sum, source);
        sum = Add(sum, destination);
        sum = Add(sum, (ushort)protocol);
        return Add(sum, (ushort)transportLength);
    }

    /// <summary>Adds the IPv6 pseudo-header that TCP, UDP and ICMPv6 checksums cover.</summary>
    public static uint AddIpv6PseudoHeader(uint sum, UInt128 source, UInt128 destination, byte nextHeader, int transportLength)
    {
        Span<byte> addresses = stackalloc byte[32];
        BinaryPrimitives.WriteUInt128BigEndian(addresses, source);
        BinaryPrimitives.WriteUInt128BigEndian(addresses[16..], destination);
        sum = Add(sum, addresses);
        sum = Add(sum, (uint)transportLength);
        return Add(sum, (ushort)nextHeader);
    }

    private static uint Fold(ulong sum)
    {
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (uint)sum;
    }
}
