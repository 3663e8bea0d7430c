// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Switchd;

/// <summary>
/// The switch daemon layer: it reconciles OVSDB rows into datapath objects, writes status back and serves
/// unixctl commands. This type only names the assembly for reflection and tests.
/// </summary>
public static class SwitchdAssembly
{
    /// <summary>The version string the daemon reports, in the place OVS reports its own.</summary>
    public const string Version = "3.1.0";
}
