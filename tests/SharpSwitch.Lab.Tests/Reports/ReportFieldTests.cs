// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.Lab.Reports;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// The report fields beyond the operator's two experiments: a flap counted as one event, impairments in the setup and
/// their per-direction accounts, RX CRC errors, TCP-like reordering and retransmission per phase, and the answer of a
/// balanced bond. The text is pinned by reviewed goldens (SHARPSWITCH_UPDATE_GOLDEN=1 rewrites them for review);
/// the JSON is checked field by field against the same run.
/// </summary>
public sealed class ReportFieldTests
{
    [Theory]
    [InlineData("flap-holddown.yaml", "flap-holddown.txt")]
    [InlineData("lossy-link.yaml", "lossy-link.txt")]
    [InlineData("balance-slb.yaml", "balance-slb.txt")]
    [InlineData("blackhole-window.yaml", "blackhole-window.txt")]
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
    public void A_flap_is_one_event_with_its_cycles()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("flap-holddown.yaml"));
        // The file has one flap of four cycles, expanded into eight link events.
        Assert.Equal(8, result.Scenario.Events.Count);
        Assert.Contains("1 event(s) (flap sw1:eno1: 4 cycle(s)), 3 phase(s)", TextReport.Render(result), StringComparison.Ordinal);
        Assert.Contains("1 event(s) (flap sw1:eno1: 4 cycle(s))", HtmlReport.Render(result), StringComparison.Ordinal);

        using JsonDocument json = JsonDocument.Parse(JsonReport.Render(result));
        Assert.Equal(1, json.RootElement.GetProperty("event_count").GetInt32());
        Assert.Equal(["flap sw1:eno1: 4 cycle(s)"], json.RootElement.GetProperty("flaps").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public void Json_carries_impairments_crc_errors_reordering_and_retransmissions()
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample("lossy-link.yaml"));
        using JsonDocument json = JsonDocument.Parse(JsonReport.Render(result));
        JsonElement root = json.RootElement;

        JsonElement link = root.GetProperty("link_impairments").EnumerateArray().Single();
        Assert.Equal("gw:eth0 <-> tor:p3", link.GetProperty("link").GetString());
        Assert.Equal(JsonValueKind.Null, link.GetProperty("from").ValueKind);
        Assert.Equal("delay 1ms", link.GetProperty("impairment").GetString());

        // One entry per impaired direction, each balancing: what was offered was lost, corrupted, tail-dropped,
        // lost in flight or delivered (duplicates add copies).
        JsonElement[] impairments = [.. root.GetProperty("impairments").EnumerateArray()];
        Assert.Equal(result.Impairments.Select(i => i.Label), impairments.Select(i => i.GetProperty("direction").GetString()));
        foreach (JsonElement i in impairments)
        {
            long accounted = i.GetProperty("lost").GetInt64() + i.GetProperty("corrupted").GetInt64() + i.GetProperty("tail_dropped").GetInt64()
                + i.GetProperty("lost_in_flight").GetInt64() + i.GetProperty("delivered").GetInt64();
            Assert.Equal(i.GetProperty("offered").GetInt64() + i.GetProperty("duplicated").GetInt64(), accounted);
        }
        JsonElement towardsEno1 = impairments.Single(i => i.GetProperty("direction").GetString() == "tor:p1 -> sw1:eno1");
        Assert.True(towardsEno1.GetProperty("corrupted").GetInt64() > 0);

        // Frames corrupted on their way to sw1:eno1 fail its FCS check: the member counts them as RX CRC errors.
        long crcAtEno1 = root.GetProperty("phases").EnumerateArray()
            .SelectMany(p => p.GetProperty("interfaces").EnumerateArray())
            .Where(i => i.GetProperty("ifname").GetString() == "sw1:eno1")
            .Sum(i => i.GetProperty("delta").GetProperty("rx").GetProperty("crc_errors").GetInt64());
        Assert.Equal(towardsEno1.GetProperty("corrupted").GetInt64(), crcAtEno1);

        // The lossy phase makes the TCP-like stream retransmit, and its flows carry the per-phase counts.
        JsonElement lossyPhase = root.GetProperty("phases")[1];
        JsonElement tcp = lossyPhase.GetProperty("flows").EnumerateArray().Single(f => f.GetProperty("flow").GetString()!.StartsWith("tcp-1", StringComparison.Ordinal));
        Simulation.LegSample leg = result.Phases[1].Legs.Single(l => l.Label.StartsWith("tcp-1", StringComparison.Ordinal));
        Assert.True(leg.Stats.Retransmitted > 0);
        Assert.Equal(leg.Stats.Retransmitted, tcp.GetProperty("retransmitted").GetInt64());
        Assert.Equal(leg.Stats.Reordered, tcp.GetProperty("reordered").GetInt64());
    }

    [Theory]
    [InlineData("balance-slb.yaml", "sw1 bond0")]
    [InlineData("balance-tcp.yaml", "sw1 bond0")]
    public void A_balanced_bond_answer_tells_where_flows_went_and_whether_load_returned(string example, string bond)
    {
        LabResult result = LabRunner.Run(LabTestFiles.LoadExample(example));
        string answer = result.AnswerLines.Single(a => a.StartsWith(bond + ":", StringComparison.Ordinal));

        Assert.DoesNotContain("failback", answer, StringComparison.Ordinal);
        Assert.Contains("flows before the fault on eno1 ", answer, StringComparison.Ordinal);
        Assert.Contains("during the fault on eno1 0, eno2 ", answer, StringComparison.Ordinal);
        Assert.Contains("after recovery on ", answer, StringComparison.Ordinal);
        Assert.Matches("load returned to eno1 with the rebalance at \\d+\\.\\d{3} s$", answer);
        using JsonDocument json = JsonDocument.Parse(JsonReport.Render(result));
        JsonElement jsonAnswer = json.RootElement.GetProperty("answers").EnumerateArray()
            .Single(a => a.GetProperty("switch").GetString() + " " + a.GetProperty("bond").GetString() == bond);
        Assert.Equal(answer, bond + ": " + jsonAnswer.GetProperty("answer").GetString());
    }
}
