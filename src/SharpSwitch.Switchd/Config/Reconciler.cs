// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Datapath;
using SharpSwitch.NetDev;
using SharpSwitch.Ovsdb.Idl;
using SharpSwitch.Packets;
using SharpSwitch.Switchd.Logging;
using SharpSwitch.Switchd.Netdevs;

namespace SharpSwitch.Switchd.Config;

/// <summary>
/// Turns the replica's Bridge, Port and Interface rows into datapath objects, incrementally: a row that did not
/// change leaves its bridge, port, bond and device untouched, so adding a port never disturbs the others and a bond
/// keeps its active member across unrelated changes. This is the daemon's only way to build the switch.
/// </summary>
internal sealed class Reconciler
{
    private static readonly HashSet<string> s_knownPortOtherConfig = new(StringComparer.Ordinal)
    {
        "bond-primary", "bond-hash-basis", "bond-rebalance-interval", "bond-detect-mode", "bond-miimon-interval",
        "lb-output-action", "all-members-active", "lacp-system-id", "lacp-system-priority", "lacp-time",
        "lacp-fallback-ab", "bond-failback", "bond-failback-delay", "priority-tags", "stp-enable", "stp-port-num",
        "stp-port-priority", "stp-path-cost", "rstp-enable", "transient", "mcast-snooping-flood",
        "mcast-snooping-flood-reports",
    };

    private static readonly HashSet<string> s_knownInterfaceOtherConfig = new(StringComparer.Ordinal)
    {
        "lacp-port-id", "lacp-port-priority", "lacp-aggregation-key", "bond-member-priority", "bond-member-disabled",
        "enable-vlan-splinters", "cfm_interval", "cfm_extended", "cfm_opstate", "cfm_ccm_vlan", "cfm_ccm_pcp",
        "cfm_demand", "emc-insert-inv-prob", "pmd-rxq-affinity", "tx-steering", "xdp-mode", "n_rxq_desc", "n_txq_desc",
    };

    private static readonly HashSet<string> s_knownBridgeOtherConfig = new(StringComparer.Ordinal)
    {
        "hwaddr", "datapath-id", "mac-aging-time", "mac-table-size", "forward-bpdu", "disable-in-band",
        "in-band-queue", "flow-eviction-threshold", "mcast-snooping-aging-time", "mcast-snooping-table-size",
        "mcast-snooping-disable-flood-unregistered", "stp-system-id", "stp-priority", "stp-hello-time",
        "stp-max-age", "stp-forward-delay", "rstp-address", "rstp-priority", "rstp-ageing-time",
        "rstp-force-protocol-version", "rstp-max-age", "rstp-forward-delay", "rstp-transmit-hold-count",
        "dp-desc", "disable-fdb-aging",
    };

    private readonly Datapath.Datapath _datapath;
    private readonly NetdevRegistry _netdevs;
    private readonly Vlog _log;
    private readonly IBondEventSink _bondEvents;
    private readonly HashSet<string> _reportedWarnings = new(StringComparer.Ordinal);

    /// <summary>
    /// Bridge name → why its own port could not be a TAP (it is an in-process port instead); kept for the bridge's
    /// lifetime because the port is only created with the bridge, while <see cref="InterfaceErrors"/> is rebuilt on
    /// every pass.
    /// </summary>
    private readonly Dictionary<string, string> _localPortErrors = new(StringComparer.Ordinal);

    public Reconciler(Datapath.Datapath datapath, NetdevRegistry netdevs, Vlog log, IBondEventSink bondEvents)
    {
        _datapath = datapath;
        _netdevs = netdevs;
        _log = log;
        _bondEvents = bondEvents;
    }

    /// <summary>Interface name → the error OVS would write into its row (cleared when it opens).</summary>
    public Dictionary<string, string> InterfaceErrors { get; } = new(StringComparer.Ordinal);

