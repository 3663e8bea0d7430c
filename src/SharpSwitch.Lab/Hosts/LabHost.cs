// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using SharpSwitch.Lab.Traffic;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Lab.Hosts;

/// <summary>
/// A lab host: one interface with a MAC and an IPv4 address, and a tiny IP stack. It answers ARP requests for
/// its address and ICMP echo requests, resolves neighbours with ARP before sending (holding a few packets meanwhile,
/// as Linux's neighbour table does), and hands arriving test traffic to the <see cref="FlowLeg"/> that waits for it.
/// </summary>
internal sealed class LabHost
{
    /// <summary>How many packets may wait for one unresolved neighbour (Linux's default unres_qlen is about this small).</summary>
    public const int UnresolvedQueueLimit = 3;

    /// <summary>How long an unanswered ARP request waits before it is repeated, in ms (Linux retransmits every second).</summary>
    public const long ArpRetryMs = 1000;

    private const int FrameBufferBytes = 1600;
    private const int SequenceBytes = 4;

    private readonly Dictionary<uint, MacAddress> _neighbours = [];
    private readonly Dictionary<uint, PendingResolution> _unresolved = [];
    private readonly Dictionary<ushort, FlowLeg> _udpReceivers = [];
    private readonly Dictionary<ushort, FlowLeg> _echoReceivers = [];
    private readonly byte[] _frame = new byte[FrameBufferBytes];
    private readonly byte[] _payload = new byte[FrameBufferBytes];

    public LabHost(string name, MacAddress mac, uint ipv4Address, DummyNetDev device)
    {
        Name = name;
        Mac = mac;
        Ipv4Address = ipv4Address;
        Device = device;
    }

    /// <summary>The host's node name.</summary>
    public string Name { get; }

    /// <summary>Its interface's MAC.</summary>
    public MacAddress Mac { get; }

    /// <summary>Its IPv4 address.</summary>
    public uint Ipv4Address { get; }

    /// <summary>The device it sends and receives on: its own cabled dummy, or the host side of an internal port.</summary>
    public DummyNetDev Device { get; }

    /// <summary>Housekeeping counters.</summary>
    public HostCounters Counters { get; } = new();

    /// <summary>Makes <paramref name="leg"/> the receiver of UDP datagrams to <paramref name="port"/>.</summary>
    public void ReceiveUdpOn(ushort port, FlowLeg leg) => _udpReceivers.Add(port, leg);

    /// <summary>Makes <paramref name="leg"/> the receiver of echo replies with <paramref name="identifier"/>.</summary>
    public void ReceiveEchoRepliesFor(ushort identifier, FlowLeg leg) => _echoReceivers.Add(identifier, leg);

    /// <summary>Sends an ICMP echo request whose payload starts with <paramref name="sequence"/>.</summary>
    public void SendEchoRequest(uint destination, ushort identifier, uint sequence, int payloadBytes, long nowMs)
    {
        Send(new OutgoingPacket(PacketKind.EchoRequest, destination, identifier, sequence, payloadBytes), nowMs);
    }

    /// <summary>Sends a UDP datagram in a frame of <paramref name="frameBytes"/> whose payload starts with <paramref name="sequence"/>.</summary>
    public void SendUdp(uint destination, ushort port, uint sequence, int frameBytes, long nowMs)
    {
        Send(new OutgoingPacket(PacketKind.Udp, destination, port, sequence, frameBytes), nowMs);
    }

    /// <summary>Handles every frame waiting on the device, and repeats ARP requests that went unanswered.</summary>
    public void Poll(long nowMs, int phase)
    {
        while (Device.ReceiveFrame() is byte[] frame)
        {
            Handle(frame, nowMs, phase);
        }
        foreach ((uint address, PendingResolution pending) in _unresolved)
        {
            if (nowMs - pending.LastRequestMs >= ArpRetryMs)
            {
                pending.LastRequestMs = nowMs;
                SendArpRequest(address);
            }
        }
    }

    /// <summary>The earliest time a pending ARP request must be repeated, or null.</summary>
    public long? NextWakeMs
    {
        get
        {
            long? next = null;
            foreach (PendingResolution pending in _unresolved.Values)
            {
                long due = pending.LastRequestMs + ArpRetryMs;
                next = next is null ? due : Math.Min(next.Value, due);
            }
            return next;
        }
    }

    private void Send(OutgoingPacket packet, long nowMs)
    {
        if (_neighbours.TryGetValue(packet.Destination, out MacAddress destinationMac))
        {
            Transmit(packet, destinationMac);
            return;
        }
        if (!_unresolved.TryGetValue(packet.Destination, out PendingResolution? pending))
        {
            pending = new PendingResolution { LastRequestMs = nowMs };
            _unresolved.Add(packet.Destination, pending);
            SendArpRequest(packet.Destination);
        }
        if (pending.Waiting.Count >= UnresolvedQueueLimit)
        {
            // Like Linux, the oldest waiting packet makes room for the newest.
            pending.Waiting.Dequeue();
            Counters.UnresolvedDropped++;
        }
        pending.Waiting.Enqueue(packet);
    }

