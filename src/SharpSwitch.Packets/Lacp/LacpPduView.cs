// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>What a Slow Protocols payload is, in the terms of OVS's LACP receive counters.</summary>
public enum SlowProtocolsPduKind : byte
{
    /// <summary>An LACPDU that OVS accepts.</summary>
    Lacp,

    /// <summary>A Marker PDU (subtype 2), counted and ignored: OVS never answers markers.</summary>
    Marker,

    /// <summary>Anything else, counted as a bad PDU.</summary>
    Bad,
}

/// <summary>
/// A read-only view of a 110-byte LACPDU (the Slow Protocols payload after the EtherType). Offsets are those of
/// bonding-spec.md §D.1. <see cref="TryCreate"/> applies OVS's receive rule: 110 bytes, subtype 1, actor TLV (1, 20)
/// and partner TLV (2, 20); the version, collector and terminator are not checked.
/// </summary>
public readonly ref struct LacpPduView
{
    /// <summary>Offset of the Slow Protocols subtype.</summary>
    public const int SubtypeOffset = 0;

    /// <summary>Offset of the LACP version.</summary>
    public const int VersionOffset = 1;

    /// <summary>Offset of the actor TLV type.</summary>
    public const int ActorTlvTypeOffset = 2;

    /// <summary>Offset of the actor information length.</summary>
    public const int ActorInfoLengthOffset = 3;

    /// <summary>Offset of the actor information (system priority first).</summary>
    public const int ActorInfoOffset = 4;

    /// <summary>Offset of the three reserved bytes after the actor information.</summary>
    public const int ActorReservedOffset = 19;

    /// <summary>Offset of the partner TLV type.</summary>
    public const int PartnerTlvTypeOffset = 22;

    /// <summary>Offset of the partner information length.</summary>
    public const int PartnerInfoLengthOffset = 23;

    /// <summary>Offset of the partner information.</summary>
    public const int PartnerInfoOffset = 24;

    /// <summary>Offset of the three reserved bytes after the partner information.</summary>
    public const int PartnerReservedOffset = 39;

    /// <summary>Offset of the collector TLV type.</summary>
    public const int CollectorTlvTypeOffset = 42;

    /// <summary>Offset of the collector information length.</summary>
    public const int CollectorInfoLengthOffset = 43;

    /// <summary>Offset of the collector max delay (tens of microseconds).</summary>
    public const int CollectorMaxDelayOffset = 44;

    /// <summary>Offset of the twelve reserved bytes of the collector TLV.</summary>
    public const int CollectorReservedOffset = 46;

    /// <summary>Offset of the terminator TLV type.</summary>
    public const int TerminatorTlvTypeOffset = 58;

    /// <summary>Offset of the terminator length.</summary>
    public const int TerminatorLengthOffset = 59;

    /// <summary>Offset of the fifty reserved bytes that end the PDU.</summary>
    public const int TrailingReservedOffset = 60;

    /// <summary>The length of an LACPDU.</summary>
    public const int Length = 110;

    /// <summary>The Slow Protocols subtype of LACP.</summary>
    public const byte SubtypeLacp = 1;

    /// <summary>The Slow Protocols subtype of the Marker protocol.</summary>
    public const byte SubtypeMarker = 2;

    /// <summary>The LACP version OVS sends.</summary>
    public const byte Version1 = 1;

    /// <summary>The actor information TLV type.</summary>
    public const byte ActorTlvType = 1;

    /// <summary>The partner information TLV type.</summary>
    public const byte PartnerTlvType = 2;

    /// <summary>The collector information TLV type.</summary>
    public const byte CollectorTlvType = 3;

    /// <summary>The length of the actor and partner TLVs.</summary>
    public const byte ParticipantInfoLength = 20;

    /// <summary>The length of the collector TLV.</summary>
    public const byte CollectorInfoLength = 16;

    private readonly ReadOnlySpan<byte> _pdu;

    private LacpPduView(ReadOnlySpan<byte> pdu)
    {
        _pdu = pdu;
    }

    /// <summary>Classifies a Slow Protocols payload the way OVS's LACP receive path counts it.</summary>
    public static SlowProtocolsPduKind Classify(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < Length)
        {
            return SlowProtocolsPduKind.Bad;
        }
        if (payload[SubtypeOffset] == SubtypeLacp
            && payload[ActorTlvTypeOffset] == ActorTlvType && payload[ActorInfoLengthOffset] == ParticipantInfoLength
            && payload[PartnerTlvTypeOffset] == PartnerTlvType && payload[PartnerInfoLengthOffset] == ParticipantInfoLength)
        {
            return SlowProtocolsPduKind.Lacp;
        }
        return payload[SubtypeOffset] == SubtypeMarker ? SlowProtocolsPduKind.Marker : SlowProtocolsPduKind.Bad;
    }

    /// <summary>Wraps the first 110 bytes of <paramref name="payload"/> when OVS would accept them as an LACPDU.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> payload, out LacpPduView view)
    {
        view = default;
        if (Classify(payload) != SlowProtocolsPduKind.Lacp)
        {
            return false;
        }
        view = new LacpPduView(payload[..Length]);
        return true;
    }

    /// <summary>The 110 PDU bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _pdu;

    /// <summary>The LACP version byte.</summary>
    public byte Version => _pdu[VersionOffset];

    /// <summary>The actor information.</summary>
    public LacpParticipantInfo Actor => LacpParticipantInfo.Read(_pdu[ActorInfoOffset..]);

    /// <summary>The partner information.</summary>
    public LacpParticipantInfo Partner => LacpParticipantInfo.Read(_pdu[PartnerInfoOffset..]);

    /// <summary>The collector max delay.</summary>
    public ushort CollectorMaxDelay => BinaryPrimitives.ReadUInt16BigEndian(_pdu[CollectorMaxDelayOffset..]);

    /// <summary>
    /// True when every byte the <see cref="LacpPdu"/> representation does not carry has its standard value: reserved
    /// bytes zero, collector TLV (3, 16), terminator (0, 0). Exactly then <see cref="LacpPdu.Write"/> reproduces the
    /// PDU byte for byte.
    /// </summary>
    public bool IsCanonical =>
        _pdu[CollectorTlvTypeOffset] == CollectorTlvType
        && _pdu[CollectorInfoLengthOffset] == CollectorInfoLength
        && _pdu[TerminatorTlvTypeOffset] == 0
        && _pdu[TerminatorLengthOffset] == 0
        && !_pdu.Slice(ActorReservedOffset, 3).ContainsAnyExcept((byte)0)
        && !_pdu.Slice(PartnerReservedOffset, 3).ContainsAnyExcept((byte)0)
        && !_pdu.Slice(CollectorReservedOffset, 12).ContainsAnyExcept((byte)0)
        && !_pdu[TrailingReservedOffset..].ContainsAnyExcept((byte)0);

    /// <summary>The high-level representation of this PDU.</summary>
    public LacpPdu ToPdu() => new(Actor, Partner, CollectorMaxDelay, Version);
}