    /// <summary>Applies the whole configuration held by the replica.</summary>
    public void Apply(OvsdbIdl idl, long nowMs)
    {
        InterfaceErrors.Clear();
        IdlTable bridgesTable = idl.GetTable("Bridge");
        IdlTable portsTable = idl.GetTable("Port");
        IdlTable interfacesTable = idl.GetTable("Interface");
        IdlRow? root = idl.GetTable("Open_vSwitch").Rows.FirstOrDefault();

        var wantedBridges = new Dictionary<string, IdlRow>(StringComparer.Ordinal);
        if (root is not null)
        {
            foreach (Guid uuid in RowValues.Uuids(root, "bridges"))
            {
                if (bridgesTable.Find(uuid) is IdlRow bridgeRow)
                {
                    wantedBridges[RowValues.String(bridgeRow, "name")] = bridgeRow;
                }
            }
        }

        foreach (Bridge existing in _datapath.Bridges.ToList())
        {
            if (!wantedBridges.ContainsKey(existing.Name))
            {
                _datapath.RemoveBridge(existing.Name, nowMs);
                _localPortErrors.Remove(existing.Name);
                _log.Info("bridge", $"bridge {existing.Name}: deleted");
            }
        }

        var usedDevices = new HashSet<string>(StringComparer.Ordinal);
        // Rows arrive in uuid order, which differs on every run; name order creates bridges and ports (and so numbers
        // ports and orders flooding) the same way each time, which the lab's byte-identical reports depend on.
        foreach ((string bridgeName, IdlRow bridgeRow) in wantedBridges.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            ApplyBridge(bridgeName, bridgeRow, portsTable, interfacesTable, usedDevices, nowMs);
        }

        foreach (INetDev device in _netdevs.Devices.ToList())
        {
            if (!usedDevices.Contains(device.Name))
            {
                _netdevs.Close(device.Name);
            }
        }
    }

    private void ApplyBridge(string name, IdlRow row, IdlTable portsTable, IdlTable interfacesTable, HashSet<string> usedDevices, long nowMs)
    {
        Dictionary<string, string> otherConfig = RowValues.StringMap(row, "other_config");
        ReportUnknownKeys($"bridge {name}", "other_config", otherConfig, s_knownBridgeOtherConfig);
        BridgeSettings settings = BridgeSettings.FromOtherConfig(otherConfig);
        if (!_datapath.TryGetBridge(name, out Bridge bridge))
        {
            MacAddress? hwaddr = otherConfig.TryGetValue("hwaddr", out string? text) && MacAddress.TryParse(text, out MacAddress parsed) ? parsed : null;
            string? localError = null;
            bridge = _datapath.AddBridge(name, settings, hwaddr, nowMs, mac => _netdevs.OpenBridgeLocal(name, mac, out localError));
            if (localError is not null)
            {
                _localPortErrors[name] = localError;
                ReportOnce("bridge", localError, VlogLevel.Warn);
            }
            else
            {
                _localPortErrors.Remove(name);
            }
            _log.Info("bridge", $"bridge {name}: added interface {name} on port 65534");
        }
        if (_localPortErrors.TryGetValue(name, out string? error))
        {
            InterfaceErrors[name] = error;
        }
        else if (bridge.Settings != settings)
        {
            bridge.Reconfigure(settings);
        }

        var wantedPorts = new Dictionary<string, IdlRow>(StringComparer.Ordinal);
        foreach (Guid uuid in RowValues.Uuids(row, "ports"))
        {
            if (portsTable.Find(uuid) is IdlRow portRow)
            {
                wantedPorts[RowValues.String(portRow, "name")] = portRow;
            }
        }

        // Ports that went away go first, so that an interface moving between ports is free when it is re-added.
        foreach (BridgePort existing in bridge.Ports.ToList())
        {
            if (existing != bridge.LocalPort && !wantedPorts.ContainsKey(existing.Name))
            {
                bridge.RemovePort(existing.Name, nowMs);
                _log.Info("bridge", $"bridge {name}: deleted interface {existing.Name}");
            }
        }

        usedDevices.Add(name);
        foreach ((string portName, IdlRow portRow) in wantedPorts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (portName == name)
            {
                // The bridge's own port is its local internal interface, which the bridge always has.
                continue;
            }
            ApplyPort(bridge, portName, portRow, interfacesTable, usedDevices, nowMs);
        }
        foreach (string warning in bridge.Warnings)
        {
            ReportOnce("bridge", warning, VlogLevel.Warn);
        }
        bridge.Warnings.Clear();
    }

