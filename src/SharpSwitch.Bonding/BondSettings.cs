// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

/// <summary>
/// The configuration of one bond, as Open vSwitch derives it from a Port row plus SharpSwitch's own failback keys.
/// Every property defaults to the value OVS uses when the column or key is absent.
/// </summary>
public sealed record BondSettings
{
    /// <summary>The default period between load rebalances (Port <c>other_config:bond-rebalance-interval</c>), in ms.</summary>
    public const int DefaultRebalanceIntervalMs = 10000;

    /// <summary>The MII polling period used when <c>bond-detect-mode=miimon</c> has no valid interval, in ms.</summary>
    public const int DefaultMiimonIntervalMs = 200;

    /// <summary>The balancing mode (Port <c>bond_mode</c>).</summary>
    public BondMode Mode { get; init; } = BondMode.ActiveBackup;

    /// <summary>How long a member must stay up before it is enabled (Port <c>bond_updelay</c>), in ms; never negative.</summary>
    public int UpDelayMs { get; init; }

    /// <summary>How long a member must stay down before it is disabled (Port <c>bond_downdelay</c>), in ms; never negative.</summary>
    public int DownDelayMs { get; init; }

    /// <summary>
    /// The name of the preferred member (Port <c>other_config:bond-primary</c>), or null. OVS reads the key only in
    /// active-backup mode or with <c>lacp-fallback-ab=true</c>; <see cref="FromOvsdb(string?, string?, long?, long?, IReadOnlyDictionary{string, string}, ICollection{string})"/>
    /// applies that rule.
    /// </summary>
    public string? Primary { get; init; }

    /// <summary>The seed of the SLB and TCP hashes (Port <c>other_config:bond-hash-basis</c>).</summary>
    public uint HashBasis { get; init; }

    /// <summary>The period between load rebalances in ms; 0 disables rebalancing, other values are at least 1000.</summary>
    public int RebalanceIntervalMs { get; init; } = DefaultRebalanceIntervalMs;

    /// <summary>The LACP mode (Port <c>lacp</c>).</summary>
    public LacpMode Lacp { get; init; } = LacpMode.Off;

    /// <summary>
    /// The LACP actor system id (Port <c>other_config:lacp-system-id</c>); null means the bridge's Ethernet address.
    /// </summary>
    public MacAddress? LacpSystemId { get; init; }

    /// <summary>
    /// The LACP actor system priority (Port <c>other_config:lacp-system-priority</c>), 1..65535; 0 when unset or out of
    /// range, in which case OVS uses 65534 for a bond and 65535 for a single-interface port.
    /// </summary>
    public int LacpSystemPriority { get; init; }

    /// <summary>Ask the partner for fast LACPDUs (Port <c>other_config:lacp-time</c> is <c>fast</c>, any case).</summary>
    public bool LacpFastTime { get; init; }

    /// <summary>Behave as active-backup while LACP is configured but not negotiated (Port <c>other_config:lacp-fallback-ab</c>).</summary>
    public bool LacpFallbackAb { get; init; }

    /// <summary>
    /// Accept multicast on every member, not only the active one (Port <c>other_config:all-members-active</c>).
    /// Only balance-slb honours it; the bond treats it as false in the other modes, as OVS does.
    /// </summary>
    public bool AllMembersActive { get; init; }

    /// <summary>Use the datapath <c>lb_output</c> action (Port <c>other_config:lb-output-action</c>); balance-tcp only.</summary>
    public bool LbOutputAction { get; init; }

    /// <summary>The link-state source (Port <c>other_config:bond-detect-mode</c>).</summary>
    public BondDetectMode DetectMode { get; init; } = BondDetectMode.Carrier;

    /// <summary>The MII polling period in ms when <see cref="DetectMode"/> is <see cref="BondDetectMode.Miimon"/>, else 0.</summary>
    public int MiimonIntervalMs { get; init; }

    /// <summary>
    /// SharpSwitch's failback policy (Port <c>other_config:bond-failback</c>). Null means the OVS default:
    /// <see cref="FailbackPolicy.Always"/> when a primary is set, <see cref="FailbackPolicy.Never"/> otherwise,
    /// with OVS's quirk that the primary preempts only when the configured mode is active-backup.
    /// </summary>
    public FailbackPolicy? Failback { get; init; }

    /// <summary>
    /// SharpSwitch's wait-to-restore hold-down (Port <c>other_config:bond-failback-delay</c>), in ms: how long the
    /// preferred member must stay enabled, without a link flap, before traffic moves back to it. 0 = no hold-down.
    /// </summary>
    public int FailbackDelayMs { get; init; }

