// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Numerics;

namespace SharpSwitch.Packets;

/// <summary>
/// The Murmur3-style word hash that OVS builds without SSE4.2 (Debian's x86-64 package among them): a running
/// 32-bit state that absorbs 32-bit words and ends with the Murmur3 finaliser. All arithmetic wraps mod 2^32.
/// </summary>
internal static class MurmurHash
{
    private const uint C1 = 0xCC9E2D51;
    private const uint C2 = 0x1B873593;
    private const uint StepAddend = 0xE6546B64;

    /// <summary>
    /// Absorbs one word. A zero word only advances the state (it is not mixed in), which is why hashing a zero word
    /// differs from skipping it.
    /// </summary>
    public static uint Add(uint hash, uint data)
    {
        if (data != 0)
        {
            data *= C1;
            data = BitOperations.RotateLeft(data, 15);
            data *= C2;
            hash ^= data;
        }
        hash = BitOperations.RotateLeft(hash, 13);
        return (hash * 5) + StepAddend;
    }

    /// <summary>Absorbs a 64-bit value as its low word, then its high word.</summary>
    public static uint Add64(uint hash, ulong data) => Add(Add(hash, (uint)data), (uint)(data >> 32));

    /// <summary>Mixes a final value into the state and applies the Murmur3 finaliser (fmix32).</summary>
    public static uint Finish(uint hash, uint final)
    {
        hash ^= final;
        hash ^= hash >> 16;
        hash *= 0x85EBCA6B;
        hash ^= hash >> 13;
        hash *= 0xC2B2AE35;
        hash ^= hash >> 16;
        return hash;
    }

    /// <summary>OVS's hash of one 32-bit integer with a basis: the pair (x, basis) hashed as two words.</summary>
    public static uint HashInt(uint value, uint basis) => Finish(Add(Add(value, 0), basis), 8);

    /// <summary>OVS's hash of a 64-bit integer with a basis.</summary>
    public static uint HashUInt64(ulong value, uint basis) => Finish(Add64(basis, value), 8);
}
