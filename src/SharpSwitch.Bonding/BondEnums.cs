// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding;

/// <summary>How a bond spreads transmitted traffic over its members (Port column <c>bond_mode</c>).</summary>
public enum BondMode
{
    /// <summary><c>active-backup</c>: one active member carries all traffic; the others wait.</summary>
    ActiveBackup,

    /// <summary><c>balance-slb</c>: source MAC and VLAN hashed into 256 buckets, no switch cooperation needed.</summary>
    BalanceSlb,

    /// <summary><c>balance-tcp</c>: L3/L4 5-tuple hashed into 256 buckets; requires negotiated LACP.</summary>
    BalanceTcp,
}

/// <summary>The configured LACP behaviour of a port (Port column <c>lacp</c>).</summary>
public enum LacpMode
{
    /// <summary>No LACP (the default).</summary>
    Off,

    /// <summary>Sends LACPDUs on its own initiative.</summary>
    Active,

    /// <summary>Sends LACPDUs only while a partner is known.</summary>
    Passive,
}

/// <summary>The bond-level LACP state fed into <see cref="Bond.SetLacpStatus"/> by the LACP engine.</summary>
public enum LacpStatus
{
    /// <summary>No LACP runs on the port.</summary>
    Off,

    /// <summary>LACP runs but has not negotiated an aggregate.</summary>
    Configured,

    /// <summary>LACP has negotiated with a partner.</summary>
    Negotiated,
}

/// <summary>
/// SharpSwitch's failback policy (Port <c>other_config:bond-failback</c>), named after Linux bonding's
/// <c>primary_reselect</c>. Unset means Open vSwitch's own behaviour.
/// </summary>
public enum FailbackPolicy
{
    /// <summary>
    /// Never move traffic back: the active member changes only when it fails (or by operator command). What OVS does
    /// without a primary, and VMware's "Failback: No". A reselection still follows the §C.2 order, so in practice it
    /// acts as <see cref="Failure"/>; both names are accepted for the operators who know one or the other.
    /// </summary>
    Never,

    /// <summary>Move back to the preferred member whenever it is enabled (after any failback delay).</summary>
    Always,

    /// <summary>Move to the preferred member only when its priority is higher than the active member's.</summary>
    Better,

    /// <summary>
    /// Linux's <c>primary_reselect=failure</c>: reselect only when the active member fails; the enabled primary (else
    /// the highest-priority member) then wins the selection.
    /// </summary>
    Failure,
}

/// <summary>How member link state is detected (Port <c>other_config:bond-detect-mode</c>).</summary>
public enum BondDetectMode
{
    /// <summary>The netdev's carrier (the default).</summary>
    Carrier,

    /// <summary>MII/ethtool polling every <see cref="BondSettings.MiimonIntervalMs"/>.</summary>
    Miimon,
}

/// <summary>The verdict on a packet received on a bond member (OVS <c>bond_check_admissibility</c>).</summary>
public enum BondAdmission
{
    /// <summary>Admit the packet.</summary>
    Accept,

    /// <summary>Drop the packet.</summary>
    Drop,

    /// <summary>
    /// Admit it unless the MAC learning table has its source MAC and VLAN on a port other than this bond,
    /// in which case it is a reflection of our own flooding and is dropped (gratuitous ARP excepted).
    /// </summary>
    DropIfMoved,
}
