// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath;

/// <summary>The per-packet half of the bridge: OVS's NORMAL pipeline over batches of pooled buffers.</summary>
public sealed partial class Bridge
{
    /// <summary>
    /// How many batches one interface may deliver per <see cref="Run"/>, so one busy interface cannot starve the
    /// others or the timers.
    /// </summary>
    private const int MaxBatchesPerInterface = 8;

    private const ushort Dot1QTpid = 0x8100;
    private const ushort ArpEtherType = 0x0806;
    private const ushort SlowProtocolsEtherType = 0x8809;
    private const byte ArpOpRequest = 1;
    private const byte ArpOpReply = 2;
    private const int PcpMask = 0xE000;
    private const int VidMask = 0x0FFF;

    private bool _forwardBpdu;
    private long _processed;
    private long _malformed;
    private long _vlanDropped;
    private long _reservedDropped;
    private long _bondAdmissionDropped;
    private long _bondLoopDropped;
    private long _learnedPortIsInputDropped;
    private long _noUsableMemberDropped;
    private long _poolExhaustedDropped;
    private long _flooded;
    private long _forwardedToLearnedPort;
    private long _learningPacketsSent;
    private long _slowProtocolsConsumed;

    /// <summary>Drop reasons and forwarding decisions counted so far.</summary>
    public BridgeStatistics Statistics => new()
    {
        Processed = _processed,
        Malformed = _malformed,
        VlanDropped = _vlanDropped,
        ReservedMulticastDropped = _reservedDropped,
        BondAdmissionDropped = _bondAdmissionDropped,
        BondLoopDropped = _bondLoopDropped,
        LearnedPortIsInputDropped = _learnedPortIsInputDropped,
        NoUsableMemberDropped = _noUsableMemberDropped,
        PoolExhaustedDropped = _poolExhaustedDropped,
        Flooded = _flooded,
        ForwardedToLearnedPort = _forwardedToLearnedPort,
        LearningPacketsSent = _learningPacketsSent,
        SlowProtocolsConsumed = _slowProtocolsConsumed,
    };

    /// <summary>
    /// Does everything due at <paramref name="nowMs"/>: notices carrier changes, runs bond timers (and sends learning
    /// packets after a failover), forwards every waiting frame, and ages out MAC entries.
    /// </summary>
    public void Run(long nowMs)
    {
        long nowSeconds = Math.DivRem(nowMs, 1000, out long remainder) - (remainder < 0 ? 1 : 0);
        BridgePort[] ports = _ports;
        for (int p = 0; p < ports.Length; p++)
        {
            PollLinks(ports[p], nowMs);
        }
        for (int p = 0; p < ports.Length; p++)
        {
            if (ports[p].Bond is Bond bond)
            {
                RunLacp(ports[p], bond, nowMs);
                bond.Run(nowMs);
                if (bond.TakeLearningPacketRequest())
                {
                    SendLearningPackets(ports[p], movedBucketsOnly: false);
                    // A full announcement covers the moved buckets too.
                    bond.TakeMovedBucketsRequest();
                }
                else if (bond.TakeMovedBucketsRequest())
                {
                    SendLearningPackets(ports[p], movedBucketsOnly: true);
                }
            }
        }
        for (int p = 0; p < ports.Length; p++)
        {
            PortInterface[] interfaces = ports[p].InterfaceArray;
            for (int i = 0; i < interfaces.Length; i++)
            {
                ReceiveFrom(interfaces[i], nowMs, nowSeconds);
            }
        }
        _macs.Expire(nowSeconds);
    }

