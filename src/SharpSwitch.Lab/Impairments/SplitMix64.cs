// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Lab.Impairments;

/// <summary>
/// A small, fast pseudo-random generator (Steele, Lea and Flood's SplitMix64). The lab uses its own generator rather
/// than <see cref="Random"/> because a scenario must give byte-identical results on every machine and every .NET
/// release, and only an algorithm written down here guarantees that.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed)
    {
        _state = seed;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform value in [0, 1) with 53 bits of precision.</summary>
    public double NextUnit() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="bound"/>); <paramref name="bound"/> must be positive.</summary>
    public long NextBelow(long bound)
    {
        // Lemire's multiply-shift maps 64 random bits onto the range with a bias far below anything a lab run can see.
        return (long)Math.BigMul(Next(), (ulong)bound, out _);
    }

    /// <summary>True with probability <paramref name="probability"/> (0 never draws, so an unused impairment costs nothing).</summary>
    public bool Chance(double probability)
    {
        return probability > 0 && (probability >= 1 || NextUnit() < probability);
    }

    /// <summary>
    /// A 64-bit FNV-1a hash of <paramref name="text"/>, for deriving a default seed from names: the same scenario and
    /// cable always get the same seed, and different cables get unrelated ones.
    /// </summary>
    public static ulong HashName(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }
}
