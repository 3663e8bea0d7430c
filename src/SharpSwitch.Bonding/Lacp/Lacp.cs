// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

/// <summary>Called by <see cref="Lacp.Run"/> for each LACPDU to send: the member and the PDU.</summary>
public delegate void LacpSend(LacpMember member, in LacpPdu pdu);

/// <summary>What <see cref="Lacp.ProcessFrame"/> made of a Slow Protocols frame.</summary>
/// <param name="Kind">LACP, Marker or bad.</param>
/// <param name="MayEnable">The member's <see cref="Lacp.MayEnable"/> after the PDU (as OVS returns it).</param>
/// <param name="MarkerResponse">A 110-byte Marker Response to send back on the member (SharpSwitch only), or null.</param>
public readonly record struct LacpRxResult(SlowProtocolsPduKind Kind, bool MayEnable, byte[]? MarkerResponse);

/// <summary>
/// The LACP engine of one port, as OVS 3.1's <c>lib/lacp.c</c> behaves (bonding-spec.md §D). Sans-I/O: every call
/// that can change state takes <c>nowMs</c>; PDUs leave through the <see cref="LacpSend"/> callback of
/// <see cref="Run"/>. Not thread-safe: drive it from the bridge's control thread.
/// </summary>
/// <remarks>
/// Differences from OVS, all deliberate: members are visited in registration order (OVS: pointer-hash order, which
/// only matters for exact priority ties), the key member after the key member's removal is the earliest registered
/// remaining member (OVS: hash order), and Marker Requests are answered when <see cref="LacpSettings.AnswerMarkers"/>
/// is set (OVS ignores them).
/// </remarks>
public sealed class Lacp
{
    /// <summary>The periodic transmit interval towards a partner that asked for a short timeout.</summary>
    public const int FastTxIntervalMs = 1000;

    /// <summary>The periodic transmit interval towards a partner that asked for a long timeout.</summary>
    public const int SlowTxIntervalMs = 30000;

    /// <summary>The receive timeout is this many transmit intervals of our own <c>lacp-time</c>.</summary>
    public const int RxMultiplier = 3;

    private const LacpState TxRelevantBits = LacpState.Activity | LacpState.Timeout | LacpState.Synchronization | LacpState.Aggregation;

    private readonly List<LacpMember> _members = [];
    private readonly Action<LacpEvent>? _sink;
    private LacpMember? _keyMember;
    private bool _update;
    private string _updateReason = "";
    private int _nextOrder;

    /// <summary>Creates an LACP object; <paramref name="sink"/> receives every <see cref="LacpEvent"/>.</summary>
    public Lacp(LacpSettings settings, Action<LacpEvent>? sink = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ValidateSettings(settings);
        Settings = settings;
        _sink = sink;
    }

    /// <summary>The current configuration.</summary>
    public LacpSettings Settings { get; private set; }

    /// <summary>The port name.</summary>
    public string Name => Settings.Name;

    /// <summary>True when an aggregate formed (a lead member exists).</summary>
    public bool Negotiated { get; private set; }

    /// <summary>The bond-level status to feed <see cref="Bond.SetLacpStatus"/> (§D.7).</summary>
    public LacpStatus Status => Negotiated ? LacpStatus.Negotiated : LacpStatus.Configured;

    /// <summary>The members in registration order.</summary>
    public IReadOnlyList<LacpMember> Members => _members;

    /// <summary>The member whose key (or port id) is the aggregation key, or null without members.</summary>
    public LacpMember? KeyMember => _keyMember;

    /// <summary>The aggregation key every member sends, or null without members.</summary>
    public ushort? AggregationKey => _keyMember is null ? null : KeyOf(_keyMember);

    /// <summary>True when the next <see cref="Run"/> has to re-run the aggregation.</summary>
    public bool UpdatePending => _update;

    /// <summary>
    /// The earliest time <see cref="Run"/> has work (a transmit or receive timer, as OVS's <c>lacp_wait</c>);
    /// <see cref="long.MinValue"/> when it is already due (a pending re-aggregation or a PDU to send now);
    /// <see cref="long.MaxValue"/> when nothing is scheduled.
    /// </summary>
    public long NextWakeMs
    {
        get
        {
            if (_update)
            {
                return long.MinValue;
            }
            long wake = long.MaxValue;
            foreach (LacpMember member in _members)
            {
                if (MayTx(member))
                {
                    wake = Math.Min(wake, TxEqual(ComposeActor(member), member.NttActor) ? member.TxDeadlineMs : long.MinValue);
                }
                if (member.Status != LacpMemberStatus.Defaulted)
                {
                    wake = Math.Min(wake, member.RxDeadlineMs);
                }
            }
            return wake;
        }
    }