    private void ApplyPort(Bridge bridge, string name, IdlRow row, IdlTable interfacesTable, HashSet<string> usedDevices, long nowMs)
    {
        var warnings = new List<string>();
        var interfaces = new List<InterfaceConfig>();
        foreach (Guid uuid in RowValues.Uuids(row, "interfaces"))
        {
            if (interfacesTable.Find(uuid) is not IdlRow interfaceRow)
            {
                continue;
            }
            string interfaceName = RowValues.String(interfaceRow, "name");
            string type = RowValues.String(interfaceRow, "type");
            INetDev? device = _netdevs.Open(interfaceName, type, RowValues.StringMap(interfaceRow, "options"), out string? error);
            if (device is null)
            {
                InterfaceErrors[interfaceName] = error!;
                ReportOnce("bridge", $"{error}", VlogLevel.Warn);
                continue;
            }
            usedDevices.Add(interfaceName);
            _netdevs.RequestMtu(interfaceName, RowValues.OptionalInteger(interfaceRow, "mtu_request"));
            Dictionary<string, string> interfaceOtherConfig = RowValues.StringMap(interfaceRow, "other_config");
            ReportUnknownKeys($"interface {interfaceName}", "other_config", interfaceOtherConfig, s_knownInterfaceOtherConfig);
            MemberSettings member = MemberSettings.FromOvsdb(interfaceName, interfaceOtherConfig, warnings);
            long? ofportRequest = RowValues.OptionalInteger(interfaceRow, "ofport_request");
            interfaces.Add(new InterfaceConfig(device, ofportRequest is long request ? (int)request : null, member) { OtherConfig = interfaceOtherConfig });
        }
        // OVS keeps members in hash order, which is arbitrary; name order makes bond/list and every tie-break stable.
        interfaces.Sort((a, b) => string.CompareOrdinal(a.Device.Name, b.Device.Name));
        if (interfaces.Count == 0)
        {
            if (bridge.TryGetPort(name, out _))
            {
                bridge.RemovePort(name, nowMs);
            }
            return;
        }

        Dictionary<string, string> otherConfig = RowValues.StringMap(row, "other_config");
        ReportUnknownKeys($"port {name}", "other_config", otherConfig, s_knownPortOtherConfig);
        BondSettings? bond = null;
        if (interfaces.Count >= 2)
        {
            bond = BondSettings.FromOvsdb(name, RowValues.OptionalString(row, "bond_mode"), RowValues.OptionalString(row, "lacp"),
                RowValues.OptionalInteger(row, "bond_updelay"), RowValues.OptionalInteger(row, "bond_downdelay"), otherConfig, warnings);
        }
        foreach (InterfaceConfig member in interfaces)
        {
            _netdevs.SetCarrierDetection(member.Device.Name, bond?.DetectMode == BondDetectMode.Miimon ? bond.MiimonIntervalMs : null, nowMs);
        }
        string? vlanModeText = RowValues.OptionalString(row, "vlan_mode");
        PortVlanMode? vlanMode = null;
        if (vlanModeText is not null)
        {
            if (PortVlanModeNames.TryParse(vlanModeText, out PortVlanMode parsedMode))
            {
                vlanMode = parsedMode;
            }
            else
            {
                warnings.Add($"port {name}: unknown VLAN mode {vlanModeText}");
            }
        }
        long? tag = RowValues.OptionalInteger(row, "tag");
        var config = new PortConfig(name, interfaces)
        {
            Tag = tag is long t ? (int)t : null,
            Trunks = RowValues.Integers(row, "trunks"),
            VlanMode = vlanMode,
            Bond = bond,
            BondEventSink = _bondEvents,
        };

        bool existed = bridge.TryGetPort(name, out BridgePort? before);
        bool hadBond = existed && before!.IsBond;
        try
        {
            BridgePort port = bridge.SetPort(config, nowMs);
            if (!existed)
            {
                foreach (PortInterface portInterface in port.Interfaces)
                {
                    _log.Info("bridge", $"bridge {bridge.Name}: added interface {portInterface.Name} on port {portInterface.OfPort}");
                }
            }
            if (port.Bond is Bond created && !hadBond)
            {
                // The fix OVS got only in 3.5: the active member recorded in the database survives a restart.
                string? remembered = RowValues.OptionalString(row, "bond_active_slave");
                if (remembered is not null && MacAddress.TryParse(remembered, out MacAddress mac) && !mac.IsZero)
                {
                    created.RestoredActiveMac = mac;
                }
            }
        }
        catch (InvalidOperationException ex)
        {
            ReportOnce("bridge", $"port {name}: {ex.Message}", VlogLevel.Err);
            foreach (InterfaceConfig failed in interfaces)
            {
                InterfaceErrors[failed.Device.Name] = ex.Message;
            }
        }
        foreach (string warning in warnings)
        {
            ReportOnce("bond", warning, VlogLevel.Warn);
        }
    }

    private void ReportUnknownKeys(string owner, string column, Dictionary<string, string> map, HashSet<string> known)
    {
        foreach (string key in map.Keys)
        {
            if (!known.Contains(key))
            {
                // OVS ignores unknown keys silently; an operator who mistyped a key deserves to hear about it once.
                ReportOnce("bridge", $"{owner}: {column} key \"{key}\" is not used by this switch (ignored)", VlogLevel.Warn);
            }
        }
    }

    private void ReportOnce(string module, string message, VlogLevel level)
    {
        if (_reportedWarnings.Add(module + "|" + message))
        {
            _log.Log(module, level, message);
        }
    }
}
