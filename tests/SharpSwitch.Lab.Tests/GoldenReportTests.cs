// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Reports;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// The operator's two scenarios render exactly as the reviewed reports in tests/TestData/golden/lab/. To accept a
/// deliberate change, run the tests with SHARPSWITCH_UPDATE_GOLDEN=1, review the diff and commit it.
/// </summary>
public sealed class GoldenReportTests
{
    [Theory]
    [InlineData("operator-no-primary.yaml", "operator-no-primary.txt")]
    [InlineData("operator-primary.yaml", "operator-primary.txt")]
    [InlineData("failback-flap.yaml", "failback-flap.txt")]
    public void Text_report_matches_the_golden_file(string example, string golden)
    {
        string report = TextReport.Render(LabRunner.Run(LabTestFiles.LoadExample(example)));
        string goldenPath = LabTestFiles.Golden(golden);
        if (Environment.GetEnvironmentVariable("SHARPSWITCH_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(goldenPath, report);
        }

        Assert.Equal(File.ReadAllText(goldenPath), report);
    }

    [Fact]
    public void Json_report_carries_the_same_answer_and_ip_link_field_names()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("operator-primary.yaml"));
        using var json = System.Text.Json.JsonDocument.Parse(JsonReport.Render(result));
        System.Text.Json.JsonElement root = json.RootElement;

        Assert.Equal("traffic failed back to eno1 at 20.000 s", root.GetProperty("answers")[0].GetProperty("answer").GetString());
        System.Text.Json.JsonElement lastPhase = root.GetProperty("phases")[2];
        System.Text.Json.JsonElement eno1 = lastPhase.GetProperty("interfaces").EnumerateArray().Single(i => i.GetProperty("ifname").GetString() == "sw1:eno1");
        Assert.True(eno1.GetProperty("delta").GetProperty("tx").GetProperty("packets").GetInt64() > 1000);
        Assert.Equal("eno1", lastPhase.GetProperty("bonds")[0].GetProperty("active_member").GetString());
        // The gateway answered every ping of the run. Its own UDP leg starts in the same millisecond as the pinger's
        // first request, before it has heard from mgt, so it resolves mgt once and answers mgt's request once.
        System.Text.Json.JsonElement gw = root.GetProperty("hosts").EnumerateArray().Single(h => h.GetProperty("name").GetString() == "gw");
        Assert.Equal(300, gw.GetProperty("echo_replies_sent").GetInt64());
        Assert.Equal(1, gw.GetProperty("arp_requests_sent").GetInt64());
        Assert.Equal(1, gw.GetProperty("arp_replies_sent").GetInt64());
    }
}
