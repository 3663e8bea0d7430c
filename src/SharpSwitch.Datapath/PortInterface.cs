// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.NetDev;

namespace SharpSwitch.Datapath;

/// <summary>One interface of a bridge port, with the numbers OVS gives it.</summary>
public sealed class PortInterface
{
    internal PortInterface(BridgePort port, InterfaceConfig config, int ofPort, int datapathPort)
    {
        Port = port;
        Config = config;
        OfPort = ofPort;
        DatapathPort = datapathPort;
        LastLinkSequence = config.Device.LinkChangeSequence;
        LastCarrier = config.Device.Carrier;
    }

    /// <summary>Interface.name.</summary>
    public string Name => Device.Name;

    /// <summary>The device.</summary>
    public INetDev Device => Config.Device;

    /// <summary>Interface.ofport: the OpenFlow port number (65534 for the bridge's local port).</summary>
    public int OfPort { get; }

    /// <summary>The port number in the datapath (the second number of <c>dpif/show</c>).</summary>
    public int DatapathPort { get; }

    /// <summary>The port this interface belongs to.</summary>
    public BridgePort Port { get; }

    internal InterfaceConfig Config { get; set; }

    /// <summary>Frames waiting to be sent on this interface at the end of the current batch.</summary>
    internal PacketBatch TxBatch { get; } = new();

    /// <summary>The device's link sequence when the bridge last looked, to notice carrier changes.</summary>
    internal long LastLinkSequence { get; set; }

    /// <summary>The carrier the bridge last acted on.</summary>
    internal bool LastCarrier { get; set; }

    /// <summary>This interface's member index in the port's bond, or -1.</summary>
    internal int BondMemberIndex { get; set; } = -1;

    /// <summary>True while the interface is on the bridge's list of interfaces with frames to send.</summary>
    internal bool TxQueued { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {OfPort}/{DatapathPort}";
}
