// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

/// <summary>
/// A bond: the member state machine, active-member selection, failback policy and packet verdicts of one Port with
/// two or more Interfaces. The engine is sans-I/O: callers feed it link state and the time in ms, call
/// <see cref="Run"/> on every main-loop iteration (and by <see cref="NextWakeMs"/>), and act on its decisions.
/// It behaves as Open vSwitch 3.1's <c>ofproto/bond.c</c> (with 3.5's restart persistence) unless one of
/// SharpSwitch's own keys is set. One thread drives the control methods; <see cref="SelectTxMember"/> and
/// <see cref="Admit"/> may run on packet threads meanwhile: they read a snapshot of the membership, never throw and
/// never allocate, but an index they return can be stale by one membership change.
/// </summary>
public sealed partial class Bond
{
    private readonly List<BondMember> _members = new();

    // A copy of _members replaced (never mutated) on every add and remove, so that the packet path can index it
    // without racing a membership change made by the control thread.
    private BondMember[] _memberSnapshot = [];
    private readonly IBondEventSink? _sink;
    private readonly RecirculationIdAllocator _recirculationIds;

    // The member carrying active-backup traffic (and multicast RX in SLB); null when none.
    private BondMember? _active;

    // OVS's active_member_mac: the MAC of the last chosen active member, all-zero after "all members disabled".
    // At creation it holds the restored Port.bond_active_slave so that the first selection can reuse it.
    private MacAddress _activeMemberMac;

    // True once the active member changed and the new MAC has not yet been taken for Port.bond_active_slave.
    private bool _activeMacChanged;

    // True once anything happened that invalidates datapath flows; Run reports and clears it.
    private bool _revalidate;

    // OVS's send_learning_packets flag (§C.7), consumed by TakeLearningPacketRequest.
    private bool _sendLearningPackets;

    // The LACP status last passed to SetLacpStatus.
    private LacpStatus _lacpStatus;

    // True while the 256-bucket table would exist (balanced mode, not falling back to active-backup).
    private bool _bucketsAllocated;

    // When the next rebalance is due, in ms; null until a call first tells the bond the time.
    private long? _nextRebalanceMs;

    // The recirculation id held for non-active-backup bonds (0 for active-backup), shown by bond/list.
    private uint _recirculationId;

    // The candidate whose failback waits for the hold-down, and the stability start it was announced for,
    // so that FailbackHeld is reported once per hold-down rather than once per Run.
    private BondMember? _heldCandidate;
    private long _heldStableSinceMs;

    // When the pending failback hold-down ends, in ms; long.MaxValue when none.
    private long _failbackWakeMs = long.MaxValue;

    private MacAddress? _restoredActiveMac;

    /// <summary>Creates a bond with no members, using its own recirculation id pool.</summary>
    public Bond(string name, BondSettings settings, IBondEventSink? sink = null)
        : this(name, settings, sink, null)
    {
    }

