// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Traffic;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Lab.Hosts;

/// <summary>
/// A lab host: one interface with a MAC and an IPv4 address, and a tiny IP stack. It answers ARP requests for
/// its address and ICMP echo requests, resolves neighbours with ARP before sending (holding a few packets meanwhile,
/// as Linux's neighbour table does), and hands arriving test traffic to the <see cref="FlowLeg"/> whose flow id the
/// packet carries (<see cref="TrafficPayload"/>). For TCP-like streams it is both ends: it acknowledges the segments
/// of the streams it receives, and passes acknowledgements to the <see cref="TcpSender"/> of the streams it sends.
/// </summary>
internal sealed class LabHost
{
    /// <summary>How many packets may wait for one unresolved neighbour (Linux's default unres_qlen is about this small).</summary>
    public const int UnresolvedQueueLimit = 3;

    /// <summary>How long an unanswered ARP request waits before it is repeated, in ms (Linux retransmits every second).</summary>
    public const long ArpRetryMs = 1000;

    private const int FrameBufferBytes = 1600;
    private readonly Dictionary<uint, MacAddress> _neighbours = [];
    private readonly Dictionary<uint, PendingResolution> _unresolved = [];
    private readonly Dictionary<uint, FlowLeg> _receivers = [];
    private readonly Dictionary<uint, TcpReceiver> _tcpReceivers = [];
    private readonly Dictionary<ushort, TcpSender> _tcpSenders = [];
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

    /// <summary>
    /// Makes <paramref name="leg"/> the receiver of the UDP datagrams or echo replies that carry its flow id (for a
    /// ping, the pinger receives its own leg's replies).
    /// </summary>
    public void Receive(FlowLeg leg) => _receivers.Add(leg.FlowId, leg);

    /// <summary>Makes this host the receiving end of a TCP-like stream: it records and acknowledges the segments.</summary>
    public void ReceiveTcp(FlowLeg leg) => _tcpReceivers.Add(leg.FlowId, new TcpReceiver(leg));

    /// <summary>Makes this host the sending end of a TCP-like stream: acknowledgements to its port go to <paramref name="sender"/>.</summary>
    public void SendTcpFrom(TcpSender sender) => _tcpSenders.Add(sender.SourcePort, sender);

    /// <summary>Sends an ICMP echo request whose payload starts with the flow id and <paramref name="sequence"/>.</summary>
    public void SendEchoRequest(uint destination, ushort identifier, uint flowId, uint sequence, int payloadBytes, long nowMs)
    {
        Send(new OutgoingPacket(PacketKind.EchoRequest, destination, identifier, 0, flowId, sequence, 0, payloadBytes), nowMs);
    }

    /// <summary>Sends a UDP datagram in a frame of <paramref name="frameBytes"/> whose payload starts with the flow id and <paramref name="sequence"/>.</summary>
    public void SendUdp(uint destination, ushort sourcePort, ushort destinationPort, uint flowId, uint sequence, int frameBytes, long nowMs)
    {
        Send(new OutgoingPacket(PacketKind.Udp, destination, sourcePort, destinationPort, flowId, sequence, 0, frameBytes), nowMs);
    }

