// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;

namespace SharpSwitch.Packets;

/// <summary>
/// The actor or partner information of an LACPDU: the 15 meaningful bytes of the 18-byte TLV body (three reserved
/// bytes follow on the wire).
/// </summary>
/// <param name="SystemPriority">System priority; lower wins.</param>
/// <param name="SystemId">System ID (a MAC address).</param>
/// <param name="Key">Aggregation key.</param>
/// <param name="PortPriority">Port priority; lower wins.</param>
/// <param name="PortNumber">Port number.</param>
/// <param name="State">State bits.</param>
public readonly record struct LacpParticipantInfo(
    ushort SystemPriority,
    MacAddress SystemId,
    ushort Key,
    ushort PortPriority,
    ushort PortNumber,
    LacpState State)
{
    /// <summary>Offset of the system priority within the information.</summary>
    public const int SystemPriorityOffset = 0;

    /// <summary>Offset of the system ID.</summary>
    public const int SystemIdOffset = 2;

    /// <summary>Offset of the key.</summary>
    public const int KeyOffset = 8;

    /// <summary>Offset of the port priority.</summary>
    public const int PortPriorityOffset = 10;

    /// <summary>Offset of the port number.</summary>
    public const int PortNumberOffset = 12;

    /// <summary>Offset of the state byte.</summary>
    public const int StateOffset = 14;

    /// <summary>Bytes of information before the reserved tail.</summary>
    public const int Length = 15;

    /// <summary>Reads the information from the first <see cref="Length"/> bytes of <paramref name="source"/>.</summary>
    internal static LacpParticipantInfo Read(ReadOnlySpan<byte> source)
    {
        return new LacpParticipantInfo(
            BinaryPrimitives.ReadUInt16BigEndian(source),
            MacAddress.Read(source[SystemIdOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[KeyOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[PortPriorityOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[PortNumberOffset..]),
            (LacpState)source[StateOffset]);
    }

    /// <summary>Writes the information to the first <see cref="Length"/> bytes of <paramref name="destination"/>.</summary>
    internal void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, SystemPriority);
        SystemId.Write(destination[SystemIdOffset..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[KeyOffset..], Key);
        BinaryPrimitives.WriteUInt16BigEndian(destination[PortPriorityOffset..], PortPriority);
        BinaryPrimitives.WriteUInt16BigEndian(destination[PortNumberOffset..], PortNumber);
        destination[StateOffset] = (byte)State;
    }
}