    /// <summary>Creates a bond with no members whose recirculation id comes from the datapath's shared pool.</summary>
    public Bond(string name, BondSettings settings, IBondEventSink? sink, RecirculationIdAllocator? recirculationIds)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(settings);
        Name = name;
        Settings = settings;
        _sink = sink;
        _recirculationIds = recirculationIds ?? new RecirculationIdAllocator();
        _lacpStatus = settings.Lacp == LacpMode.Off ? LacpStatus.Off : LacpStatus.Configured;
        UpdateRecirculationId();
        ResetBuckets(null);
    }

    /// <summary>The bond's (Port's) name.</summary>
    public string Name { get; }

    /// <summary>The settings in force.</summary>
    public BondSettings Settings { get; private set; }

    /// <summary>The members in registration order; <see cref="BondMember.Index"/> is the position here.</summary>
    public IReadOnlyList<BondMember> Members => _members;

    /// <summary>The active member, or null when none is (every member disabled).</summary>
    public BondMember? ActiveMember => _active;

    /// <summary>The index of <see cref="ActiveMember"/> in <see cref="Members"/>, or -1.</summary>
    public int ActiveMemberIndex => _active?.Index ?? -1;

    /// <summary>
    /// The MAC OVS shows as <c>active member mac</c> and stores in <c>Port.bond_active_slave</c>: the last active
    /// member's address, all-zero when no member is active.
    /// </summary>
    public MacAddress ActiveMemberMac => _activeMemberMac;

    /// <summary>The LACP status last passed to <see cref="SetLacpStatus"/>.</summary>
    public LacpStatus LacpStatus => _lacpStatus;

    /// <summary>The recirculation id (0 for active-backup bonds), as <c>bond/list</c> prints it.</summary>
    public uint RecirculationId => _recirculationId;

    /// <summary>Counters for status export.</summary>
    public BondCounters Counters { get; } = new();

    /// <summary>
    /// The MAC read from <c>Port.bond_active_slave</c> when the bond was created. Set it before the first
    /// <see cref="Run"/>: the first selection then prefers the member with that MAC (the OVS 3.5 behaviour that 3.1
    /// lost), so the active member survives a restart. Null or all-zero means nothing was stored.
    /// </summary>
    public MacAddress? RestoredActiveMac
    {
        get => _restoredActiveMac;
        set
        {
            _restoredActiveMac = value;
            if (_active is null && !Counters.LastActiveChangeMs.HasValue)
            {
                _activeMemberMac = value ?? MacAddress.Zero;
            }
        }
    }

    /// <summary>
    /// True when the configured mode is balance-slb or balance-tcp but LACP is configured and not negotiated with
    /// <c>lacp-fallback-ab=true</c>, so the bond behaves as active-backup.
    /// </summary>
    public bool IsFallingBackToActiveBackup =>
        Settings.LacpFallbackAb && Settings.Mode != BondMode.ActiveBackup && _lacpStatus == LacpStatus.Configured;

    /// <summary>True when balance-tcp may use recirculation (OVS <c>bond_may_recirc</c>).</summary>
    public bool MayRecirculate => Settings.Mode == BondMode.BalanceTcp && _recirculationId != 0 && !IsFallingBackToActiveBackup;

    /// <summary>True when the datapath <c>lb_output</c> action is in use.</summary>
    public bool UsesLbOutputAction => MayRecirculate && Settings.LbOutputAction;

    /// <summary>True when rebalancing applies (OVS <c>bond_is_balanced</c>): SLB or TCP, a nonzero interval, no fallback.</summary>
    public bool IsBalanced =>
        Settings.RebalanceIntervalMs != 0
        && Settings.Mode != BondMode.ActiveBackup
        && !(Settings.LacpFallbackAb && _lacpStatus == LacpStatus.Configured);

    /// <summary>The effective <c>all-members-active</c>: the setting in balance-slb, false in every other mode.</summary>
    public bool AllMembersActive => Settings.Mode == BondMode.BalanceSlb && Settings.AllMembersActive;

    /// <summary>When the next rebalance is due, in ms, for a balanced bond.</summary>
    public long NextRebalanceMs(long nowMs) => _nextRebalanceMs ?? (nowMs + Settings.RebalanceIntervalMs);

    /// <summary>
    /// The earliest time at which <see cref="Run"/> has timed work: a member's updelay or downdelay, or a failback
    /// hold-down. <see cref="long.MaxValue"/> when no timer is pending. See also <see cref="NeedsRun"/>.
    /// </summary>
    public long NextWakeMs
    {
        get
        {
            long wake = _failbackWakeMs;
            foreach (BondMember member in _members)
            {
                if (member.DelayExpiresMs is long expires && expires < wake)
                {
                    wake = expires;
                }
            }
            return wake;
        }
    }

    /// <summary>
    /// True when an input or command changed state that <see cref="Run"/> has not yet acted on (OVS wakes its main
    /// loop immediately in that case).
    /// </summary>
    public bool NeedsRun => _revalidate;

    /// <summary>The member whose failback waits for the <c>bond-failback-delay</c> hold-down, or null.</summary>
    public BondMember? FailbackHoldDownCandidate => _heldCandidate;

    /// <summary>When the pending failback hold-down ends, in ms; <see cref="long.MaxValue"/> when none.</summary>
    public long FailbackHoldDownEndMs => _failbackWakeMs;

    /// <summary>Looks a member up by name.</summary>
    public BondMember? FindMember(string name)
    {
        foreach (BondMember member in _members)
        {
            if (string.Equals(member.Name, name, StringComparison.Ordinal))
            {
                return member;
            }
        }
        return null;
    }

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

    /// <summary>
    /// Applies new settings (OVS <c>bond_reconfigure</c>): delays, primary, mode, basis, rebalance interval and
    /// fallback take effect on the next <see cref="Run"/>; pending delays keep their expiry times.
    /// </summary>
    public void Reconfigure(BondSettings settings, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(settings);
        EnsureRebalanceClock(nowMs);
        BondSettings old = Settings;
        if (old == settings)
        {
            return;
        }
        bool revalidate = old.LacpFallbackAb != settings.LacpFallbackAb
            || old.RebalanceIntervalMs != settings.RebalanceIntervalMs
            || old.Mode != settings.Mode
            || old.HashBasis != settings.HashBasis
            || !string.Equals(old.Primary, settings.Primary, StringComparison.Ordinal)
            || old.LbOutputAction != settings.LbOutputAction;
        Settings = settings;
        foreach (BondMember member in _members)
        {
            member.IsPrimary = string.Equals(settings.Primary, member.Name, StringComparison.Ordinal);
        }
        UpdateRecirculationId();
        if (settings.Mode == BondMode.ActiveBackup || !_bucketsAllocated || revalidate || _revalidate)
        {
            ResetBuckets(nowMs);
        }
        if (revalidate)
        {
            _revalidate = true;
        }
        if (old.Failback != settings.Failback || old.FailbackDelayMs != settings.FailbackDelayMs || revalidate)
        {
            ClearHeldFailback();
        }
        Emit(nowMs, null, BondEventKind.Reconfigured, $"bond {Name}: reconfigured", DescribeChanges(old, settings));
        // Turning LACP on or off creates or destroys OVS's LACP object, whose status the bond then follows; until the
        // LACP engine reports, a new LACP object counts as configured but not negotiated.
        if (settings.Lacp == LacpMode.Off)
        {
            SetLacpStatus(LacpStatus.Off, nowMs);
        }
        else if (_lacpStatus == LacpStatus.Off)
        {
            SetLacpStatus(LacpStatus.Configured, nowMs);
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

    /// <summary>
    /// Records the bond's LACP status (OVS passes it to <c>bond_run</c>). A change revalidates flows and, when it
    /// starts or ends the active-backup fallback, resets the hash buckets.
    /// </summary>
    public void SetLacpStatus(LacpStatus status, long nowMs)
    {
        EnsureRebalanceClock(nowMs);
        if (status == _lacpStatus)
        {
            return;
        }
        LacpStatus old = _lacpStatus;
        _lacpStatus = status;
        _revalidate = true;
        if (IsFallingBackToActiveBackup || !_bucketsAllocated)
        {
            ResetBuckets(nowMs);
        }
        Emit(nowMs, null, BondEventKind.LacpStatusChanged, $"bond {Name}: lacp_status is now {status.ToOvsString()}",
            $"LACP reported {status.ToOvsString()} (was {old.ToOvsString()})");
    }

    /// <summary>
    /// Takes the pending change of the active member's MAC for <c>Port.bond_active_slave</c> (OVS
    /// <c>bond_get_changed_active_member</c>): true once per change, with the MAC to write (all-zero for none).
    /// </summary>
    public bool TryTakeActiveMemberMacChange(out MacAddress mac)
    {
        mac = _activeMemberMac;
        bool changed = _activeMacChanged;
        _activeMacChanged = false;
        return changed;
    }

    /// <summary>
    /// Parses a stored <c>Port.bond_active_slave</c> value. Returns null when the column is empty or unparsable,
    /// which OVS treats as "nothing stored".
    /// </summary>
    public static MacAddress? ParseActiveSlaveColumn(string? value)
    {
        return MacAddress.TryParse(value, out MacAddress mac) ? mac : null;
    }

    private BondMember RequireMember(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return FindMember(name) ?? throw new ArgumentException($"bond {Name}: no such member {name}", nameof(name));
    }

    private void UpdateRecirculationId()
    {
        // OVS holds a recirculation id for every non-active-backup bond (SLB included) and frees it in active-backup.
        if (Settings.Mode != BondMode.ActiveBackup)
        {
            if (_recirculationId == 0)
            {
                _recirculationId = _recirculationIds.Allocate();
            }
        }
        else if (_recirculationId != 0)
        {
            _recirculationIds.Free(_recirculationId);
            _recirculationId = 0;
        }
    }

    private void ResetBuckets(long? nowMs)
    {
        _bucketsAllocated = Settings.Mode != BondMode.ActiveBackup && !IsFallingBackToActiveBackup;
        if (_bucketsAllocated)
        {
            // A null time means "not known yet"; the first call that brings the time starts the rebalance clock.
            _nextRebalanceMs = nowMs + Settings.RebalanceIntervalMs;
        }
    }

    private void EnsureRebalanceClock(long nowMs)
    {
        if (_bucketsAllocated && _nextRebalanceMs is null)
        {
            _nextRebalanceMs = nowMs + Settings.RebalanceIntervalMs;
        }
    }

    private void Emit(long nowMs, BondMember? member, BondEventKind kind, string message, string reason)
    {
        if (_sink is null)
        {
            return;
        }
        var e = new BondEvent(nowMs, Name, member?.Name, kind, message, reason);
        _sink.OnEvent(in e);
    }

    private static string Lower(bool value) => value ? "true" : "false";

    private static string DescribeChanges(BondSettings old, BondSettings now)
    {
        var changes = new List<string>();
        if (old.Mode != now.Mode)
        {
            changes.Add($"bond_mode {old.Mode.ToOvsString()} -> {now.Mode.ToOvsString()}");
        }
        if (old.UpDelayMs != now.UpDelayMs)
        {
            changes.Add($"updelay {old.UpDelayMs} -> {now.UpDelayMs} ms");
        }
        if (old.DownDelayMs != now.DownDelayMs)
        {
            changes.Add($"downdelay {old.DownDelayMs} -> {now.DownDelayMs} ms");
        }
        if (!string.Equals(old.Primary, now.Primary, StringComparison.Ordinal))
        {
            changes.Add($"bond-primary {old.Primary ?? "<none>"} -> {now.Primary ?? "<none>"}");
        }
        if (old.Failback != now.Failback)
        {
            changes.Add($"bond-failback {old.Failback?.ToOvsdbString() ?? "<default>"} -> {now.Failback?.ToOvsdbString() ?? "<default>"}");
        }
        if (old.FailbackDelayMs != now.FailbackDelayMs)
        {
            changes.Add($"bond-failback-delay {old.FailbackDelayMs} -> {now.FailbackDelayMs} ms");
        }
        if (old.Lacp != now.Lacp)
        {
            changes.Add($"lacp {old.Lacp.ToString().ToLowerInvariant()} -> {now.Lacp.ToString().ToLowerInvariant()}");
        }
        if (old.LacpFallbackAb != now.LacpFallbackAb)
        {
            changes.Add($"lacp-fallback-ab {Lower(old.LacpFallbackAb)} -> {Lower(now.LacpFallbackAb)}");
        }
        if (old.HashBasis != now.HashBasis)
        {
            changes.Add($"bond-hash-basis {old.HashBasis} -> {now.HashBasis}");
        }
        if (old.RebalanceIntervalMs != now.RebalanceIntervalMs)
        {
            changes.Add($"bond-rebalance-interval {old.RebalanceIntervalMs} -> {now.RebalanceIntervalMs} ms");
        }
        return changes.Count == 0 ? "configuration changed" : string.Join(", ", changes);
    }
}
