// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Lab.Scenarios;

/// <summary>
/// The <c>other_config</c> keys a scenario may set on a bond port and on its interfaces: OVS 3.1's keys
/// (bonding-spec §A.2, §A.3) and SharpSwitch's failback keys. The values are handed to the bonding layer as strings,
/// exactly as the database would hand them, so it alone decides what a value means.
/// </summary>
internal static class BondKeys
{
    /// <summary>Port <c>other_config</c> keys.</summary>
    public static readonly IReadOnlyCollection<string> PortOtherConfigKeys =
    [
        "bond-primary",
        "bond-hash-basis",
        "bond-rebalance-interval",
        "bond-detect-mode",
        "bond-miimon-interval",
        "lb-output-action",
        "all-members-active",
        "lacp-system-id",
        "lacp-system-priority",
        "lacp-time",
        "lacp-fallback-ab",
        "bond-failback",
        "bond-failback-delay",
    ];

    /// <summary>Interface <c>other_config</c> keys.</summary>
    public static readonly IReadOnlyCollection<string> InterfaceOtherConfigKeys =
    [
        "lacp-port-id",
        "lacp-port-priority",
        "lacp-aggregation-key",
        "bond-member-priority",
        "bond-member-disabled",
    ];
}