    /// <summary>The settings OVS uses for a Port row with no bond columns or keys.</summary>
    public static BondSettings Default { get; } = new();

    /// <summary>
    /// The failback policy in force: <see cref="Failback"/> when set, otherwise OVS's implicit choice.
    /// </summary>
    public FailbackPolicy EffectiveFailback => Failback ?? (Primary is null ? FailbackPolicy.Never : FailbackPolicy.Always);

    /// <summary>
    /// Builds settings from a Port row with the OVS 3.1 rules (see <c>port_configure_bond</c>), without a port name in
    /// the warnings. Prefer the overload that takes the port name.
    /// </summary>
    public static BondSettings FromOvsdb(string? bondMode, string? lacp, long? updelay, long? downdelay,
        IReadOnlyDictionary<string, string> portOtherConfig, ICollection<string> warnings)
    {
        return FromOvsdb(null, bondMode, lacp, updelay, downdelay, portOtherConfig, warnings);
    }

    /// <summary>
    /// Builds settings from a Port row with the OVS 3.1 rules: only the case-insensitive string <c>true</c> is true;
    /// a malformed integer gives the default; negative delays become 0; a rebalance interval that is nonzero but
    /// below 1000 becomes 1000; <c>bond-primary</c> is read only in active-backup mode or with
    /// <c>lacp-fallback-ab=true</c>. Anything OVS would warn about, and any invalid SharpSwitch key, is added to
    /// <paramref name="warnings"/> (in OVS's words where OVS has a message) and otherwise ignored.
    /// </summary>
    /// <param name="portName">The Port's name, used in the warning texts; null leaves the <c>port NAME: </c> prefix out.</param>
    /// <param name="bondMode">Port column <c>bond_mode</c>, null when empty.</param>
    /// <param name="lacp">Port column <c>lacp</c>, null when empty.</param>
    /// <param name="updelay">Port column <c>bond_updelay</c> in ms.</param>
    /// <param name="downdelay">Port column <c>bond_downdelay</c> in ms.</param>
    /// <param name="portOtherConfig">Port column <c>other_config</c>.</param>
    /// <param name="warnings">Receives one line per value that OVS would warn about or that is invalid.</param>
    public static BondSettings FromOvsdb(string? portName, string? bondMode, string? lacp, long? updelay, long? downdelay,
        IReadOnlyDictionary<string, string> portOtherConfig, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(portOtherConfig);
        ArgumentNullException.ThrowIfNull(warnings);
        string prefix = portName is null ? "" : $"port {portName}: ";

        BondMode mode = BondMode.ActiveBackup;
        if (bondMode is null)
        {
            warnings.Add(prefix + "Using the default bond_mode active-backup. Note that in previous versions, the default bond_mode was balance-slb");
        }
        else if (!BondModeNames.TryParse(bondMode, out mode))
        {
            mode = BondMode.ActiveBackup;
            warnings.Add($"{prefix}unknown bond_mode {bondMode}, defaulting to active-backup");
        }

        LacpMode lacpMode = LacpMode.Off;
        switch (lacp)
        {
            case null:
            case "off":
                break;
            case "active":
                lacpMode = LacpMode.Active;
                break;
            case "passive":
                lacpMode = LacpMode.Passive;
                break;
            default:
                warnings.Add($"{prefix}unknown LACP mode {lacp}");
                break;
        }

        MacAddress? lacpSystemId = null;
        if (lacpMode != LacpMode.Off && portOtherConfig.TryGetValue("lacp-system-id", out string? systemIdText))
        {
            // OVS turns LACP off on the port when the system id is unusable.
            if (!MacAddress.TryParse(systemIdText, out MacAddress systemId))
            {
                warnings.Add($"{prefix}LACP system ID ({systemIdText}) must be an Ethernet address.");
                lacpMode = LacpMode.Off;
            }
            else if (systemId.IsZero)
            {
                warnings.Add($"{prefix}Invalid zero LACP system ID.");
                lacpMode = LacpMode.Off;
            }
            else
            {
                lacpSystemId = systemId;
            }
        }
        int lacpSystemPriority = OvsdbValues.GetInt(portOtherConfig, "lacp-system-priority", 0);
        if (lacpSystemPriority <= 0 || lacpSystemPriority > ushort.MaxValue)
        {
            lacpSystemPriority = 0;
        }
        bool lacpFastTime = portOtherConfig.TryGetValue("lacp-time", out string? lacpTime)
            && string.Equals(lacpTime, "fast", StringComparison.OrdinalIgnoreCase);

        int miimonIntervalMs = OvsdbValues.GetInt(portOtherConfig, "bond-miimon-interval", 0);
        if (miimonIntervalMs <= 0)
        {
            miimonIntervalMs = DefaultMiimonIntervalMs;
        }
        BondDetectMode detectMode = BondDetectMode.Carrier;
        portOtherConfig.TryGetValue("bond-detect-mode", out string? detectText);
        if (detectText == "miimon")
        {
            detectMode = BondDetectMode.Miimon;
        }
        else
        {
            if (detectText is not null && detectText != "carrier")
            {
                warnings.Add($"{prefix}unsupported bond-detect-mode {detectText}, defaulting to carrier");
            }
            miimonIntervalMs = 0;
        }

        int rebalanceIntervalMs = OvsdbValues.GetInt(portOtherConfig, "bond-rebalance-interval", DefaultRebalanceIntervalMs);
        // OVS raises every nonzero value below 1000 to 1000, negative ones included.
        if (rebalanceIntervalMs != 0 && rebalanceIntervalMs < 1000)
        {
            rebalanceIntervalMs = 1000;
        }

        bool fallbackAb = OvsdbValues.GetBool(portOtherConfig, "lacp-fallback-ab");
        string? primary = null;
        if (mode == BondMode.ActiveBackup || fallbackAb)
        {
            portOtherConfig.TryGetValue("bond-primary", out primary);
        }

        return new BondSettings
        {
            Mode = mode,
            UpDelayMs = ClampDelay(updelay, prefix, "bond_updelay", warnings),
            DownDelayMs = ClampDelay(downdelay, prefix, "bond_downdelay", warnings),
            Primary = primary,
            // OVS reads the basis as a signed int and stores it as uint32_t, so "-1" means 4294967295.
            HashBasis = unchecked((uint)OvsdbValues.GetInt(portOtherConfig, "bond-hash-basis", 0)),
            RebalanceIntervalMs = rebalanceIntervalMs,
            Lacp = lacpMode,
            LacpSystemId = lacpSystemId,
            LacpSystemPriority = lacpSystemPriority,
            LacpFastTime = lacpFastTime,
            LacpFallbackAb = fallbackAb,
            AllMembersActive = OvsdbValues.GetBool(portOtherConfig, "all-members-active"),
            LbOutputAction = mode == BondMode.BalanceTcp && OvsdbValues.GetBool(portOtherConfig, "lb-output-action"),
            DetectMode = detectMode,
            MiimonIntervalMs = miimonIntervalMs,
            Failback = ParseFailback(portOtherConfig, prefix, warnings),
            FailbackDelayMs = ParseFailbackDelay(portOtherConfig, prefix, warnings),
        };
    }

