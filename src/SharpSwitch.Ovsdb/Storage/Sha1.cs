// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using System.Numerics;

namespace SharpSwitch.Ovsdb.Storage;

/// <summary>
/// SHA-1 (FIPS 180-4) for the integrity check of log records. The log format fixes the algorithm; it guards against
/// torn and corrupted writes, not against an attacker. Computing it here instead of through
/// <c>System.Security.Cryptography</c> keeps the server from loading OpenSSL's libcrypto, which on Linux is about
/// 3.5 MB of resident memory in a process whose whole footprint is a few times that.
/// </summary>
internal static class Sha1
{
    /// <summary>The 20-byte digest of <paramref name="data"/>.</summary>
    public static byte[] HashData(ReadOnlySpan<byte> data)
    {
        Span<uint> state = [0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u];
        Span<uint> w = stackalloc uint[80];
        int full = data.Length / 64 * 64;
        for (int offset = 0; offset < full; offset += 64)
        {
            Compress(state, w, data.Slice(offset, 64));
        }

        // The tail, a 0x80 byte, zeros and the message length in bits, big-endian, fill one or two last blocks.
        Span<byte> tail = stackalloc byte[128];
        tail.Clear();
        int rest = data.Length - full;
        data[full..].CopyTo(tail);
        tail[rest] = 0x80;
        int tailLength = rest + 1 + 8 <= 64 ? 64 : 128;
        BinaryPrimitives.WriteUInt64BigEndian(tail[(tailLength - 8)..], (ulong)data.Length * 8);
        for (int offset = 0; offset < tailLength; offset += 64)
        {
            Compress(state, w, tail.Slice(offset, 64));
        }

        byte[] digest = new byte[20];
        for (int i = 0; i < 5; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(digest.AsSpan(i * 4), state[i]);
        }
        return digest;
    }

    private static void Compress(Span<uint> state, Span<uint> w, ReadOnlySpan<byte> block)
    {
        for (int t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt32BigEndian(block[(t * 4)..]);
        }
        for (int t = 16; t < 80; t++)
        {
            w[t] = BitOperations.RotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        }
        uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
        for (int t = 0; t < 80; t++)
        {
            uint f, k;
            if (t < 20)
            {
                f = (b & c) | (~b & d);
                k = 0x5A827999u;
            }
            else if (t < 40)
            {
                f = b ^ c ^ d;
                k = 0x6ED9EBA1u;
            }
            else if (t < 60)
            {
                f = (b & c) | (b & d) | (c & d);
                k = 0x8F1BBCDCu;
            }
            else
            {
                f = b ^ c ^ d;
                k = 0xCA62C1D6u;
            }
            uint temp = BitOperations.RotateLeft(a, 5) + f + e + k + w[t];
            e = d;
            d = c;
            c = BitOperations.RotateLeft(b, 30);
            b = a;
            a = temp;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
    }
}
