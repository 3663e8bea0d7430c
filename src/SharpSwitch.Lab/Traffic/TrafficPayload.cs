// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Lab.Traffic;

/// <summary>
/// The start of every lab traffic payload (UDP datagram, ICMP echo data, TCP-like segment): the leg's flow id and the
/// packet's sequence number, both 32-bit big-endian. With both in the packet itself, a receiver (or anyone reading a
/// capture) can tell which flow a packet belongs to and count loss, duplication and reordering per flow without
/// trusting ports or addresses.
/// </summary>
internal static class TrafficPayload
{
    /// <summary>Bytes the header takes: flow id, then sequence number.</summary>
    public const int Length = 8;

    /// <summary>Writes the header at the start of <paramref name="payload"/>, which must hold at least <see cref="Length"/> bytes.</summary>
    public static void Write(Span<byte> payload, uint flowId, uint sequence)
    {
        BinaryPrimitives.WriteUInt32BigEndian(payload, flowId);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], sequence);
    }

    /// <summary>Reads the header; false when the payload is too short to carry one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out uint flowId, out uint sequence)
    {
        if (payload.Length < Length)
        {
            flowId = 0;
            sequence = 0;
            return false;
        }
        flowId = BinaryPrimitives.ReadUInt32BigEndian(payload);
        sequence = BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        return true;
    }
}