    private void PollLinks(BridgePort port, long nowMs)
    {
        bool changed = false;
        PortInterface[] interfaces = port.InterfaceArray;
        for (int i = 0; i < interfaces.Length; i++)
        {
            PortInterface portInterface = interfaces[i];
            INetDev device = portInterface.Device;
            long sequence = device.LinkChangeSequence;
            if (sequence == portInterface.LastLinkSequence)
            {
                continue;
            }
            portInterface.LastLinkSequence = sequence;
            bool carrier = device.Carrier;
            portInterface.LastCarrier = carrier;
            // Without BFD or CFM, "may enable" is the carrier itself; LACP gating is the bond's own business.
            if (port.Lacp is Lacp lacp && lacp.FindMember(portInterface.Name) is not null)
            {
                lacp.SetCarrier(portInterface.Name, carrier, nowMs);
            }
            port.Bond?.SetMemberLink(portInterface.Name, carrier, carrier && (port.Lacp?.MayEnable(portInterface.Name) ?? true), nowMs);
            changed = true;
        }
        if (changed)
        {
            UpdatePortLink(port);
        }
    }

    private void ReceiveFrom(PortInterface portInterface, long nowMs, long nowSeconds)
    {
        INetDev device = portInterface.Device;
        PacketBatch batch = _rxBatch;
        for (int round = 0; round < MaxBatchesPerInterface; round++)
        {
            int received = device.Receive(batch);
            if (received == 0)
            {
                break;
            }
            for (int i = 0; i < batch.Count; i++)
            {
                Process(portInterface, batch[i], nowMs, nowSeconds);
            }
            // Every buffer now belongs to a transmit queue or is back in the pool.
            batch.Clear();
            FlushTransmitQueues();
            if (received < PacketBatch.MaxSize)
            {
                break;
            }
        }
    }

    /// <summary>OVS's xlate_normal for one frame; takes ownership of <paramref name="buffer"/>.</summary>
    private void Process(PortInterface inInterface, PacketBuffer buffer, long nowMs, long nowSeconds)
    {
        _processed++;
        BridgePort inPort = inInterface.Port;
        if (FlowKey.Classify(buffer.Data, out FlowKey key) != FrameParseStatus.Ok)
        {
            inInterface.Device.Counters.CountRxError();
            _malformed++;
            _pool.Return(buffer);
            return;
        }

        if (key.EthType == SlowProtocolsEtherType && inPort.Lacp is Lacp lacp)
        {
            _slowProtocolsConsumed++;
            ReceiveLacp(lacp, inInterface, buffer.Data, key.L3Offset, nowMs);
            _pool.Return(buffer);
            return;
        }

        if (key.EthType == SlowProtocolsEtherType && inPort.Config.SlowProtocolsHandler is ISlowProtocolsHandler handler)
        {
            _slowProtocolsConsumed++;
            handler.OnSlowProtocolsFrame(inInterface, buffer.Data, nowMs);
            _pool.Return(buffer);
            return;
        }

        VlanRules rules = inPort.Rules;
        int vid = key.VlanTagCount > 0 ? key.OuterTci & VidMask : 0;
        if (!rules.InputVidIsValid(vid))
        {
            _vlanDropped++;
            _pool.Return(buffer);
            return;
        }
        int vlan = rules.InputVlan(vid);
        int pcp = key.VlanTagCount > 0 ? key.OuterTci & PcpMask : 0;

        if (!_forwardBpdu && key.EthDst.IsReservedLinkLocal)
        {
            _reservedDropped++;
            _pool.Return(buffer);
            return;
        }

        bool isGratuitousArp = IsGratuitousArp(in key);
        Bond? bond = inPort.Bond;
        if (bond is not null && !AdmitOnBond(bond, inInterface, inPort, in key, vlan, isGratuitousArp, nowSeconds))
        {
            _pool.Return(buffer);
            return;
        }

        _macs.Learn(key.EthSrc, vlan, inPort, isGratuitousArp, bond is not null, nowSeconds);

        if (_macs.TryLookup(key.EthDst, vlan, out BridgePort learnedPort))
        {
            if (ReferenceEquals(learnedPort, inPort))
            {
                _learnedPortIsInputDropped++;
                _pool.Return(buffer);
                return;
            }
            _forwardedToLearnedPort++;
            Output(learnedPort, buffer, in key, vlan, pcp);
            return;
        }
        _flooded++;
        Flood(inPort, buffer, in key, vlan, pcp);
    }

