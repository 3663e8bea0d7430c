// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

/// <summary>
/// A bond: the member state machine, active-member selection, failback policy and packet verdicts of one Port with
/// two or more Interfaces. The engine is sans-I/O: callers feed it link state and the time in ms, call
/// <see cref="Run"/> on every main-loop iteration (and by <see cref="NextWakeMs"/>), and act on its decisions.
/// It behaves as Open vSwitch 3.1's <c>ofproto/bond.c</c> (with 3.5's restart persistence) unless one of
/// SharpSwitch's own keys is set. One thread drives the control methods; <see cref="SelectTxMember(in FlowKey, int)"/> and
/// <see cref="Admit"/> may run on packet threads meanwhile: they read a snapshot of the membership, never throw and
/// never allocate, but an index they return can be stale by one membership change. In balanced modes
/// <see cref="SelectTxMember(in FlowKey, int)"/> also assigns buckets and counts their bytes, as OVS's translation does
/// under its bond lock; SharpSwitch's datapath calls it from the one thread that runs the bridge, and a second packet
/// thread would at worst assign one bucket twice or lose a few counted bytes, never crash.
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

    // True once the "dropping all traffic" event went out for the current episode, so it is reported once.
    private bool _dropReported;

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
            // OVS rebalances at its next statistics checkpoint; SharpSwitch wakes for it so that virtual time (the lab,
            // the tests) sees rebalancing at the due time.
            if (IsBalanced && _bucketsAllocated && _nextRebalanceMs is long rebalance && rebalance < wake)
            {
                wake = rebalance;
            }
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
}
