// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;

namespace SharpSwitch.Datapath;

/// <summary>The <c>Bridge.other_config</c> keys the datapath honours, with OVS's defaults.</summary>
public sealed record BridgeSettings
{
    /// <summary>other_config:mac-aging-time in seconds (default 300; OVS clamps it to 15..3600).</summary>
    public int MacAgingTimeSeconds { get; init; } = 300;

    /// <summary>other_config:mac-table-size (default 8192; OVS clamps it to 10..1,000,000).</summary>
    public int MacTableSize { get; init; } = 8192;

    /// <summary>other_config:forward-bpdu: forward frames to 01:80:c2:00:00:0x instead of dropping them (default false).</summary>
    public bool ForwardBpdu { get; init; }

    /// <summary>The defaults.</summary>
    public static BridgeSettings Default { get; } = new();

    /// <summary>Reads the keys from a Bridge row's other_config; unparsable values fall back to the default, as OVS's smap_get_int does.</summary>
    public static BridgeSettings FromOtherConfig(IReadOnlyDictionary<string, string> otherConfig)
    {
        ArgumentNullException.ThrowIfNull(otherConfig);
        return new BridgeSettings
        {
            MacAgingTimeSeconds = ReadInt(otherConfig, "mac-aging-time", 300),
            MacTableSize = ReadInt(otherConfig, "mac-table-size", 8192),
            ForwardBpdu = otherConfig.TryGetValue("forward-bpdu", out string? bpdu) && bpdu == "true",
        };
    }

    private static int ReadInt(IReadOnlyDictionary<string, string> map, string key, int fallback)
    {
        return map.TryGetValue(key, out string? text) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
            ? value
            : fallback;
    }
}
