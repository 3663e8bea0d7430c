// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

public sealed partial class Bond
{
    /// <summary>
    /// Registers a member. As in OVS, the member is enabled at once if it has carrier, with no delay and no LACP
    /// gating (unless SharpSwitch's maintenance disable is set); the next <see cref="Run"/> applies the delays.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty or already a member.</exception>
    public void AddMember(string name, MacAddress mac, MemberSettings settings, bool carrier, long nowMs)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(settings);
        if (FindMember(name) is not null)
        {
            throw new ArgumentException($"bond {Name}: {name} is already a member", nameof(name));
        }
        EnsureRebalanceClock(nowMs);
        var member = new BondMember(name, mac, settings, _members.Count)
        {
            Carrier = carrier,
            IsPrimary = string.Equals(Settings.Primary, name, StringComparison.Ordinal),
        };
        _members.Add(member);
        _memberSnapshot = _members.ToArray();
        _revalidate = true;
        Emit(nowMs, member, BondEventKind.MemberAdded, $"bond {Name}: added member {name}",
            carrier ? "registered with carrier up" : "registered with carrier down");
        if (carrier && !settings.MaintenanceDisabled)
        {
            SetEnabled(member, true, nowMs, "registered with carrier up (no delay at registration)");
        }
    }

    /// <summary>
    /// Unregisters a member. If it was active, a new active member is chosen at once and learning packets are
    /// requested, as OVS does.
    /// </summary>
    /// <exception cref="ArgumentException">No member has that name.</exception>
    public void RemoveMember(string name, long nowMs)
    {
        BondMember member = RequireMember(name);
        EnsureRebalanceClock(nowMs);
        _revalidate = true;
        SetEnabled(member, false, nowMs, "removed from the bond");
        bool wasActive = ReferenceEquals(_active, member);
        ForgetBucketsOf(member);
        _members.RemoveAt(member.Index);
        for (int i = member.Index; i < _members.Count; i++)
        {
            _members[i].Index = i;
        }
        _memberSnapshot = _members.ToArray();
        if (ReferenceEquals(_heldCandidate, member))
        {
            ClearHeldFailback();
        }
        Emit(nowMs, member, BondEventKind.MemberRemoved, $"bond {Name}: removed member {name}", "unregistered");
        if (wasActive)
        {
            ChooseActiveMember(nowMs, $"active member {name} removed", countAsFailover: true);
            _sendLearningPackets = true;
        }
    }

    /// <summary>Replaces a member's SharpSwitch settings; the next <see cref="Run"/> acts on them.</summary>
    /// <exception cref="ArgumentException">No member has that name.</exception>
    public void SetMemberSettings(string name, MemberSettings settings, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(settings);
        BondMember member = RequireMember(name);
        if (member.Settings == settings)
        {
            return;
        }
        MemberSettings old = member.Settings;
        member.Settings = settings;
        _revalidate = true;
        Emit(nowMs, member, BondEventKind.Reconfigured, $"member {name}: reconfigured",
            $"bond-member-priority {old.Priority} -> {settings.Priority}, bond-member-disabled {Lower(old.MaintenanceDisabled)} -> {Lower(settings.MaintenanceDisabled)}");
    }

    /// <summary>
    /// Records a member's link inputs (§B.1): <paramref name="carrier"/> from the netdev and
    /// <paramref name="mayEnable"/> from the LACP/BFD/CFM gates. The next <see cref="Run"/> acts on them.
    /// </summary>
    /// <exception cref="ArgumentException">No member has that name.</exception>
    public void SetMemberLink(string name, bool carrier, bool mayEnable, long nowMs)
    {
        BondMember member = RequireMember(name);
        EnsureRebalanceClock(nowMs);
        member.Carrier = carrier;
        member.GatesPassed = mayEnable;
    }

    /// <summary>Records a member's new Ethernet address (the netdev's MAC changed).</summary>
    /// <exception cref="ArgumentException">No member has that name.</exception>
    public void SetMemberMac(string name, MacAddress mac)
    {
        RequireMember(name).Mac = mac;
    }

    private BondMember RequireMember(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return FindMember(name) ?? throw new ArgumentException($"bond {Name}: no such member {name}", nameof(name));
    }
}
