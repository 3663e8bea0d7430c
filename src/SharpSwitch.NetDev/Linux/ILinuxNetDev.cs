// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.NetDev.Linux;

/// <summary>
/// What a device backed by a real Linux interface reports beyond <see cref="INetDev"/>, for the Interface row:
/// why it is not usable (<c>error</c>), its kernel index, and its speed and duplex as ethtool gives them.
/// </summary>
public interface ILinuxNetDev : INetDev
{
    /// <summary>The error OVS would write into <c>Interface.error</c>, or null while the device works.</summary>
    string? Error { get; }

    /// <summary>The kernel's interface index, or 0 while the interface is missing.</summary>
    int IfIndex { get; }

    /// <summary>The link speed in bits per second (<c>Interface.link_speed</c>), or null when the driver does not say.</summary>
    long? LinkSpeedBps { get; }

    /// <summary><c>full</c> or <c>half</c> (<c>Interface.duplex</c>), or null when the driver does not say.</summary>
    string? Duplex { get; }

    /// <summary>The file descriptor the poller watches for input, or -1 while closed.</summary>
    int PollFd { get; }

    /// <summary>
    /// True when a received frame is known to be waiting (read from shared memory, no system call), so the loop can run
    /// again at once instead of waiting for the poller; false when unknown.
    /// </summary>
    bool HasPendingInput { get; }

    /// <summary>Takes the kernel's view of the interface (from rtnetlink), or null when it has gone.</summary>
    void ApplyLink(LinkInfo? link);

    /// <summary>Applies <c>Interface.mtu_request</c> (null leaves the MTU alone).</summary>
    void RequestMtu(int? mtu);

    /// <summary>Closes the socket or TAP.</summary>
    void Close();
}
