// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

/// <summary>
/// The Marker protocol responder (IEEE 802.1AX §6.5; beyond OVS, which only counts Marker PDUs). A Marker PDU is 110
/// bytes: subtype 2, version 1, a Marker Information (1) or Marker Response (2) TLV of length 16 holding the
/// requester's port (2), system (6) and transaction id (4) plus 2 pad bytes, a terminator TLV and 90 reserved bytes.
/// </summary>
public static class LacpMarker
{
    /// <summary>The Marker Information TLV type (a request).</summary>
    public const byte MarkerInformationTlv = 1;

    /// <summary>The Marker Response TLV type.</summary>
    public const byte MarkerResponseTlv = 2;

    /// <summary>The length of the Marker Information and Response TLVs.</summary>
    public const byte TlvLength = 16;

    private const int TlvTypeOffset = 2;
    private const int TlvLengthOffset = 3;
    private const int TlvValueOffset = 4;
    private const int TlvValueLength = 12;

    /// <summary>
    /// The response to a Marker Request: the request's requester port, system and transaction id in a Marker Response
    /// TLV, everything else zero. Null when <paramref name="payload"/> is not a well-formed Marker Request.
    /// </summary>
    public static byte[]? TryBuildResponse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < LacpPdu.Length
            || payload[LacpPduView.SubtypeOffset] != LacpPduView.SubtypeMarker
            || payload[TlvTypeOffset] != MarkerInformationTlv
            || payload[TlvLengthOffset] != TlvLength)
        {
            return null;
        }
        var response = new byte[LacpPdu.Length];
        response[LacpPduView.SubtypeOffset] = LacpPduView.SubtypeMarker;
        response[LacpPduView.VersionOffset] = LacpPduView.Version1;
        response[TlvTypeOffset] = MarkerResponseTlv;
        response[TlvLengthOffset] = TlvLength;
        payload.Slice(TlvValueOffset, TlvValueLength).CopyTo(response.AsSpan(TlvValueOffset));
        return response;
    }

    /// <summary>Builds a Marker Request (for tests and for a future Marker generator).</summary>
    public static byte[] BuildRequest(ushort requesterPort, MacAddress requesterSystem, uint transactionId)
    {
        var request = new byte[LacpPdu.Length];
        request[LacpPduView.SubtypeOffset] = LacpPduView.SubtypeMarker;
        request[LacpPduView.VersionOffset] = LacpPduView.Version1;
        request[TlvTypeOffset] = MarkerInformationTlv;
        request[TlvLengthOffset] = TlvLength;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(TlvValueOffset), requesterPort);
        requesterSystem.Write(request.AsSpan(TlvValueOffset + 2));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(TlvValueOffset + 8), transactionId);
        return request;
    }
}
