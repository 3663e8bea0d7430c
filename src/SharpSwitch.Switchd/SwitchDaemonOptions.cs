// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Switchd;

/// <summary>How <c>vsw vswitchd</c> (or <c>vsw start</c>) runs the switch daemon.</summary>
public sealed record SwitchDaemonOptions
{
    /// <summary>The database remote, e.g. <c>unix:/var/run/openvswitch/db.sock</c>.</summary>
    public required string Remote { get; init; }

    /// <summary>The clock the daemon follows; the system clock in production, a fake one in tests.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary><c>--enable-dummy</c>: offer dummy interfaces and the <c>time/stop</c>, <c>time/warp</c> and <c>netdev-dummy/*</c> commands.</summary>
    public bool EnableDummy { get; init; }

    /// <summary><c>--enable-dummy=override</c>: also open system interfaces as dummies.</summary>
    public bool DummyOverridesSystem { get; init; }

    /// <summary>How often interface statistics are written (OVS's <c>other_config:stats-update-interval</c>, default and minimum 5000 ms).</summary>
    public int StatisticsIntervalMs { get; init; } = 5000;

    /// <summary>
    /// Opens the database connection instead of dialling <see cref="Remote"/>; the lab passes one end of an in-memory
    /// pipe to an in-process server, so the daemon speaks the same JSON-RPC it speaks over a socket.
    /// </summary>
    public Func<CancellationToken, Task<SharpSwitch.JsonRpc.JsonRpcConnection>>? Connect { get; init; }

    /// <summary>The packet buffers of the datapath; the lab shares one pool among its switches and hosts.</summary>
    public SharpSwitch.NetDev.PacketPool? PacketPool { get; init; }

    /// <summary>Receives every bond event besides the daemon's log (the lab's timeline).</summary>
    public SharpSwitch.Bonding.IBondEventSink? BondEventSink { get; init; }

    /// <summary>
    /// False when someone else runs the datapath on its own clock (the lab's discrete-event loop): the daemon then only
    /// reconciles and writes status, and never forwards or runs bond timers by itself.
    /// </summary>
    public bool RunsDatapath { get; init; } = true;

    /// <summary>The program name used in <c>version</c> and logs.</summary>
    public string ProgramName { get; init; } = "ovs-vswitchd";
}
