// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets.Tests;

public sealed class InternetChecksumTests
{
    [Fact]
    public void Rfc1071_example_sums_to_ddf2()
    {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (one's complement), so the checksum is 220d.
        byte[] data = Hex.Bytes("0001 f203 f4f5 f6f7");
        Assert.Equal(0x220d, InternetChecksum.Compute(data));
        Assert.Equal(0xddf2u, InternetChecksum.Add(0, data));
    }

    [Fact]
    public void Odd_length_pads_the_last_byte_with_zero()
    {
        Assert.Equal(InternetChecksum.Compute(Hex.Bytes("0102 03")), InternetChecksum.Compute(Hex.Bytes("0102 0300")));
    }

    [Fact]
    public void Pieces_add_up_to_the_whole()
    {
        byte[] data = Goldens.TcpSyn;
        uint whole = InternetChecksum.Add(0, data);
        uint pieces = InternetChecksum.Add(InternetChecksum.Add(0, data.AsSpan(0, 20)), data.AsSpan(20));
        Assert.Equal(InternetChecksum.Finish(whole), InternetChecksum.Finish(pieces));
    }

    [Fact]
    public void Verify_accepts_a_correct_header_and_rejects_a_flipped_bit()
    {
        byte[] header = Goldens.IcmpEchoRequest[14..34];
        Assert.True(InternetChecksum.Verify(header));
        header[5] ^= 0x01;
        Assert.False(InternetChecksum.Verify(header));
    }

    [Fact]
    public void Large_inputs_do_not_overflow()
    {
        byte[] ones = new byte[65536];
        Array.Fill(ones, (byte)0xFF);
        Assert.Equal(0, InternetChecksum.Compute(ones));
    }
}
