// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Net.Sockets;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>The C library's wording of socket errors, which OVS tools put in their messages.</summary>
internal static class SocketErrors
{
    public static string Describe(SocketException ex)
    {
        return ex.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "Connection refused",
            // .NET reports a missing Unix socket file (ENOENT) as "address not available".
            SocketError.AddressNotAvailable => "No such file or directory",
            SocketError.AccessDenied => "Permission denied",
            SocketError.TimedOut => "Connection timed out",
            SocketError.HostUnreachable => "No route to host",
            SocketError.NetworkUnreachable => "Network is unreachable",
            _ => ex.Message,
        };
    }
}
