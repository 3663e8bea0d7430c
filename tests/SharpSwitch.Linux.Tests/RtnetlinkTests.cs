// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using System.Text;
using SharpSwitch.NetDev.Linux;

namespace SharpSwitch.Linux.Tests;

/// <summary>The span-based rtnetlink reader, on messages laid out as the kernel sends them.</summary>
public sealed class RtnetlinkTests
{
    /// <summary>Builds an RTM_NEWLINK/DELLINK message with the attributes the monitor reads.</summary>
    internal static byte[] LinkMessageBytes(ushort type, int ifIndex, uint flags, string? name, int? mtu = null, byte[]? mac = null)
    {
        var attributes = new List<(ushort Type, byte[] Value)>();
        if (name is not null)
        {
            attributes.Add((Rtnetlink.IFLA_IFNAME, [.. Encoding.ASCII.GetBytes(name), 0]));
        }
        if (mtu is int m)
        {
            byte[] value = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(value, m);
            attributes.Add((Rtnetlink.IFLA_MTU, value));
        }
        if (mac is not null)
        {
            attributes.Add((Rtnetlink.IFLA_ADDRESS, mac));
        }
        int length = Rtnetlink.HeaderSize + Rtnetlink.IfInfoSize + attributes.Sum(a => Rtnetlink.Align(4 + a.Value.Length));
        byte[] message = new byte[length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(Rtnetlink.HeaderSize + 4), ifIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(Rtnetlink.HeaderSize + 8), flags);
        int offset = Rtnetlink.HeaderSize + Rtnetlink.IfInfoSize;
        foreach ((ushort attributeType, byte[] value) in attributes)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(offset), (ushort)(4 + value.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(offset + 2), attributeType);
            value.CopyTo(message, offset + 4);
            offset += Rtnetlink.Align(4 + value.Length);
        }
        return message;
    }

    [Fact]
    public void A_new_link_message_is_read_in_place()
    {
        byte[] bytes = LinkMessageBytes(Rtnetlink.RTM_NEWLINK, 7, Rtnetlink.IFF_UP | Rtnetlink.IFF_RUNNING, "eno1", 9000, [2, 0, 0, 0, 0, 1]);
        var reader = new NetlinkMessageReader(bytes);
        Assert.Equal(NetlinkParseStatus.Ok, reader.Next(out ushort type, out _, out ReadOnlySpan<byte> payload));
        Assert.Equal(Rtnetlink.RTM_NEWLINK, type);
        Assert.True(LinkMessage.TryParse(payload, out LinkMessage link));
        Assert.Equal(7, link.IfIndex);
        Assert.Equal("eno1", Encoding.ASCII.GetString(link.Name));
        Assert.Equal(9000, link.Mtu);
        Assert.True(link.AdminUp);
        Assert.True(link.Running);
        Assert.Equal(6, link.Address.Length);
        Assert.Equal(NetlinkParseStatus.End, reader.Next(out _, out _, out _));
    }

    [Fact]
    public void A_length_beyond_the_buffer_stops_the_reader()
    {
        byte[] bytes = LinkMessageBytes(Rtnetlink.RTM_NEWLINK, 7, 0, "eno1");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bytes.Length + 1);
        var reader = new NetlinkMessageReader(bytes);
        Assert.Equal(NetlinkParseStatus.Truncated, reader.Next(out _, out _, out _));
        Assert.Equal(NetlinkParseStatus.End, reader.Next(out _, out _, out _));
    }

    [Fact]
    public void An_attribute_longer_than_the_message_is_ignored_with_the_rest()
    {
        byte[] bytes = LinkMessageBytes(Rtnetlink.RTM_NEWLINK, 3, 0, "eno2", 1500);
        // Make the first attribute (the name) claim more bytes than there are.
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(Rtnetlink.HeaderSize + Rtnetlink.IfInfoSize), 0x7fff);
        Assert.True(LinkMessage.TryParse(bytes.AsSpan(Rtnetlink.HeaderSize), out LinkMessage link));
        Assert.True(link.Name.IsEmpty);
        Assert.Equal(-1, link.Mtu);
    }

    [Fact]
    public void The_monitor_follows_new_changed_renamed_and_deleted_links()
    {
        using LinkMonitor monitor = LinkMonitor.CreateDetachedForTests();
        var seen = new List<string>();
        monitor.LinkChanged += (name, info) => seen.Add(info is null ? $"{name} gone" : $"{name} {(info.Running ? "running" : "down")} {info.Mtu}");
        byte[] two = [.. LinkMessageBytes(Rtnetlink.RTM_NEWLINK, 4, Rtnetlink.IFF_UP, "eno1", 1500),
            .. LinkMessageBytes(Rtnetlink.RTM_NEWLINK, 5, Rtnetlink.IFF_UP | Rtnetlink.IFF_RUNNING, "eno2", 1500)];
        Assert.Equal(2, monitor.Apply(two));
        monitor.Apply(LinkMessageBytes(Rtnetlink.RTM_NEWLINK, 4, Rtnetlink.IFF_UP | Rtnetlink.IFF_RUNNING, null, 1400));
        monitor.Apply(LinkMessageBytes(Rtnetlink.RTM_NEWLINK, 5, Rtnetlink.IFF_UP | Rtnetlink.IFF_RUNNING, "uplink", 1500));
        monitor.Apply(LinkMessageBytes(Rtnetlink.RTM_DELLINK, 4, 0, "eno1"));
        Assert.Equal(["eno1 down 1500", "eno2 running 1500", "eno1 running 1400", "eno2 gone", "uplink running 1500", "eno1 gone"], seen);
        Assert.Null(monitor.Find("eno1"));
        Assert.Equal(5, monitor.Find("uplink")!.IfIndex);
    }
}
