// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets;

/// <summary>The LACP frame.</summary>
public static partial class FrameBuilder
{
    /// <summary>The length of an LACP frame without FCS: 14 + 110.</summary>
    public const int LacpFrameLength = EthernetFrame.HeaderLength + LacpPdu.Length;

    /// <summary>
    /// Writes an LACP frame as OVS sends it (bonding-spec.md §D.1): destination 01:80:c2:00:00:02, source
    /// <paramref name="memberMac"/> (the member interface's own MAC, not the system ID), EtherType 0x8809 and the
    /// 110-byte PDU. Returns 124.
    /// </summary>
    public static int WriteLacpFrame(Span<byte> destination, MacAddress memberMac, in LacpPdu pdu)
    {
        EnsureRoom(destination, LacpFrameLength, "LACP frame");
        int offset = WriteEthernetHeader(destination, LacpPdu.SlowProtocolsMulticast, memberMac, EtherType.SlowProtocols);
        return offset + pdu.Write(destination[offset..]);
    }
}
