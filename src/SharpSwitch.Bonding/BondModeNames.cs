// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding;

/// <summary>The OVSDB and unixctl spellings of <see cref="BondMode"/> and <see cref="LacpStatus"/>.</summary>
public static class BondModeNames
{
    /// <summary>The OVS name of a mode: <c>active-backup</c>, <c>balance-slb</c> or <c>balance-tcp</c>.</summary>
    public static string ToOvsString(this BondMode mode)
    {
        return mode switch
        {
            BondMode.ActiveBackup => "active-backup",
            BondMode.BalanceSlb => "balance-slb",
            BondMode.BalanceTcp => "balance-tcp",
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown bond mode"),
        };
    }

    /// <summary>Parses an OVS mode name; the match is exact, as OVS's is.</summary>
    public static bool TryParse(string? text, out BondMode mode)
    {
        switch (text)
        {
            case "active-backup":
                mode = BondMode.ActiveBackup;
                return true;
            case "balance-slb":
                mode = BondMode.BalanceSlb;
                return true;
            case "balance-tcp":
                mode = BondMode.BalanceTcp;
                return true;
            default:
                mode = BondMode.ActiveBackup;
                return false;
        }
    }

    /// <summary>The word bond/show prints for an LACP status: <c>off</c>, <c>configured</c> or <c>negotiated</c>.</summary>
    public static string ToOvsString(this LacpStatus status)
    {
        return status switch
        {
            LacpStatus.Off => "off",
            LacpStatus.Configured => "configured",
            LacpStatus.Negotiated => "negotiated",
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown LACP status"),
        };
    }

    /// <summary>The OVSDB spelling of a failback policy.</summary>
    public static string ToOvsdbString(this FailbackPolicy policy)
    {
        return policy switch
        {
            FailbackPolicy.Never => "never",
            FailbackPolicy.Always => "always",
            FailbackPolicy.Better => "better",
            FailbackPolicy.Failure => "failure",
            _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown failback policy"),
        };
    }
}
