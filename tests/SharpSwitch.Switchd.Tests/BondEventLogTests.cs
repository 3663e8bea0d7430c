// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Switchd.Logging;

namespace SharpSwitch.Switchd.Tests;

/// <summary>Which bond events reach the daemon's log at which level.</summary>
public sealed class BondEventLogTests
{
    private static (BondEventLog Events, StringWriter Text) Create()
    {
        var text = new StringWriter();
        var log = new Vlog(() => DateTimeOffset.UnixEpoch, text);
        return (new BondEventLog(log), text);
    }

    [Fact]
    public void A_bond_dropping_all_traffic_is_a_warning_with_its_reason_and_the_end_of_it_is_info()
    {
        (BondEventLog events, StringWriter text) = Create();
        events.OnEvent(new BondEvent(0, "bond0", null, BondEventKind.DroppingAllTraffic, "bond bond0: dropping all traffic",
            "balance-tcp needs negotiated LACP and lacp_status is off"));
        events.OnEvent(new BondEvent(5, "bond0", null, BondEventKind.TrafficResumed, "bond bond0: no longer dropping all traffic",
            "lacp_status is negotiated"));

        string[] lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("|bond|WARN|bond bond0: dropping all traffic: balance-tcp needs negotiated LACP and lacp_status is off", lines[0], StringComparison.Ordinal);
        Assert.Contains("|bond|INFO|bond bond0: no longer dropping all traffic", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void OVS_lines_are_info_and_SharpSwitch_only_events_are_debug_and_hidden_by_default()
    {
        (BondEventLog events, StringWriter text) = Create();
        events.OnEvent(new BondEvent(0, "bond0", "eno2", BondEventKind.ActiveChanged, "bond bond0: active member is now eno2", "eno1 disabled"));
        events.OnEvent(new BondEvent(0, "bond0", "eno1", BondEventKind.FailbackHeld, "bond bond0: failback to eno1 held", "bond-failback=never"));

        string output = text.ToString();
        Assert.Contains("|bond|INFO|bond bond0: active member is now eno2", output, StringComparison.Ordinal);
        Assert.DoesNotContain("failback to eno1 held", output, StringComparison.Ordinal);
        Assert.Equal(2, events.Recent.Count());
    }
}
