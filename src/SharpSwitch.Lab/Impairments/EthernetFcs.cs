// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Lab.Impairments;

/// <summary>
/// The Ethernet frame check sequence: CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320). The dummy cable carries
/// frames without an FCS, so an impaired cable computes it where the sender's NIC would and checks it where the
/// receiver's NIC would; a flipped bit then fails the check exactly as it would on copper.
/// </summary>
internal static class EthernetFcs
{
    private static readonly uint[] s_table = BuildTable();

    /// <summary>The FCS of <paramref name="frame"/> (destination address to the end of the payload).</summary>
    public static uint Compute(ReadOnlySpan<byte> frame)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in frame)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            table[i] = c;
        }
        return table;
    }
}