    private bool AdmitOnBond(Bond bond, PortInterface inInterface, BridgePort inPort, in FlowKey key, int vlan, bool isGratuitousArp, long nowSeconds)
    {
        if (inInterface.BondMemberIndex < 0)
        {
            _bondAdmissionDropped++;
            return false;
        }
        switch (bond.Admit(inInterface.BondMemberIndex, in key))
        {
            case BondAdmission.Accept:
                return true;
            case BondAdmission.DropIfMoved:
                // A source learned elsewhere arriving on the bond is our own flood coming back, unless it is a
                // gratuitous ARP (a VM that moved) and no recent ARP from a plain port locks the entry.
                if (_macs.TryLookup(key.EthSrc, vlan, out BridgePort learnedPort)
                    && !ReferenceEquals(learnedPort, inPort)
                    && (!isGratuitousArp || _macs.IsGratuitousArpLocked(key.EthSrc, vlan, nowSeconds)))
                {
                    _bondLoopDropped++;
                    return false;
                }
                return true;
            default:
                _bondAdmissionDropped++;
                return false;
        }
    }

    /// <summary>A broadcast ARP reply, or a broadcast ARP request whose sender and target IP are equal.</summary>
    private static bool IsGratuitousArp(in FlowKey key)
    {
        if (key.EthType != ArpEtherType || !key.EthDst.IsBroadcast)
        {
            return false;
        }
        return key.IpProto == ArpOpReply || (key.IpProto == ArpOpRequest && key.Ipv4Src == key.Ipv4Dst);
    }

    private void Flood(BridgePort inPort, PacketBuffer buffer, in FlowKey key, int vlan, int pcp)
    {
        BridgePort[] ports = _ports;
        BridgePort[] targets = _floodTargets;
        int count = 0;
        for (int p = 0; p < ports.Length; p++)
        {
            BridgePort port = ports[p];
            if (!ReferenceEquals(port, inPort) && port.InterfaceArray.Length > 0 && port.Rules.IncludesVlan(vlan))
            {
                targets[count++] = port;
            }
        }
        if (count == 0)
        {
            _pool.Return(buffer);
            return;
        }
        // Every target but the last gets a copy made before the original is touched; the last takes the original.
        for (int t = 0; t < count - 1; t++)
        {
            if (!_pool.TryRent(out PacketBuffer copy))
            {
                _poolExhaustedDropped++;
                continue;
            }
            copy.CopyFrom(buffer);
            Output(targets[t], copy, in key, vlan, pcp);
        }
        Output(targets[count - 1], buffer, in key, vlan, pcp);
    }

    /// <summary>OVS's output_normal: picks the interface (a bond member for a bond), fixes the VLAN tag in place, and queues the frame.</summary>
    private void Output(BridgePort outPort, PacketBuffer buffer, in FlowKey key, int vlan, int pcp)
    {
        int outVid = outPort.Rules.OutputVid(vlan);
        PortInterface? outInterface;
        if (outPort.Bond is Bond bond)
        {
            int member;
            int hashVid = outVid < 0 ? 0 : outVid;
            // The frame's bytes count toward its hash bucket's load, which rebalancing reads (OVS attributes its
            // flows' byte counters the same way).
            int frameBytes = buffer.Length;
            if (key.OuterVlanId == hashVid)
            {
                member = bond.SelectTxMember(in key, frameBytes);
            }
            else
            {
                // Bond hashing (balance-slb) uses the VLAN the frame will leave with, as OVS passes the output VID.
                FlowKey hashKey = key;
                hashKey.VlanTagCount = (byte)(hashVid == 0 ? 0 : 1);
                hashKey.OuterTci = (ushort)hashVid;
                member = bond.SelectTxMember(in hashKey, frameBytes);
            }
            outInterface = outPort.InterfaceOfMember(member);
        }
        else
        {
            PortInterface[] interfaces = outPort.InterfaceArray;
            outInterface = interfaces.Length > 0 ? interfaces[0] : null;
        }
        if (outInterface is null)
        {
            _noUsableMemberDropped++;
            _pool.Return(buffer);
            return;
        }

        // The priority bits travel with the frame; a VID of 0 with no priority means no tag at all.
        int tci = outVid < 0 ? 0 : outVid | pcp;
        bool tagged = key.VlanTagCount > 0;
        if (tci != 0)
        {
            if (tagged)
            {
                buffer.TrySetOuterTci((ushort)tci);
            }
            else
            {
                buffer.TryPushVlanTag(Dot1QTpid, (ushort)tci);
            }
        }
        else if (tagged)
        {
            buffer.TryPopVlanTag();
        }
        Enqueue(outInterface, buffer);
    }

