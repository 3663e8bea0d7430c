// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Numerics;
using System.Text;
using SharpSwitch.Bonding;
using SharpSwitch.Packets;

namespace SharpSwitch.Fuzz.Targets;

/// <summary>
/// Fuzz target "bond-migrate": the hash argument of <c>bond/migrate</c> on arbitrary text, checked against a slow
/// reference of OVS's rule (decimal digits only, then <c>atoi</c>, which saturates at LONG_MAX, masked to 8 bits). The
/// first byte picks the target member; the rest is the hash. An accepted hash must move exactly that bucket.
/// </summary>
internal static class BondMigrateFuzzTarget
{
    [FuzzTarget("bond-migrate")]
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0)
        {
            return;
        }
        string member = (input[0] & 1) == 0 ? "a" : "b";
        string hash = Encoding.Latin1.GetString(input[1..]);

        var bond = new Bond("bond0", new BondSettings { Mode = BondMode.BalanceSlb });
        bond.AddMember("a", new MacAddress(0x0200_0000_0001UL), MemberSettings.Default, true, 0);
        bond.AddMember("b", new MacAddress(0x0200_0000_0002UL), MemberSettings.Default, true, 0);
        bond.Run(0);

        int? expected = Reference(hash);
        string? reply;
        try
        {
            reply = bond.Migrate(hash, member, 1);
        }
        catch (BondCommandException ex)
        {
            Check(ex.Message == "bad hash", $"unexpected error '{ex.Message}'");
            Check(expected is null, $"'{hash}' refused but OVS takes it as bucket {expected}");
            return;
        }
        Check(reply == "migrated", $"reply '{reply}'");
        Check(expected is not null, $"'{hash}' accepted but OVS refuses it");
        for (int bucket = 0; bucket < BondHash.BucketCount; bucket++)
        {
            Check((bond.GetBucketMember(bucket)?.Name == member) == (bucket == expected), $"bucket {bucket} after migrating '{hash}'");
        }
    }

    private static int? Reference(string hash)
    {
        foreach (char c in hash)
        {
            if (c is < '0' or > '9')
            {
                return null;
            }
        }
        BigInteger value = hash.Length == 0 ? BigInteger.Zero : BigInteger.Parse(hash, System.Globalization.CultureInfo.InvariantCulture);
        return value > long.MaxValue ? 0xFF : (int)(value & 0xFF);
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("bond-migrate fuzz target: " + message);
        }
    }
}
