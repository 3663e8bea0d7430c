// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding;

/// <summary>SharpSwitch's per-member bond configuration, read from Interface <c>other_config</c>.</summary>
public sealed record MemberSettings
{
    /// <summary>
    /// The member's priority (<c>other_config:bond-member-priority</c>); higher wins. It breaks ties when no primary
    /// decides and drives the <see cref="FailbackPolicy.Better"/> comparison. 0 when unset.
    /// </summary>
    public int Priority { get; init; }

    /// <summary>
    /// A persistent maintenance disable (<c>other_config:bond-member-disabled=true</c>): while set the member is never
    /// enabled, whatever its link does; removing the key lets it come back through the normal updelay.
    /// </summary>
    public bool MaintenanceDisabled { get; init; }

    /// <summary>The settings of an Interface with none of the keys.</summary>
    public static MemberSettings Default { get; } = new();

    /// <summary>Reads the keys without an interface name in the warnings; prefer the overload that takes the name.</summary>
    public static MemberSettings FromOvsdb(IReadOnlyDictionary<string, string> ifaceOtherConfig, ICollection<string> warnings)
    {
        return FromOvsdb(null, ifaceOtherConfig, warnings);
    }

    /// <summary>
    /// Reads <c>bond-member-priority</c> (a base-10 32-bit integer) and <c>bond-member-disabled</c> (<c>true</c> or
    /// <c>false</c>, any case). An invalid value is reported in <paramref name="warnings"/> and ignored.
    /// </summary>
    /// <param name="interfaceName">The Interface's name for the warning texts, or null.</param>
    /// <param name="ifaceOtherConfig">Interface column <c>other_config</c>.</param>
    /// <param name="warnings">Receives one line per invalid value.</param>
    public static MemberSettings FromOvsdb(string? interfaceName, IReadOnlyDictionary<string, string> ifaceOtherConfig, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(ifaceOtherConfig);
        ArgumentNullException.ThrowIfNull(warnings);
        string prefix = interfaceName is null ? "" : $"interface {interfaceName}: ";

        int priority = 0;
        if (ifaceOtherConfig.TryGetValue("bond-member-priority", out string? priorityText)
            && !OvsdbValues.TryParseInt(priorityText, out priority))
        {
            priority = 0;
            warnings.Add($"{prefix}invalid bond-member-priority \"{priorityText}\" (expected an integer); using 0");
        }

        bool maintenance = false;
        if (ifaceOtherConfig.TryGetValue("bond-member-disabled", out string? disabledText))
        {
            if (string.Equals(disabledText, "true", StringComparison.OrdinalIgnoreCase))
            {
                maintenance = true;
            }
            else if (!string.Equals(disabledText, "false", StringComparison.OrdinalIgnoreCase))
            {
                warnings.Add($"{prefix}invalid bond-member-disabled \"{disabledText}\" (expected true or false); ignoring it");
            }
        }

        return new MemberSettings { Priority = priority, MaintenanceDisabled = maintenance };
    }
}