    private void Enqueue(PortInterface outInterface, PacketBuffer buffer)
    {
        PacketBatch batch = outInterface.TxBatch;
        if (batch.IsFull)
        {
            outInterface.Device.Send(batch);
        }
        batch.TryAdd(buffer);
        if (!outInterface.TxQueued)
        {
            outInterface.TxQueued = true;
            _txPending[_txPendingCount++] = outInterface;
        }
    }

    private void FlushTransmitQueues()
    {
        for (int i = 0; i < _txPendingCount; i++)
        {
            PortInterface portInterface = _txPending[i];
            _txPending[i] = null!;
            portInterface.TxQueued = false;
            if (portInterface.TxBatch.Count > 0)
            {
                portInterface.Device.Send(portInterface.TxBatch);
            }
        }
        _txPendingCount = 0;
    }

    /// <summary>
    /// Sends a frame the switch itself originates (an LACPDU, say) on one interface, bypassing the NORMAL pipeline.
    /// False when the pool is exhausted or the frame does not fit a buffer.
    /// </summary>
    public bool TrySendOnInterface(PortInterface portInterface, ReadOnlySpan<byte> frame)
    {
        ArgumentNullException.ThrowIfNull(portInterface);
        if (!ReferenceEquals(portInterface.Port.Bridge, this) || frame.Length > PacketBuffer.Capacity)
        {
            return false;
        }
        if (!_pool.TryRent(out PacketBuffer buffer))
        {
            _poolExhaustedDropped++;
            return false;
        }
        buffer.TrySetFrame(frame);
        PacketBatch batch = portInterface.TxBatch;
        if (batch.IsFull)
        {
            portInterface.Device.Send(batch);
        }
        batch.TryAdd(buffer);
        portInterface.Device.Send(batch);
        return true;
    }

    /// <summary>
    /// Sends one RARP frame per MAC learned on another port, each on the member the bond would use for it, so the
    /// upstream switches relearn those MACs behind the new active member (bonding-spec §C.7). With
    /// <paramref name="movedBucketsOnly"/>, only the MACs whose balance-slb bucket rebalancing or <c>bond/migrate</c>
    /// just moved (SharpSwitch's addition; OVS 3.1 announces nothing after a move).
    /// </summary>
    private void SendLearningPackets(BridgePort bondPort, bool movedBucketsOnly)
    {
        Bond bond = bondPort.Bond!;
        Span<byte> room = stackalloc byte[64];
        for (int e = _macs.FirstInLru; e >= 0; e = _macs.NextInLru(e))
        {
            if (ReferenceEquals(_macs.PortOf(e), bondPort))
            {
                continue;
            }
            MacAddress mac = _macs.MacOf(e);
            int vlan = _macs.VlanOf(e);
            FlowKey key = default;
            key.EthSrc = mac;
            key.EthDst = MacAddress.Broadcast;
            key.EthType = 0x8035;
            if (vlan != 0)
            {
                key.VlanTagCount = 1;
                key.OuterTci = (ushort)vlan;
            }
            if (movedBucketsOnly && !bond.WasBucketMoved(in key))
            {
                continue;
            }
            PortInterface? member = bondPort.InterfaceOfMember(bond.SelectTxMember(in key));
            if (member is null)
            {
                continue;
            }
            if (!_pool.TryRent(out PacketBuffer buffer))
            {
                _poolExhaustedDropped++;
                continue;
            }
            int length = FrameBuilder.WriteLearningPacket(room, mac, vlan != 0 ? (ushort)vlan : null);
            buffer.TrySetFrame(room[..length]);
            Enqueue(member, buffer);
            _learningPacketsSent++;
        }
        FlushTransmitQueues();
    }
}
