// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

public sealed partial class Bond
{
    /// <summary>
    /// Chooses the member a packet leaves on (OVS <c>choose_output_member</c>, §C.10): the index in
    /// <see cref="Members"/>, or -1 to drop. Never allocates; counts nothing (learning packets use it).
    /// </summary>
    /// <remarks>
    /// Active-backup, and a bond falling back to active-backup, use the active member. LACP configured without
    /// fallback, and balance-tcp without negotiated LACP, drop. balance-slb and balance-tcp hash into 256 buckets; a
    /// bucket with no member, or a disabled one, takes the next member of the rotating list of enabled members.
    /// </remarks>
    public int SelectTxMember(in FlowKey key) => SelectTxMember(in key, 0);

    /// <summary>
    /// <see cref="SelectTxMember(in FlowKey)"/> for a frame of <paramref name="frameBytes"/> bytes that the datapath
    /// sends: a balanced bond adds them to the bucket's load, which rebalancing reads.
    /// </summary>
    public int SelectTxMember(in FlowKey key, int frameBytes)
    {
        BondMode mode = Settings.Mode;
        if (_lacpStatus == LacpStatus.Configured)
        {
            if (!Settings.LacpFallbackAb)
            {
                return -1;
            }
            mode = BondMode.ActiveBackup;
        }
        switch (mode)
        {
            case BondMode.ActiveBackup:
                return _active?.Index ?? -1;
            case BondMode.BalanceTcp:
                if (_lacpStatus != LacpStatus.Negotiated)
                {
                    return -1;
                }
                return BucketTx(BondHash.TcpBucket(in key, Settings.HashBasis), frameBytes);
            case BondMode.BalanceSlb:
                return BucketTx(BondHash.SlbBucket(key.EthSrc, key.OuterVlanId, Settings.HashBasis), frameBytes);
            default:
                return -1;
        }
    }

    private int BucketTx(int bucket, int frameBytes)
    {
        if (!_bucketsAllocated)
        {
            // Only reachable between a configuration change and the reset that follows it; the active member is safe.
            return _active?.Index ?? -1;
        }
        BondMember? member = BucketMember(bucket);
        if (member is null)
        {
            return -1;
        }
        if (frameBytes > 0)
        {
            AccountTx(bucket, frameBytes);
        }
        return member.Index;
    }

    /// <summary>
    /// Decides whether a packet received on member <paramref name="memberIndex"/> enters the bridge (OVS
    /// <c>bond_check_admissibility</c>, §C.10). Only the destination MAC of <paramref name="key"/> matters. Never
    /// allocates; an index that is not a member gives <see cref="BondAdmission.Drop"/>.
    /// </summary>
    public BondAdmission Admit(int memberIndex, in FlowKey key)
    {
        BondMember[] members = _memberSnapshot;
        if ((uint)memberIndex >= (uint)members.Length)
        {
            return BondAdmission.Drop;
        }
        BondMember member = members[memberIndex];
        BondMember? active = _active;

        switch (_lacpStatus)
        {
            case LacpStatus.Negotiated:
                // The partner switch knows about the bond; only members that cannot be enabled are suspect. A member
                // LACP has just made usable is admitted before Run enables it, as OVS does.
                return member.Enabled || member.MayEnable ? BondAdmission.Accept : BondAdmission.Drop;
            case LacpStatus.Configured:
                if (!Settings.LacpFallbackAb)
                {
                    return BondAdmission.Drop;
                }
                break;
            case LacpStatus.Off:
                if (Settings.Mode == BondMode.BalanceTcp)
                {
                    return BondAdmission.Drop;
                }
                break;
        }

        bool isActive = ReferenceEquals(active, member);
        if (key.EthDst.IsMulticast && !isActive && !AllMembersActive)
        {
            return BondAdmission.Drop;
        }

        switch (Settings.Mode)
        {
            case BondMode.BalanceTcp:
            case BondMode.ActiveBackup:
                // balance-tcp gets here only while falling back to active-backup; backup members drop everything.
                return isActive ? BondAdmission.Accept : BondAdmission.Drop;
            case BondMode.BalanceSlb:
                return BondAdmission.DropIfMoved;
            default:
                return BondAdmission.Drop;
        }
    }

    /// <summary>
    /// Consumes the request to send gratuitous learning packets (§C.7): true when the flag was set by a disable, a
    /// selection or an operator command and the bond may send them (an active member exists, and either LACP is off
    /// in active-backup or SLB mode, or LACP is configured but not negotiated with <c>lacp-fallback-ab</c>). The flag
    /// is cleared either way. The caller then sends one RARP per MAC learned on other ports, on the TX member.
    /// </summary>
    public bool TakeLearningPacketRequest()
    {
        bool maySend = _active is not null
            && ((_lacpStatus == LacpStatus.Off && Settings.Mode is BondMode.BalanceSlb or BondMode.ActiveBackup)
                || (Settings.LacpFallbackAb && _lacpStatus == LacpStatus.Configured));
        bool send = _sendLearningPackets && maySend;
        _sendLearningPackets = false;
        return send;
    }

    /// <summary>
    /// Why a balance-tcp bond drops every packet, or null when it does not: OVS 3.1 drops all TX and RX of a
    /// balance-tcp bond without negotiated LACP (and of any bond whose LACP is configured but not negotiated, without
    /// <c>lacp-fallback-ab</c>), and says nothing about it.
    /// </summary>
    public string? TrafficDropReason => (Settings.Mode, _lacpStatus, Settings.LacpFallbackAb) switch
    {
        (BondMode.BalanceTcp, LacpStatus.Off, _) =>
            "balance-tcp requires LACP, and lacp is off; set lacp=active or lacp=passive, or use balance-slb",
        (BondMode.BalanceTcp, LacpStatus.Configured, false) =>
            "balance-tcp requires negotiated LACP, and no partner has negotiated; other_config:lacp-fallback-ab=true would fall back to active-backup",
        _ => null,
    };

    /// <summary>Reports, once per episode, that the bond drops all traffic (where OVS is silent), and when that ends.</summary>
    private void ReportTrafficDrop(long nowMs)
    {
        string? reason = TrafficDropReason;
        if (reason is not null && !_dropReported)
        {
            _dropReported = true;
            Emit(nowMs, null, BondEventKind.DroppingAllTraffic, $"bond {Name}: dropping all traffic", reason);
        }
        else if (reason is null && _dropReported)
        {
            _dropReported = false;
            Emit(nowMs, null, BondEventKind.TrafficResumed, $"bond {Name}: no longer dropping all traffic",
                $"lacp_status is {_lacpStatus.ToOvsString()}");
        }
    }
}
