// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets.Tests;

/// <summary>
/// Literal frames used as goldens. They were written down independently of the code under test: the LACP frame is
/// the capture from real OVS 3.1 in bonding-spec.md §D.1, the others were composed field by field by hand (with a
/// separate checksum routine) and their checksums are confirmed by tshark in <see cref="Interop.TsharkDissectionTests"/>.
/// </summary>
internal static class Goldens
{
    public static readonly MacAddress HostA = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly MacAddress HostB = MacAddress.Parse("02:00:00:00:00:02");
    public const uint IpA = 0x0A000001; // 10.0.0.1
    public const uint IpB = 0x0A000002; // 10.0.0.2

    /// <summary>02:..:01 → 02:..:02, 10.0.0.1 → 10.0.0.2, ICMP echo request id 0x1234 seq 1, payload "abcdefgh".</summary>
    public static readonly byte[] IcmpEchoRequest = Hex.Bytes(
        "020000000002 020000000001 0800"
        + "4500 0024 0000 0000 4001 66d7 0a000001 0a000002"
        + "08 00 5435 1234 0001 6162636465666768");

    /// <summary>The reply to <see cref="IcmpEchoRequest"/>.</summary>
    public static readonly byte[] IcmpEchoReply = Hex.Bytes(
        "020000000001 020000000002 0800"
        + "4500 0024 0000 0000 4001 66d7 0a000002 0a000001"
        + "00 00 5c35 1234 0001 6162636465666768");

    /// <summary>VLAN 10 tagged UDP 10.0.0.1:1234 → 10.0.0.2:80, payload "abcd".</summary>
    public static readonly byte[] UdpVlan10 = Hex.Bytes(
        "020000000002 020000000001 8100 000a 0800"
        + "4500 0020 0000 0000 4011 66cb 0a000001 0a000002"
        + "04d2 0050 000c 21eb 61626364");

    /// <summary>TCP SYN 10.0.0.1:40000 → 10.0.0.2:443, seq 1000, window 65535.</summary>
    public static readonly byte[] TcpSyn = Hex.Bytes(
        "020000000002 020000000001 0800"
        + "4500 0028 0000 0000 4006 66ce 0a000001 0a000002"
        + "9c40 01bb 000003e8 00000000 50 02 ffff f9fc 0000");

    /// <summary>UDP over IPv6 fe80::1:546 → fe80::2:547 to 33:33:00:01:00:02, payload "hi".</summary>
    public static readonly byte[] Udp6 = Hex.Bytes(
        "333300010002 020000000001 86dd"
        + "60000000 000a 11 40 fe800000000000000000000000000001 fe800000000000000000000000000002"
        + "0222 0223 000a 9627 6869");

    /// <summary>ARP request: who has 10.0.0.2, tell 10.0.0.1.</summary>
    public static readonly byte[] ArpRequest = Hex.Bytes(
        "ffffffffffff 020000000001 0806"
        + "0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002");

    /// <summary>ARP reply: 10.0.0.2 is at 02:..:02, to 02:..:01.</summary>
    public static readonly byte[] ArpReply = Hex.Bytes(
        "020000000001 020000000002 0806"
        + "0001 0800 06 04 0002 020000000002 0a000002 020000000001 0a000001");

    /// <summary>OVS learning packet for c2:05:e8:10:ab:2b (the MAC in the §C.7 capture), untagged: 42 bytes.</summary>
    public static readonly byte[] LearningPacket = Hex.Bytes(
        "ffffffffffff c205e810ab2b 8035"
        + "0001 0800 06 04 0003 c205e810ab2b 00000000 c205e810ab2b 00000000");

    /// <summary>The same learning packet for an FDB entry on VLAN 5: 46 bytes.</summary>
    public static readonly byte[] LearningPacketVlan5 = Hex.Bytes(
        "ffffffffffff c205e810ab2b 8100 0005 8035"
        + "0001 0800 06 04 0003 c205e810ab2b 00000000 c205e810ab2b 00000000");

    /// <summary>The LACP frame captured from OVS 3.1 (bonding-spec.md §D.1): 124 bytes, all zero from offset 0x40.</summary>
    public static readonly byte[] CapturedLacpFrame = Hex.Bytes(
        "0180c2000002 62013d3b2763 8809 0101"
        + "0114 fffe 869d1282b24a 0001 ffff 0002"
        + "3d 000000 0214 fffe 92c0e0f41747 0001"
        + "ffff 0001 3f 000000 0310 0000 0000 0000"
        + new string('0', (124 - 0x40) * 2));

    /// <summary>The actor of <see cref="CapturedLacpFrame"/> as the spec decodes it.</summary>
    public static readonly LacpParticipantInfo CapturedActor = new(
        65534, MacAddress.Parse("86:9d:12:82:b2:4a"), 1, 65535, 2,
        LacpState.Activity | LacpState.Aggregation | LacpState.Synchronization | LacpState.Collecting | LacpState.Distributing);

    /// <summary>The partner of <see cref="CapturedLacpFrame"/>.</summary>
    public static readonly LacpParticipantInfo CapturedPartner = new(
        65534, MacAddress.Parse("92:c0:e0:f4:17:47"), 1, 65535, 1,
        LacpState.Activity | LacpState.Timeout | LacpState.Aggregation | LacpState.Synchronization | LacpState.Collecting | LacpState.Distributing);

    /// <summary>The member MAC that sent <see cref="CapturedLacpFrame"/>.</summary>
    public static readonly MacAddress CapturedLacpSource = MacAddress.Parse("62:01:3d:3b:27:63");
}

/// <summary>Hex helpers for goldens.</summary>
internal static class Hex
{
    /// <summary>Parses hexadecimal digits, ignoring spaces.</summary>
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>Formats bytes as lower-case hex for readable assertion failures.</summary>
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
