// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Security.Cryptography;
using System.Text;
using SharpSwitch.Ovsdb.Storage;

namespace SharpSwitch.Ovsdb.Tests.Storage;

/// <summary>The log's own SHA-1 gives the standard digests, checked against the published vectors and the BCL.</summary>
public sealed class Sha1Tests
{
    [Theory]
    [InlineData("", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [InlineData("abc", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1")]
    public void Published_test_vectors(string message, string digest)
    {
        Assert.Equal(digest, Convert.ToHexStringLower(Sha1.HashData(Encoding.ASCII.GetBytes(message))));
    }

    [Fact]
    public void Every_length_around_the_block_and_padding_boundaries_matches_the_platform_implementation()
    {
        var random = new Random(1234);
        for (int length = 0; length <= 300; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(SHA1.HashData(data), Sha1.HashData(data));
        }
        byte[] big = new byte[1 << 20];
        random.NextBytes(big);
        Assert.Equal(SHA1.HashData(big), Sha1.HashData(big));
    }
}
