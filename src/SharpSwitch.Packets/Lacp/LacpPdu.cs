// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>
/// An LACPDU as values: actor and partner information and the collector max delay. <see cref="Write"/> emits the
/// 110 bytes of bonding-spec.md §D.1 exactly as OVS composes them; <see cref="TryParse"/> accepts what OVS accepts.
/// </summary>
/// <param name="Actor">The sender's own information.</param>
/// <param name="Partner">What the sender last learned about its partner (zeros when defaulted).</param>
/// <param name="CollectorMaxDelay">The collector max delay; OVS sends 0.</param>
/// <param name="Version">The LACP version; OVS sends 1.</param>
public readonly record struct LacpPdu(
    LacpParticipantInfo Actor,
    LacpParticipantInfo Partner,
    ushort CollectorMaxDelay = 0,
    byte Version = LacpPduView.Version1)
{
    /// <summary>The LACPDU length.</summary>
    public const int Length = LacpPduView.Length;

    /// <summary>The destination of every Slow Protocols frame, 01:80:c2:00:00:02.</summary>
    public static MacAddress SlowProtocolsMulticast => new(0x0180_C200_0002UL);

    /// <summary>Parses a Slow Protocols payload (after the EtherType) under OVS's receive rule.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out LacpPdu pdu)
    {
        if (!LacpPduView.TryCreate(payload, out LacpPduView view))
        {
            pdu = default;
            return false;
        }
        pdu = view.ToPdu();
        return true;
    }

    /// <summary>
    /// Parses a Slow Protocols payload under OVS's receive rule, or throws <see cref="FormatException"/> saying which
    /// check failed. Use <see cref="TryParse"/> on the packet path; this form is for tools that must explain a reject.
    /// </summary>
    public static LacpPdu Parse(ReadOnlySpan<byte> payload)
    {
        if (TryParse(payload, out LacpPdu pdu))
        {
            return pdu;
        }
        throw new FormatException(DescribeRejection(payload));
    }

    private static string DescribeRejection(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < Length)
        {
            return $"an LACPDU is {Length} bytes but only {payload.Length} are present";
        }
        if (payload[LacpPduView.SubtypeOffset] != LacpPduView.SubtypeLacp)
        {
            return payload[LacpPduView.SubtypeOffset] == LacpPduView.SubtypeMarker
                ? "this is a Marker PDU (Slow Protocols subtype 2), not an LACPDU"
                : $"Slow Protocols subtype {payload[LacpPduView.SubtypeOffset]} is not LACP (1)";
        }
        if (payload[LacpPduView.ActorTlvTypeOffset] != LacpPduView.ActorTlvType || payload[LacpPduView.ActorInfoLengthOffset] != LacpPduView.ParticipantInfoLength)
        {
            return $"the actor TLV is (type {payload[LacpPduView.ActorTlvTypeOffset]}, length {payload[LacpPduView.ActorInfoLengthOffset]}) instead of (1, 20)";
        }
        return $"the partner TLV is (type {payload[LacpPduView.PartnerTlvTypeOffset]}, length {payload[LacpPduView.PartnerInfoLengthOffset]}) instead of (2, 20)";
    }

    /// <summary>
    /// Writes the 110-byte PDU to the start of <paramref name="destination"/> and returns 110. Throws
    /// <see cref="ArgumentException"/> when the destination is shorter.
    /// </summary>
    public int Write(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"an LACPDU needs {Length} bytes, the destination has {destination.Length}", nameof(destination));
        }
        Span<byte> pdu = destination[..Length];
        pdu.Clear();
        pdu[LacpPduView.SubtypeOffset] = LacpPduView.SubtypeLacp;
        pdu[LacpPduView.VersionOffset] = Version;
        pdu[LacpPduView.ActorTlvTypeOffset] = LacpPduView.ActorTlvType;
        pdu[LacpPduView.ActorInfoLengthOffset] = LacpPduView.ParticipantInfoLength;
        Actor.Write(pdu[LacpPduView.ActorInfoOffset..]);
        pdu[LacpPduView.PartnerTlvTypeOffset] = LacpPduView.PartnerTlvType;
        pdu[LacpPduView.PartnerInfoLengthOffset] = LacpPduView.ParticipantInfoLength;
        Partner.Write(pdu[LacpPduView.PartnerInfoOffset..]);
        pdu[LacpPduView.CollectorTlvTypeOffset] = LacpPduView.CollectorTlvType;
        pdu[LacpPduView.CollectorInfoLengthOffset] = LacpPduView.CollectorInfoLength;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[LacpPduView.CollectorMaxDelayOffset..], CollectorMaxDelay);
        // The terminator TLV (type 0, length 0) and all reserved bytes are the zeros left by Clear.
        return Length;
    }
}
