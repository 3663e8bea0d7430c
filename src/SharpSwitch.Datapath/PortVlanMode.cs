// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Datapath;

/// <summary>The VLAN modes of <c>Port.vlan_mode</c>.</summary>
public enum PortVlanMode
{
    /// <summary><c>access</c>: untagged frames in the port's <c>tag</c> VLAN; tagged frames (other than VLAN 0) are dropped.</summary>
    Access,

    /// <summary><c>trunk</c>: tagged frames of the VLANs in <c>trunks</c> (every VLAN when empty); untagged frames are VLAN 0.</summary>
    Trunk,

    /// <summary><c>native-tagged</c>: a trunk whose untagged input is the <c>tag</c> VLAN; output of that VLAN stays tagged.</summary>
    NativeTagged,

    /// <summary><c>native-untagged</c>: a trunk whose untagged input is the <c>tag</c> VLAN; output of that VLAN is untagged.</summary>
    NativeUntagged,
}

/// <summary>Conversions between <see cref="PortVlanMode"/> and the strings OVSDB stores.</summary>
public static class PortVlanModeNames
{
    /// <summary>The OVSDB spelling of <paramref name="mode"/>.</summary>
    public static string ToOvsdbString(this PortVlanMode mode) => mode switch
    {
        PortVlanMode.Access => "access",
        PortVlanMode.Trunk => "trunk",
        PortVlanMode.NativeTagged => "native-tagged",
        PortVlanMode.NativeUntagged => "native-untagged",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>Parses an OVSDB <c>vlan_mode</c> value; false for anything else (OVS then falls back to trunk).</summary>
    public static bool TryParse(string? text, out PortVlanMode mode)
    {
        switch (text)
        {
            case "access":
                mode = PortVlanMode.Access;
                return true;
            case "trunk":
                mode = PortVlanMode.Trunk;
                return true;
            case "native-tagged":
                mode = PortVlanMode.NativeTagged;
                return true;
            case "native-untagged":
                mode = PortVlanMode.NativeUntagged;
                return true;
            default:
                mode = PortVlanMode.Trunk;
                return false;
        }
    }
}