    private void Transmit(in OutgoingPacket packet, MacAddress destinationMac)
    {
        var ethernet = new EthernetAddressing(destinationMac, Mac);
        int length;
        switch (packet.Kind)
        {
            case PacketKind.EchoRequest:
                {
                    Span<byte> payload = _payload.AsSpan(0, packet.Size);
                    payload.Clear();
                    BinaryPrimitives.WriteUInt32BigEndian(payload, packet.Sequence);
                    length = FrameBuilder.WriteIcmpEchoFrame(_frame, ethernet, Ipv4Address, packet.Destination, isReply: false, packet.Identifier, (ushort)packet.Sequence, payload);
                    break;
                }
            case PacketKind.Udp:
                {
                    // The frame size includes the Ethernet, IPv4 and UDP headers: 14 + 20 + 8 bytes.
                    Span<byte> payload = _payload.AsSpan(0, Math.Max(SequenceBytes, packet.Size - 42));
                    payload.Clear();
                    BinaryPrimitives.WriteUInt32BigEndian(payload, packet.Sequence);
                    length = FrameBuilder.WriteUdpFrame(_frame, ethernet, Ipv4Address, packet.Destination, packet.Identifier, packet.Identifier, payload);
                    break;
                }
            default:
                throw new InvalidOperationException("unknown packet kind");
        }
        Device.Transmit(_frame.AsSpan(0, FrameBuilder.PadToMinimum(_frame, length)));
    }

    private void SendArpRequest(uint target)
    {
        Counters.ArpRequestsSent++;
        int length = FrameBuilder.WriteArpRequest(_frame, Mac, Ipv4Address, target);
        Device.Transmit(_frame.AsSpan(0, FrameBuilder.PadToMinimum(_frame, length)));
    }

    private void Handle(byte[] bytes, long nowMs, int phase)
    {
        if (!EthernetFrame.TryCreate(bytes, out EthernetFrame frame) || frame.VlanTagCount != 0)
        {
            Counters.FramesIgnored++;
            return;
        }
        if (frame.Destination != Mac && !frame.Destination.IsBroadcast)
        {
            Counters.FramesIgnored++;
            return;
        }
        switch (frame.EtherType)
        {
            case EtherType.Arp:
                HandleArp(frame.Payload);
                return;
            case EtherType.Ipv4:
                HandleIpv4(frame.Payload, frame.Source, nowMs, phase);
                return;
            default:
                Counters.FramesIgnored++;
                return;
        }
    }

    private void HandleArp(ReadOnlySpan<byte> bytes)
    {
        if (!ArpPacket.TryCreate(bytes, out ArpPacket arp) || arp.TargetProtocolAddress != Ipv4Address)
        {
            Counters.FramesIgnored++;
            return;
        }
        uint sender = arp.SenderProtocolAddress;
        MacAddress senderMac = arp.SenderHardwareAddress;
        // A request for our address also teaches us the asker's address, as every IP stack does.
        _neighbours[sender] = senderMac;
        if (arp.Operation == ArpOperation.Request)
        {
            Counters.ArpRepliesSent++;
            int length = FrameBuilder.WriteArpReply(_frame, Mac, Ipv4Address, senderMac, sender);
            Device.Transmit(_frame.AsSpan(0, FrameBuilder.PadToMinimum(_frame, length)));
        }
        if (_unresolved.Remove(sender, out PendingResolution? pending))
        {
            while (pending.Waiting.TryDequeue(out OutgoingPacket waiting))
            {
                Transmit(waiting, senderMac);
            }
        }
    }

    private void HandleIpv4(ReadOnlySpan<byte> bytes, MacAddress sourceMac, long nowMs, int phase)
    {
        if (!Ipv4Header.TryCreate(bytes, out Ipv4Header ip) || ip.Destination != Ipv4Address)
        {
            Counters.FramesIgnored++;
            return;
        }
        switch (ip.Protocol)
        {
            case IpProtocol.Icmp when IcmpHeader.TryCreate(ip.Payload, out IcmpHeader icmp):
                if (icmp.Type == IcmpType.EchoRequest)
                {
                    Counters.EchoRepliesSent++;
                    ReplyToEcho(ip.Source, sourceMac, icmp);
                }
                else if (icmp.Type == IcmpType.EchoReply && icmp.Payload.Length >= SequenceBytes && _echoReceivers.TryGetValue(icmp.Identifier, out FlowLeg? pingLeg))
                {
                    pingLeg.RecordArrival(BinaryPrimitives.ReadUInt32BigEndian(icmp.Payload), nowMs, phase);
                }
                else
                {
                    Counters.FramesIgnored++;
                }
                return;
            case IpProtocol.Udp when UdpHeader.TryCreate(ip.Payload, out UdpHeader udp):
                if (udp.Payload.Length >= SequenceBytes && _udpReceivers.TryGetValue(udp.DestinationPort, out FlowLeg? udpLeg))
                {
                    udpLeg.RecordArrival(BinaryPrimitives.ReadUInt32BigEndian(udp.Payload), nowMs, phase);
                }
                else
                {
                    Counters.FramesIgnored++;
                }
                return;
            default:
                Counters.FramesIgnored++;
                return;
        }
    }

    private void ReplyToEcho(uint requester, MacAddress requesterMac, IcmpHeader request)
    {
        // The reply goes back to the MAC the request came from, as a host stack answers the neighbour it just heard.
        var ethernet = new EthernetAddressing(requesterMac, Mac);
        int length = FrameBuilder.WriteIcmpEchoFrame(_frame, ethernet, Ipv4Address, requester, isReply: true, request.Identifier, request.SequenceNumber, request.Payload);
        Device.Transmit(_frame.AsSpan(0, FrameBuilder.PadToMinimum(_frame, length)));
    }

    private enum PacketKind
    {
        EchoRequest,
        Udp,
    }

    /// <summary>A packet that waits for its destination's MAC; Size is the ICMP payload or the whole UDP frame, in bytes.</summary>
    private readonly record struct OutgoingPacket(PacketKind Kind, uint Destination, ushort Identifier, uint Sequence, int Size);

    private sealed class PendingResolution
    {
        public Queue<OutgoingPacket> Waiting { get; } = new();

        public long LastRequestMs { get; set; }
    }
}