    /// <summary>Looks a member up by name.</summary>
    public LacpMember? FindMember(string name)
    {
        // A plain loop: a predicate capturing the name would allocate on every call, and the datapath asks for every
        // member on every poll.
        foreach (LacpMember member in _members)
        {
            if (member.Name == name)
            {
                return member;
            }
        }
        return null;
    }

    /// <summary>
    /// Applies a new configuration. A changed system id or priority, or a changed fallback flag, re-runs the
    /// aggregation; active/passive and fast/slow take effect in the next PDU.
    /// </summary>
    public void Configure(LacpSettings settings, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ValidateSettings(settings);
        LacpSettings old = Settings;
        Settings = settings;
        if (old.SystemId != settings.SystemId || old.SystemPriority != settings.SystemPriority)
        {
            RequestUpdate($"system {old.SystemPriority}/{old.SystemId} -> {settings.SystemPriority}/{settings.SystemId}");
        }
        if (old.FallbackAb != settings.FallbackAb)
        {
            RequestUpdate($"lacp-fallback-ab {Lower(old.FallbackAb)} -> {Lower(settings.FallbackAb)}");
        }
    }

    /// <summary>
    /// Registers a member or updates its settings (OVS <c>lacp_member_register</c>). A new member starts defaulted with
    /// a zeroed partner; the first registered member is the key member. A new member or changed port id, priority or
    /// key re-runs the aggregation and, when the port is active or negotiated, expires the member (3 s timer).
    /// <paramref name="carrierUp"/> is the carrier of a new member (ignored for an existing one: use
    /// <see cref="SetCarrier"/>).
    /// </summary>
    public LacpMember AddOrUpdateMember(string name, LacpMemberSettings settings, bool carrierUp, long nowMs)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(settings);
        LacpMember? member = FindMember(name);
        bool isNew = member is null;
        if (member is null)
        {
            // The zero port id below guarantees the "settings changed" branch, as in OVS (a zeroed member).
            member = new LacpMember(name, new LacpMemberSettings { PortId = 0, PortPriority = 0, Key = 0 }, carrierUp, _nextOrder++);
            _members.Add(member);
            SetDefaulted(member, nowMs, "registered");
            _keyMember ??= member;
        }
        LacpMemberSettings old = member.Settings;
        if (old.PortId != settings.PortId || old.PortPriority != settings.PortPriority || old.Key != settings.Key)
        {
            member.Settings = settings;
            string reason = isNew
                ? $"added with port_id {settings.PortId}, port_priority {settings.PortPriority}, key {settings.Key}"
                : $"port_id {old.PortId} -> {settings.PortId}, port_priority {old.PortPriority} -> {settings.PortPriority}, key {old.Key} -> {settings.Key}";
            Emit(nowMs, member, LacpEventKind.MemberConfigured, $"member {name}: configured", reason);
            RequestUpdate(reason);
            if (Settings.Active || Negotiated)
            {
                SetExpired(member, nowMs, Settings.Active ? "(re)configured on an active port" : "(re)configured while negotiated");
            }
        }
        return member;
    }

    /// <summary>Removes a member (OVS <c>lacp_member_unregister</c>); the aggregation re-runs. False if unknown.</summary>
    public bool RemoveMember(string name, long nowMs)
    {
        LacpMember? member = FindMember(name);
        if (member is null)
        {
            return false;
        }
        _members.Remove(member);
        if (_keyMember == member)
        {
            _keyMember = _members.Count == 0 ? null : _members[0];
        }
        Emit(nowMs, member, LacpEventKind.MemberConfigured, $"member {name}: removed", "unregistered");
        RequestUpdate($"member {name} removed");
        return true;
    }

    /// <summary>
    /// A carrier change event (OVS <c>lacp_member_carrier_changed</c>): a current member, or any member of an active
    /// port, expires (partner Sync cleared, partner Timeout set, 3 s timer); the counter moves when the value differs.
    /// </summary>
    public void SetCarrier(string name, bool carrierUp, long nowMs)
    {
        LacpMember member = Require(name);
        if (member.Status == LacpMemberStatus.Current || Settings.Active)
        {
            SetExpired(member, nowMs, carrierUp ? "carrier came up" : "carrier went down");
        }
        if (member.CarrierUp != carrierUp)
        {
            member.CarrierUp = carrierUp;
            member.Counters.CarrierStatusChanged++;
            Emit(nowMs, member, LacpEventKind.CarrierChanged, $"member {name}: carrier {(carrierUp ? "up" : "down")}", "carrier event");
        }
    }

    /// <summary>
    /// OVS's <c>lacp_member_may_enable</c> (§D.4): attached and (partner Sync, or fallback and defaulted). Like OVS it is
    /// meant to be asked only while carrier is up, and marks the member's carrier up (for NICs that report L1 late).
    /// Unknown members give false.
    /// </summary>
    public bool MayEnable(string name)
    {
        LacpMember? member = FindMember(name);
        if (member is null)
        {
            return false;
        }
        member.CarrierUp = true;
        return MayEnableCore(member);
    }

    /// <summary>The may_enable shown by <c>lacp/show</c>: the same rule without touching the carrier flag.</summary>
    public bool PeekMayEnable(LacpMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return MayEnableCore(member);
    }

    /// <summary>
    /// Handles the payload of a Slow Protocols frame (after the EtherType) received on <paramref name="name"/>:
    /// counts it, classifies it as OVS does (§D.1), and processes LACPDUs. Marker Requests are answered when
    /// <see cref="LacpSettings.AnswerMarkers"/> is set and carrier is up.
    /// </summary>
    public LacpRxResult ProcessFrame(string name, ReadOnlySpan<byte> payload, long nowMs)
    {
        LacpMember member = Require(name);
        member.Counters.RxPdus++;
        SlowProtocolsPduKind kind = LacpPduView.Classify(payload);
        switch (kind)
        {
            case SlowProtocolsPduKind.Lacp:
                return new LacpRxResult(kind, ProcessPduCore(member, LacpPdu.Parse(payload), nowMs), null);
            case SlowProtocolsPduKind.Marker:
                member.Counters.RxMarkerPdus++;
                byte[]? response = Settings.AnswerMarkers && member.CarrierUp ? LacpMarker.TryBuildResponse(payload) : null;
                if (response is not null)
                {
                    member.Counters.MarkerResponsesSent++;
                    Emit(nowMs, member, LacpEventKind.MarkerAnswered, $"member {name}: answered a marker request", "Marker Information TLV received");
                }
                return new LacpRxResult(kind, false, response);
            case SlowProtocolsPduKind.Bad:
                member.Counters.RxBadPdus++;
                Emit(nowMs, member, LacpEventKind.UnparsablePdu, $"{Name}: received an unparsable LACP PDU.", "neither an LACPDU nor a Marker PDU");
                return new LacpRxResult(kind, false, null);
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>
    /// Processes a parsed LACPDU received on <paramref name="name"/> (OVS <c>lacp_process_packet</c>, LACP subtype):
    /// counts it; when carrier is up the member becomes current with a 3 × own-interval receive timer, the PDU's
    /// partner field becomes what the partner believes about us, and a changed partner re-runs the aggregation.
    /// Returns the member's may_enable afterwards.
    /// </summary>
    public bool ProcessPdu(string name, in LacpPdu pdu, long nowMs)
    {
        LacpMember member = Require(name);
        member.Counters.RxPdus++;
        return ProcessPduCore(member, pdu, nowMs);
    }

    /// <summary>
    /// Runs the timers, the aggregation and the transmitter (OVS <c>lacp_run</c>). Returns true when the negotiated
    /// flag or any member's status or attachment changed (the bond should re-read <see cref="Status"/> and
    /// <see cref="MayEnable"/>).
    /// </summary>
    public bool Run(long nowMs, LacpSend send)
    {
        ArgumentNullException.ThrowIfNull(send);
        bool changed = false;
        foreach (LacpMember member in _members)
        {
            if (nowMs < member.RxDeadlineMs)
            {
                continue;
            }
            switch (member.Status)
            {
                case LacpMemberStatus.Current:
                    SetExpired(member, nowMs, $"no LACPDU for {RxTimeoutMs} ms");
                    member.Counters.LinkExpired++;
                    changed = true;
                    break;
                case LacpMemberStatus.Expired:
                    SetDefaulted(member, nowMs, $"no LACPDU for {RxMultiplier * FastTxIntervalMs} ms while expired");
                    member.Counters.LinkDefaulted++;
                    changed = true;
                    break;
                case LacpMemberStatus.Defaulted:
                    break;
            }
        }

        if (_update)
        {
            changed |= UpdateAttached(nowMs);
        }

        foreach (LacpMember member in _members)
        {
            if (!MayTx(member))
            {
                continue;
            }
            LacpParticipantInfo actor = ComposeActor(member);
            if (nowMs >= member.TxDeadlineMs || !TxEqual(actor, member.NttActor))
            {
                member.NttActor = actor;
                var pdu = new LacpPdu(actor, member.Partner);
                send(member, pdu);
                member.Counters.TxPdus++;
                member.TxDeadlineMs = nowMs + ((member.Partner.State & LacpState.Timeout) != 0 ? FastTxIntervalMs : SlowTxIntervalMs);
            }
        }
        return changed;
    }

    /// <summary>The actor info this member sends now (§D.2): the PDU's actor field and <c>lacp/show</c>'s actor lines.</summary>
    public LacpParticipantInfo ComposeActor(LacpMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        LacpState state = LacpState.None;
        if (Settings.Active)
        {
            state |= LacpState.Activity;
        }
        if (Settings.Fast)
        {
            state |= LacpState.Timeout;
        }
        if (member.Attached)
        {
            state |= LacpState.Synchronization;
        }
        state |= member.Status switch
        {
            LacpMemberStatus.Current => LacpState.None,
            LacpMemberStatus.Expired => LacpState.Expired,
            LacpMemberStatus.Defaulted => LacpState.Defaulted,
        };
        if (_members.Count > 1)
        {
            state |= LacpState.Aggregation;
        }
        if (member.Attached || !Negotiated)
        {
            state |= LacpState.Collecting | LacpState.Distributing;
        }
        ushort key = _keyMember is null ? member.Settings.PortId : KeyOf(_keyMember);
        return new LacpParticipantInfo(Settings.SystemPriority, Settings.SystemId, key, member.Settings.PortPriority, member.Settings.PortId, state);
    }

    private int RxTimeoutMs => RxMultiplier * (Settings.Fast ? FastTxIntervalMs : SlowTxIntervalMs);

    private bool ProcessPduCore(LacpMember member, in LacpPdu pdu, long nowMs)
    {
        if (!member.CarrierUp)
        {
            Emit(nowMs, member, LacpEventKind.DroppedCarrierDown, $"{member.Name}: carrier state is DOWN, dropping received LACP PDU.", "PDU received while carrier is down");
            return false;
        }
        LacpMemberStatus old = member.Status;
        member.Status = LacpMemberStatus.Current;
        member.RxDeadlineMs = nowMs + RxTimeoutMs;
        if (old != LacpMemberStatus.Current)
        {
            Emit(nowMs, member, LacpEventKind.MemberStatusChanged, $"member {member.Name}: {StatusWord(old)} -> current", "LACPDU received");
        }
        member.NttActor = pdu.Partner;
        if (member.Partner != pdu.Actor)
        {
            LacpParticipantInfo previous = member.Partner;
            member.Partner = pdu.Actor;
            if (previous.SystemId == pdu.Actor.SystemId && previous.Key == pdu.Actor.Key && previous.PortNumber == pdu.Actor.PortNumber)
            {
                RequestUpdate($"member {member.Name}: partner state changed");
            }
            else
            {
                string reason = $"partner system {previous.SystemId} key {previous.Key} port {previous.PortNumber} -> system {pdu.Actor.SystemId} key {pdu.Actor.Key} port {pdu.Actor.PortNumber}";
                Emit(nowMs, member, LacpEventKind.PartnerChanged, $"member {member.Name}: partner is now {pdu.Actor.SystemId}", reason);
                RequestUpdate($"member {member.Name}: {reason}");
            }
        }
        return MayEnableCore(member);
    }

    // Aggregation (§D.6), as OVS 3.1's lacp_update_attached: a current, already attached member with the best priority
    // (lead_current) keeps the lead; only members facing lead_current's partner system may attach; then every member
    // whose partner system or key differs from the lead's is detached.
    private bool UpdateAttached(long nowMs)
    {
        _update = false;
        LacpMember? lead = null;
        LacpMember? leadCurrent = null;
        byte[] leadPriority = [];
        bool leadEnable = false;

        foreach (LacpMember member in _members)
        {
            if (member.Status == LacpMemberStatus.Current && member.Attached)
            {
                byte[] priority = PriorityOf(member);
                if (leadCurrent is null || Compare(priority, leadPriority) < 0)
                {
                    leadCurrent = member;
                    lead = member;
                    leadPriority = priority;
                    leadEnable = true;
                }
            }
        }

        var before = new bool[_members.Count];
        for (int i = 0; i < _members.Count; i++)
        {
            before[i] = _members[i].Attached;
        }

        foreach (LacpMember member in _members)
        {
            member.Attached = false;
            if (member.Partner.SystemId == Settings.SystemId)
            {
                Emit(nowMs, member, LacpEventKind.LoopbackDetected,
                    $"member {member.Name}: Loopback detected. Interface is connected to its own bond", "the partner system id is our own");
                continue;
            }
            switch (member.Status)
            {
                case LacpMemberStatus.Defaulted:
                    member.Attached = Settings.FallbackAb;
                    continue;
                case LacpMemberStatus.Current:
                case LacpMemberStatus.Expired:
                    break;
            }
            byte[] priority = PriorityOf(member);
            // OVS evaluates may_enable here while the member is still marked detached, so it is always false and no
            // member can beat lead_current; reproduced.
            bool enable = MayEnableCore(member);
            if (leadCurrent is null || member.Partner.SystemId == leadCurrent.Partner.SystemId)
            {
                member.Attached = true;
            }
            if (member.Attached && (lead is null || (enable && !leadEnable) || (enable == leadEnable && Compare(priority, leadPriority) < 0)))
            {
                lead = member;
                leadEnable = enable;
                leadPriority = priority;
            }
        }

        bool wasNegotiated = Negotiated;
        Negotiated = lead is not null;

        if (lead is not null)
        {
            foreach (LacpMember member in _members)
            {
                if ((Settings.FallbackAb && member.Status == LacpMemberStatus.Defaulted)
                    || lead.Partner.Key != member.Partner.Key
                    || lead.Partner.SystemId != member.Partner.SystemId)
                {
                    member.Attached = false;
                }
            }
        }

        bool changed = wasNegotiated != Negotiated;
        if (changed)
        {
            Emit(nowMs, null, LacpEventKind.NegotiatedChanged, $"{Name}: lacp_status is now {Status.ToOvsString()}",
                (lead is null ? "no member has a partner" : $"lead member {lead.Name} (partner {lead.Partner.SystemId} key {lead.Partner.Key})") + $" after {_updateReason}");
        }
        for (int i = 0; i < _members.Count; i++)
        {
            LacpMember member = _members[i];
            if (before[i] == member.Attached)
            {
                continue;
            }
            changed = true;
            string reason = member.Attached
                ? (member.Status == LacpMemberStatus.Defaulted ? "defaulted with lacp-fallback-ab" : $"partner {member.Partner.SystemId} key {member.Partner.Key} matches the lead {lead?.Name}")
                : DetachReason(member, lead);
            Emit(nowMs, member, member.Attached ? LacpEventKind.Attached : LacpEventKind.Detached,
                $"member {member.Name}: {(member.Attached ? "attached" : "detached")}", $"{reason}; after {_updateReason}");
        }
        return changed;
    }

    private string DetachReason(LacpMember member, LacpMember? lead)
    {
        if (member.Partner.SystemId == Settings.SystemId)
        {
            return "loopback";
        }
        if (member.Status == LacpMemberStatus.Defaulted)
        {
            return Settings.FallbackAb && lead is not null ? "defaulted while negotiated" : "defaulted (no partner)";
        }
        return lead is null
            ? "no lead member"
            : $"partner {member.Partner.SystemId} key {member.Partner.Key} differs from the lead {lead.Name}'s {lead.Partner.SystemId} key {lead.Partner.Key}";
    }

    // The dominant system's (priority, id, port priority, port id) as big-endian bytes, key and state zero, laid out
    // as the PDU's participant info; lower is better.
    private byte[] PriorityOf(LacpMember member)
    {
        ushort actorPriority = Settings.SystemPriority;
        ushort partnerPriority = member.Partner.SystemPriority;
        bool useActor = actorPriority != partnerPriority
            ? actorPriority < partnerPriority
            : Settings.SystemId.CompareTo(member.Partner.SystemId) < 0;
        LacpParticipantInfo info = useActor ? ComposeActor(member) : member.Partner;
        var bytes = new byte[LacpParticipantInfo.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(LacpParticipantInfo.SystemPriorityOffset), info.SystemPriority);
        info.SystemId.Write(bytes.AsSpan(LacpParticipantInfo.SystemIdOffset));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(LacpParticipantInfo.PortPriorityOffset), info.PortPriority);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(LacpParticipantInfo.PortNumberOffset), info.PortNumber);
        return bytes;
    }

    private static int Compare(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

    private bool MayEnableCore(LacpMember member) =>
        member.Attached
        && ((member.Partner.State & LacpState.Synchronization) != 0 || (Settings.FallbackAb && member.Status == LacpMemberStatus.Defaulted));

    private bool MayTx(LacpMember member) => member.CarrierUp && (Settings.Active || member.Status != LacpMemberStatus.Defaulted);

    private static bool TxEqual(LacpParticipantInfo a, LacpParticipantInfo b) =>
        ((a.State ^ b.State) & TxRelevantBits) == 0
        && a.PortNumber == b.PortNumber
        && a.PortPriority == b.PortPriority
        && a.Key == b.Key
        && a.SystemPriority == b.SystemPriority
        && a.SystemId == b.SystemId;

    private static ushort KeyOf(LacpMember keyMember) => keyMember.Settings.Key != 0 ? keyMember.Settings.Key : keyMember.Settings.PortId;

    private void SetExpired(LacpMember member, long nowMs, string reason)
    {
        LacpMemberStatus old = member.Status;
        member.Status = LacpMemberStatus.Expired;
        member.Partner = member.Partner with { State = (member.Partner.State | LacpState.Timeout) & ~LacpState.Synchronization };
        member.RxDeadlineMs = nowMs + RxMultiplier * FastTxIntervalMs;
        Emit(nowMs, member, LacpEventKind.MemberStatusChanged, $"member {member.Name}: {StatusWord(old)} -> expired", reason);
    }

    private void SetDefaulted(LacpMember member, long nowMs, string reason)
    {
        LacpMemberStatus old = member.Status;
        member.Partner = default;
        member.Status = LacpMemberStatus.Defaulted;
        RequestUpdate($"member {member.Name} defaulted");
        if (old == LacpMemberStatus.Defaulted)
        {
            return;   // a new member starts defaulted: reported as MemberConfigured
        }
        Emit(nowMs, member, LacpEventKind.MemberStatusChanged, $"member {member.Name}: {StatusWord(old)} -> defaulted", reason);
    }

    // Marks the aggregation for re-evaluation in the next Run; the reason reaches the events it causes.
    private void RequestUpdate(string reason)
    {
        _update = true;
        _updateReason = reason;
    }

    private LacpMember Require(string name) =>
        FindMember(name) ?? throw new ArgumentException($"{Name}: no LACP member {name}", nameof(name));

    private void Emit(long nowMs, LacpMember? member, LacpEventKind kind, string message, string reason) =>
        _sink?.Invoke(new LacpEvent(nowMs, Name, member?.Name, kind, message, reason));

    private static void ValidateSettings(LacpSettings settings)
    {
        if (settings.SystemId.IsZero)
        {
            throw new ArgumentException("the LACP system id must not be zero", nameof(settings));
        }
    }

    /// <summary>The <c>lacp/show</c> word for a member status.</summary>
    public static string StatusWord(LacpMemberStatus status) => status switch
    {
        LacpMemberStatus.Current => "current",
        LacpMemberStatus.Expired => "expired",
        LacpMemberStatus.Defaulted => "defaulted",
    };

    private static string Lower(bool value) => value ? "true" : "false";
}
