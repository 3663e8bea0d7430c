// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath.Tests;

/// <summary>Frames for tests, built with the Packets project's builders, plus readers for what came out.</summary>
internal static class Frames
{
    public static MacAddress Mac(int last) => new(0x5054_0000_0000UL | (uint)last);

    /// <summary>A 60-byte IPv4/UDP frame (64 on the wire with the FCS), optionally with one 802.1Q tag.</summary>
    public static byte[] Udp(MacAddress dst, MacAddress src, ushort? vlanTci = null, int payloadBytes = 18)
    {
        var buffer = new byte[128 + payloadBytes];
        var addressing = new EthernetAddressing(dst, src, vlanTci);
        int length = FrameBuilder.WriteUdpFrame(buffer, addressing, 0x0A000001, 0x0A000002, 1000, 2000, new byte[payloadBytes]);
        return buffer[..length];
    }

    public static byte[] GratuitousArp(MacAddress mac, uint ip, ushort? vlanTci = null)
    {
        var buffer = new byte[64];
        int length = FrameBuilder.WriteGratuitousArp(buffer, mac, ip, vlanTci);
        return buffer[..length];
    }

    /// <summary>The outer VLAN TCI of a frame, or null when it is untagged.</summary>
    public static ushort? Tci(byte[] frame)
    {
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12));
        return type is 0x8100 or 0x88a8 ? BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14)) : null;
    }

    public static MacAddress Source(byte[] frame) => MacAddress.Read(frame.AsSpan(6));

    public static MacAddress Destination(byte[] frame) => MacAddress.Read(frame);

    /// <summary>The frame with its outer tag removed (for comparing payloads across ports).</summary>
    public static byte[] Untagged(byte[] frame)
    {
        return Tci(frame) is null ? frame : [.. frame.AsSpan(0, 12), .. frame.AsSpan(16)];
    }
}