    /// <summary>
    /// Sends a TCP-like data segment in a frame of <paramref name="frameBytes"/>: the TCP sequence field counts
    /// segments, and the payload starts with the flow id and the same sequence number.
    /// </summary>
    public void SendTcpSegment(uint destination, ushort sourcePort, ushort destinationPort, uint flowId, uint sequence, int frameBytes, long nowMs)
    {
        Send(new OutgoingPacket(PacketKind.TcpSegment, destination, sourcePort, destinationPort, flowId, sequence, 0, frameBytes), nowMs);
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
                    Span<byte> payload = _payload.AsSpan(0, Math.Max(TrafficPayload.Length, packet.Size));
                    payload.Clear();
                    TrafficPayload.Write(payload, packet.FlowId, packet.Sequence);
                    length = FrameBuilder.WriteIcmpEchoFrame(_frame, ethernet, Ipv4Address, packet.Destination, isReply: false, packet.SourcePort, (ushort)packet.Sequence, payload);
                    break;
                }
            case PacketKind.Udp:
                {
                    // The frame size includes the Ethernet, IPv4 and UDP headers: 14 + 20 + 8 bytes.
                    Span<byte> payload = _payload.AsSpan(0, Math.Max(TrafficPayload.Length, packet.Size - 42));
                    payload.Clear();
                    TrafficPayload.Write(payload, packet.FlowId, packet.Sequence);
                    length = FrameBuilder.WriteUdpFrame(_frame, ethernet, Ipv4Address, packet.Destination, packet.SourcePort, packet.DestinationPort, payload);
                    break;
                }
            case PacketKind.TcpSegment:
                {
                    // The frame size includes the Ethernet, IPv4 and TCP headers: 14 + 20 + 20 bytes.
                    Span<byte> payload = _payload.AsSpan(0, Math.Max(TrafficPayload.Length, packet.Size - 54));
                    payload.Clear();
                    TrafficPayload.Write(payload, packet.FlowId, packet.Sequence);
                    length = FrameBuilder.WriteTcpFrame(_frame, ethernet, Ipv4Address, packet.Destination, packet.SourcePort, packet.DestinationPort, packet.Sequence, 0, TcpFlags.Ack | TcpFlags.Psh, ushort.MaxValue, payload);
                    break;
                }
            case PacketKind.TcpAck:
                length = FrameBuilder.WriteTcpFrame(_frame, ethernet, Ipv4Address, packet.Destination, packet.SourcePort, packet.DestinationPort, 0, packet.Acknowledgment, TcpFlags.Ack, ushort.MaxValue, []);
                break;
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
                else if (icmp.Type == IcmpType.EchoReply && TrafficPayload.TryRead(icmp.Payload, out uint pingFlow, out uint pingSequence) && _receivers.TryGetValue(pingFlow, out FlowLeg? pingLeg))
                {
                    pingLeg.RecordArrival(pingSequence, nowMs, phase);
                }
                else
                {
                    Counters.FramesIgnored++;
                }
                return;
            case IpProtocol.Udp when UdpHeader.TryCreate(ip.Payload, out UdpHeader udp):
                if (TrafficPayload.TryRead(udp.Payload, out uint udpFlow, out uint udpSequence) && _receivers.TryGetValue(udpFlow, out FlowLeg? udpLeg))
                {
                    udpLeg.RecordArrival(udpSequence, nowMs, phase);
                }
                else
                {
                    Counters.FramesIgnored++;
                }
                return;
            case IpProtocol.Tcp when TcpHeader.TryCreate(ip.Payload, out TcpHeader tcp):
                HandleTcp(ip.Source, tcp, nowMs, phase);
                return;
            default:
                Counters.FramesIgnored++;
                return;
        }
    }

    private void HandleTcp(uint source, TcpHeader tcp, long nowMs, int phase)
    {
        ReadOnlySpan<byte> data = tcp.Segment[tcp.HeaderLength..];
        if (data.Length > 0)
        {
            if (TrafficPayload.TryRead(data, out uint flow, out uint sequence) && _tcpReceivers.TryGetValue(flow, out TcpReceiver? receiver))
            {
                // Every data segment is acknowledged at once with the next segment still missing, as a receiver
                // without delayed ACKs does; out-of-order segments therefore produce duplicate acknowledgements.
                uint next = receiver.OnSegment(sequence, nowMs, phase);
                Send(new OutgoingPacket(PacketKind.TcpAck, source, tcp.DestinationPort, tcp.SourcePort, flow, 0, next, 0), nowMs);
                return;
            }
        }
        else if ((tcp.Flags & TcpFlags.Ack) != 0 && _tcpSenders.TryGetValue(tcp.DestinationPort, out TcpSender? sender))
        {
            sender.OnAck(tcp.AcknowledgmentNumber, nowMs, phase);
            return;
        }
        Counters.FramesIgnored++;
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
        TcpSegment,
        TcpAck,
    }

    /// <summary>
    /// A packet that waits for its destination's MAC. SourcePort is the ICMP identifier for echo requests; Size is the
    /// ICMP payload, or the whole UDP or TCP frame, in bytes.
    /// </summary>
    private readonly record struct OutgoingPacket(PacketKind Kind, uint Destination, ushort SourcePort, ushort DestinationPort, uint FlowId, uint Sequence, uint Acknowledgment, int Size);

    private sealed class PendingResolution
    {
        public Queue<OutgoingPacket> Waiting { get; } = new();

        public long LastRequestMs { get; set; }
    }
}
