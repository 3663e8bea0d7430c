// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

public sealed partial class Bond
{
    /// <summary>
    /// Chooses the member a packet leaves on (OVS <c>choose_output_member</c>, §C.10): the index in
    /// <see cref="Members"/>, or -1 to drop. Never allocates.
    /// </summary>
    /// <remarks>
    /// Active-backup, and a bond falling back to active-backup, use the active member. LACP configured without
    /// fallback, and balance-tcp without negotiated LACP, drop. Balanced modes will hash into 256 buckets once the
    /// bucket table exists; until then they send on the active member, which is always an enabled member.
    /// </remarks>
    public int SelectTxMember(in FlowKey key)
    {
        BondMember? active = _active;
        int activeIndex = active?.Index ?? -1;
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
                return activeIndex;
            case BondMode.BalanceTcp:
                if (_lacpStatus != LacpStatus.Negotiated)
                {
                    return -1;
                }
                return activeIndex;
            case BondMode.BalanceSlb:
                return activeIndex;
            default:
                return -1;
        }
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
}
