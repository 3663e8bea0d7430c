// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

/// <summary>
/// The bond-level LACP configuration (bonding-spec.md §A.2, §D.8), as OVS's <c>port_configure_lacp</c> derives it.
/// </summary>
public sealed record LacpSettings
{
    /// <summary>The port (bond) name; the object's name in <c>lacp/show</c>.</summary>
    public required string Name { get; init; }

    /// <summary><c>lacp=active</c>: transmit LACPDUs without a known partner.</summary>
    public bool Active { get; init; } = true;

    /// <summary>The actor system id: <c>other_config:lacp-system-id</c>, else the bridge's Ethernet address.</summary>
    public required MacAddress SystemId { get; init; }

    /// <summary>The actor system priority (65534 for a bond, 65535 for a single-interface port unless configured).</summary>
    public ushort SystemPriority { get; init; } = 65534;

    /// <summary><c>other_config:lacp-time=fast</c>: ask the partner for a PDU every second (our Timeout bit).</summary>
    public bool Fast { get; init; }

    /// <summary><c>other_config:lacp-fallback-ab</c>: defaulted members count as attached and enableable.</summary>
    public bool FallbackAb { get; init; }

    /// <summary>
    /// SharpSwitch only (OVS ignores Marker PDUs): answer Marker Requests with a Marker Response on the same member.
    /// </summary>
    public bool AnswerMarkers { get; init; } = true;

    /// <summary>
    /// The settings OVS derives from a bond's configuration: <paramref name="bridgeMac"/> unless
    /// <see cref="BondSettings.LacpSystemId"/> is set, and the system priority 65535 − (more than one interface).
    /// Returns null when LACP is off. A zero system id is refused as OVS does (warning text in
    /// <paramref name="warnings"/>, no LACP object).
    /// </summary>
    public static LacpSettings? FromBond(string portName, BondSettings bond, MacAddress bridgeMac, int interfaceCount, ICollection<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(bond);
        bool active;
        switch (bond.Lacp)
        {
            case LacpMode.Off:
                return null;
            case LacpMode.Active:
                active = true;
                break;
            case LacpMode.Passive:
                active = false;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(bond), bond.Lacp, "unknown LACP mode");
        }
        MacAddress id = bond.LacpSystemId ?? bridgeMac;
        if (id.IsZero)
        {
            warnings?.Add($"port {portName}: Invalid zero LACP system ID.");
            return null;
        }
        int priority = bond.LacpSystemPriority is > 0 and <= ushort.MaxValue
            ? bond.LacpSystemPriority
            : ushort.MaxValue - (interfaceCount > 1 ? 1 : 0);
        return new LacpSettings
        {
            Name = portName,
            Active = active,
            SystemId = id,
            SystemPriority = (ushort)priority,
            Fast = bond.LacpFastTime,
            FallbackAb = bond.LacpFallbackAb,
        };
    }
}

/// <summary>
/// The per-member LACP configuration (Interface <c>other_config:lacp-port-id</c>, <c>lacp-port-priority</c>,
/// <c>lacp-aggregation-key</c>), as OVS's <c>iface_configure_lacp</c> derives it.
/// </summary>
public sealed record LacpMemberSettings
{
    /// <summary>The port number sent as actor port; OVS uses the ofport unless configured.</summary>
    public required ushort PortId { get; init; }

    /// <summary>The actor port priority (65535 unless configured).</summary>
    public ushort PortPriority { get; init; } = ushort.MaxValue;

    /// <summary>The aggregation key; 0 means "use the port id". Only the key member's key is sent (§H item 10).</summary>
    public ushort Key { get; init; }

    /// <summary>
    /// Parses the interface keys as OVS does: out-of-range or unparsable port ids and priorities fall back to
    /// <paramref name="ofport"/> and 65535, an out-of-range key to 0.
    /// </summary>
    public static LacpMemberSettings FromOvsdb(IReadOnlyDictionary<string, string> ifaceOtherConfig, ushort ofport)
    {
        ArgumentNullException.ThrowIfNull(ifaceOtherConfig);
        int portId = GetInt(ifaceOtherConfig, "lacp-port-id");
        int priority = GetInt(ifaceOtherConfig, "lacp-port-priority");
        int key = GetInt(ifaceOtherConfig, "lacp-aggregation-key");
        return new LacpMemberSettings
        {
            PortId = portId is > 0 and <= ushort.MaxValue ? (ushort)portId : ofport,
            PortPriority = priority is > 0 and <= ushort.MaxValue ? (ushort)priority : ushort.MaxValue,
            Key = key is >= 0 and <= ushort.MaxValue ? (ushort)key : (ushort)0,
        };
    }

    // smap_get_int: a missing or unparsable value is the default, 0.
    private static int GetInt(IReadOnlyDictionary<string, string> config, string key) =>
        config.TryGetValue(key, out string? text) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
            ? value
            : 0;
}
