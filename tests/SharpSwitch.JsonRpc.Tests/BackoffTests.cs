// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.JsonRpc.Tests;

public sealed class BackoffTests
{
    [Fact]
    public void Failures_double_from_one_to_eight_seconds_and_a_connection_starts_over()
    {
        var backoff = new ReconnectBackoff();
        double[] delays = [.. Enumerable.Range(0, 6).Select(_ => backoff.NextDelayAfterFailure().TotalSeconds)];
        Assert.Equal([1, 2, 4, 8, 8, 8], delays);
        backoff.Connected();
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.NextDelayAfterDisconnect());
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.NextDelayAfterFailure());
        backoff.Connected();
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.NextDelayAfterFailure());
    }
}
