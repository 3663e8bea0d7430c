// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios;

namespace SharpSwitch.Lab.Tests;

public sealed class ScenarioValuesTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0.25m", 15_000)]
    [InlineData("0ms", 0)]
    [InlineData("24h", -1)]
    [InlineData("10", -1)]
    [InlineData("s", -1)]
    [InlineData("1.s", -1)]
    [InlineData("1..5s", -1)]
    [InlineData("-1s", -1)]
    [InlineData("1e3ms", -1)]
    [InlineData("0.0001s", -1)]
    [InlineData("1441m", -1)]
    [InlineData("99999999999999999999999m", -1)]
    public void Durations_need_a_unit_and_whole_milliseconds(string text, long expectedMs)
    {
        bool parsed = ScenarioValues.TryParseDuration(text, out long ms, out string error);

        Assert.Equal(expectedMs >= 0, parsed);
        if (parsed)
        {
            Assert.Equal(expectedMs, ms);
        }
        else
        {
            Assert.Contains(text, error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("192.0.2.10/24", true)]
    [InlineData("10.1.2.3/8", true)]
    [InlineData("192.0.2.10", false)]
    [InlineData("192.0.2.0/24", false)]
    [InlineData("192.0.2.255/24", false)]
    [InlineData("192.0.2.10/31", false)]
    [InlineData("192.0.2.010/24", false)]
    [InlineData("192.0.2/24", false)]
    [InlineData("256.0.2.1/24", false)]
    [InlineData("224.0.0.1/24", false)]
    [InlineData("127.0.0.1/8", false)]
    [InlineData("192.0.2.10/x", false)]
    public void Host_addresses_are_strict_dotted_quads_with_a_usable_prefix(string text, bool valid)
    {
        Assert.Equal(valid, ScenarioValues.TryParseIpv4WithPrefix(text, out _, out _, out _));
    }

    [Fact]
    public void Times_print_as_seconds_with_milliseconds()
    {
        Assert.Equal("0.000 s", ScenarioValues.FormatSeconds(0));
        Assert.Equal("20.005 s", ScenarioValues.FormatSeconds(20_005));
        Assert.Equal("   10.000 s", Reports.TextReport.FormatTime(10_000));
    }
}