    private static int ClampDelay(long? value, string prefix, string column, ICollection<string> warnings)
    {
        if (value is not long delay || delay <= 0)
        {
            return 0;
        }
        if (delay > int.MaxValue)
        {
            // OVS truncates the 64-bit column into a C int; SharpSwitch clamps instead and says so.
            warnings.Add($"{prefix}{column} {delay} is too large, using {int.MaxValue} ms");
            return int.MaxValue;
        }
        return (int)delay;
    }

    private static FailbackPolicy? ParseFailback(IReadOnlyDictionary<string, string> map, string prefix, ICollection<string> warnings)
    {
        if (!map.TryGetValue("bond-failback", out string? text))
        {
            return null;
        }
        switch (text)
        {
            case "never":
                return FailbackPolicy.Never;
            case "always":
                return FailbackPolicy.Always;
            case "better":
                return FailbackPolicy.Better;
            case "failure":
                return FailbackPolicy.Failure;
            default:
                warnings.Add($"{prefix}invalid bond-failback \"{text}\" (expected never, always, better or failure); using the default");
                return null;
        }
    }

    private static int ParseFailbackDelay(IReadOnlyDictionary<string, string> map, string prefix, ICollection<string> warnings)
    {
        if (!map.TryGetValue("bond-failback-delay", out string? text))
        {
            return 0;
        }
        if (!OvsdbValues.TryParseInt(text, out int delayMs) || delayMs < 0)
        {
            warnings.Add($"{prefix}invalid bond-failback-delay \"{text}\" (expected a non-negative number of milliseconds); using 0");
            return 0;
        }
        return delayMs;
    }
}
