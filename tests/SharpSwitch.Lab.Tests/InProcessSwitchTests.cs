// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Transactions;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// The lab builds its switches through the product's configuration path: one OVSDB database and one switch daemon
/// per switch node, the scenario written as transactions, the reconciler creating what the lab then cables.
/// </summary>
public sealed class InProcessSwitchTests
{
    [Fact]
    public void Each_switch_database_holds_the_rows_ovs_vsctl_would_write_and_the_daemon_reached_cur_cfg()
    {
        Scenario scenario = LabTestFiles.LoadExample("operator-no-primary.yaml");
        var topology = new LabTopology(scenario, new BondEventLog());

        Assert.Equal(["sw1", "tor"], topology.Databases.Keys.Order(StringComparer.Ordinal));
        Database sw1 = topology.Databases["sw1"];
        Row root = Assert.Single(sw1.Rows("Open_vSwitch").Values);
        long nextCfg = Single(root, "next_cfg").Integer;
        Assert.Equal(1, nextCfg);
        Assert.Equal(nextCfg, Single(root, "cur_cfg").Integer);
        Assert.Equal(1, topology.CurCfg["sw1"]);

        Row bridge = Assert.Single(sw1.Rows("Bridge").Values);
        Assert.Equal("ovsbr-mgt", Single(bridge, "name").String);
        Assert.Equal(LabTopology.DeriveMac("sw1/ovsbr-mgt").ToString(), MapValue(bridge, "other_config", "hwaddr"));
        Dictionary<string, Row> ports = sw1.Rows("Port").Values.ToDictionary(r => Single(r, "name").String);
        Assert.Equal(["bond-mgt", "ovsbr-mgt", "port-mgt"], ports.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, bridge.Get("ports").Count);
        Assert.Equal("active-backup", Single(ports["bond-mgt"], "bond_mode").String);
        Assert.Equal(0, Single(ports["bond-mgt"], "bond_updelay").Integer);
        Assert.Equal(0, Single(ports["port-mgt"], "tag").Integer);

        Dictionary<string, Row> interfaces = sw1.Rows("Interface").Values.ToDictionary(r => Single(r, "name").String);
        Assert.Equal(["eno1", "eno2", "ovsbr-mgt", "port-mgt"], interfaces.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("dummy", Single(interfaces["eno1"], "type").String);
        Assert.Equal("internal", Single(interfaces["port-mgt"], "type").String);
        Assert.Equal("internal", Single(interfaces["ovsbr-mgt"], "type").String);
        // Status the daemon wrote back: a port number and an administrative state for every interface it opened.
        foreach (Row row in interfaces.Values)
        {
            Assert.True(Single(row, "ofport").Integer > 0);
            Assert.Equal("up", Single(row, "admin_state").String);
        }
        Assert.Empty(topology.Warnings);

        Database tor = topology.Databases["tor"];
        Assert.Equal(["br0", "p1", "p2", "p3"], tor.Rows("Port").Values.Select(r => Single(r, "name").String).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_lab_runs_the_datapaths_and_bonds_the_daemons_built()
    {
        Scenario scenario = LabTestFiles.LoadExample("operator-primary.yaml");
        var topology = new LabTopology(scenario, new BondEventLog());

        Assert.Equal(2, topology.Datapaths.Count);
        LabBond bond = Assert.Single(topology.Bonds);
        Assert.Equal(("sw1", "bond-mgt"), (bond.Switch, bond.Name));
        Assert.True(topology.Datapaths[0].TryGetBridge("ovsbr-mgt", out var bridge));
        Assert.True(bridge.TryGetPort("bond-mgt", out var port));
        Assert.NotNull(port.Bond);
        Assert.Equal(port.Bond.ActiveMember?.Name, bond.ActiveMember());
        // The bond-primary key reached the bond through the database.
        Assert.Equal("eno1", port.Bond.Settings.Primary);
    }

    [Fact]
    public void A_bad_other_config_value_is_reported_as_the_daemon_logs_it_and_the_bond_still_runs()
    {
        Scenario good = LabTestFiles.LoadExample("operator-no-primary.yaml");
        // The scenario reader refuses such a value; a scenario built in code bypasses it, as a hand-written database would.
        var badConfig = new Dictionary<string, string> { ["bond-failback"] = "sometimes" };
        Scenario bad = WithBondOtherConfig(good, badConfig);
        var expected = new List<string>();
        _ = BondSettings.FromOvsdb("bond-mgt", "active-backup", null, 0, 0, badConfig, expected);

        var topology = new LabTopology(bad, new BondEventLog());

        Assert.Equal(expected.Select(w => "sw1: " + w), topology.Warnings);
        Assert.Contains("invalid bond-failback \"sometimes\"", topology.Warnings.Single(), StringComparison.Ordinal);
        Assert.Equal("sometimes", MapValue(topology.Databases["sw1"].Rows("Port").Values.Single(r => Single(r, "name").String == "bond-mgt"), "other_config", "bond-failback"));
        Assert.Single(topology.Bonds);

        LabResult result = LabRunner.Run(bad);
        Assert.Contains(result.Warnings, w => w == topology.Warnings.Single());
    }

    [Fact]
    public void Building_the_same_scenario_twice_gives_the_same_port_numbers()
    {
        Scenario scenario = LabTestFiles.LoadExample("operator-no-primary.yaml");
        string Ports(LabTopology topology) => string.Join(",", topology.Datapaths.SelectMany(d => d.Bridges).SelectMany(b => b.Ports).Select(p => p.Name));

        string first = Ports(new LabTopology(scenario, new BondEventLog()));
        string second = Ports(new LabTopology(scenario, new BondEventLog()));

        Assert.Equal(first, second);
    }

    private static Scenario WithBondOtherConfig(Scenario scenario, IReadOnlyDictionary<string, string> otherConfig)
    {
        List<SwitchSpec> switches = scenario.Topology.Switches
            .Select(s => s with
            {
                Bridges = [.. s.Bridges.Select(b => b with { Bonds = [.. b.Bonds.Select(bond => bond with { OtherConfig = otherConfig })] })],
            })
            .ToList();
        return new Scenario(scenario.SourceName, scenario.Name, scenario.DurationMs, scenario.Topology with { Switches = switches }, scenario.Traffic, scenario.Events);
    }

    private static Atom Single(Row row, string column) => Assert.Single(row.Get(column).Keys);

    private static string? MapValue(Row row, string column, string key)
    {
        Datum datum = row.Get(column);
        for (int i = 0; i < datum.Count; i++)
        {
            if (datum.Keys[i].String == key)
            {
                return datum.Values![i].String;
            }
        }
        return null;
    }
}
