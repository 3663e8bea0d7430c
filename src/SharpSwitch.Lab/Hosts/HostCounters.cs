// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Lab.Hosts;

/// <summary>What a host does besides carrying the lab's traffic: its protocol housekeeping.</summary>
internal sealed class HostCounters
{
    /// <summary>ARP requests it sent to resolve a neighbour.</summary>
    public long ArpRequestsSent { get; set; }

    /// <summary>ARP replies it sent for its own address.</summary>
    public long ArpRepliesSent { get; set; }

    /// <summary>ICMP echo replies it sent.</summary>
    public long EchoRepliesSent { get; set; }

    /// <summary>Packets dropped because the neighbour's MAC was still unresolved and the queue was full.</summary>
    public long UnresolvedDropped { get; set; }

    /// <summary>Frames received that were not for this host or not understood (flooded traffic, learning packets).</summary>
    public long FramesIgnored { get; set; }
}
