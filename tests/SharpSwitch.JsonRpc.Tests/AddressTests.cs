// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Net;

namespace SharpSwitch.JsonRpc.Tests;

public sealed class AddressTests
{
    [Fact]
    public void Parses_every_form_ovs_accepts()
    {
        JsonRpcAddress unix = JsonRpcAddress.Parse("unix:/var/run/openvswitch/db.sock");
        Assert.Equal(JsonRpcTransport.Unix, unix.Transport);
        Assert.Equal("/var/run/openvswitch/db.sock", unix.Path);
        Assert.False(unix.IsTcp);

        JsonRpcAddress tcp = JsonRpcAddress.Parse("tcp:127.0.0.1:16640");
        Assert.Equal((JsonRpcTransport.Tcp, IPAddress.Loopback, 16640), (tcp.Transport, tcp.IPAddress, tcp.Port));
        Assert.Equal(6640, JsonRpcAddress.Parse("tcp:10.0.0.1").Port);
        Assert.Equal(IPAddress.IPv6Loopback, JsonRpcAddress.Parse("tcp:[::1]:7000").IPAddress);

        JsonRpcAddress punix = JsonRpcAddress.Parse("punix:/tmp/x.sock");
        Assert.True(punix.IsPassive);
        Assert.Equal("/tmp/x.sock", punix.Path);

        JsonRpcAddress ptcp = JsonRpcAddress.Parse("ptcp:6641:127.0.0.1");
        Assert.Equal((JsonRpcTransport.PassiveTcp, IPAddress.Loopback, 6641), (ptcp.Transport, ptcp.IPAddress, ptcp.Port));
        Assert.Equal(IPAddress.Any, JsonRpcAddress.Parse("ptcp:0").IPAddress);
        Assert.Equal(IPAddress.IPv6Loopback, JsonRpcAddress.Parse("ptcp:6641:[::1]").IPAddress);
        Assert.Equal(6640, JsonRpcAddress.Parse("ptcp:").Port);
    }

    [Theory]
    [InlineData("db.sock", "unknown connection method")]
    [InlineData("ssl:1.2.3.4:6640", "unknown connection method \"ssl\"")]
    [InlineData("unix:", "a socket path is required")]
    [InlineData("tcp:", "expected \"tcp:IP[:PORT]\"")]
    [InlineData("tcp:host.example:6640", "is not a valid IP address")]
    [InlineData("tcp:1.2.3.4:99999", "is not a valid TCP port")]
    [InlineData("tcp:1.2.3.4:0", "is not a valid TCP port")]
    [InlineData("ptcp:abc", "is not a valid TCP port")]
    [InlineData("ptcp:6640:nohost", "is not a valid IP address")]
    public void Invalid_addresses_give_a_clear_error(string text, string expected)
    {
        Assert.False(JsonRpcAddress.TryParse(text, out _, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => JsonRpcAddress.Parse(text));
    }
}
