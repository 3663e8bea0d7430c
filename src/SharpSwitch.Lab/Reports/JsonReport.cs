// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.Json;
using SharpSwitch.Lab.Impairments;
using SharpSwitch.Lab.Simulation;
using SharpSwitch.NetDev;

namespace SharpSwitch.Lab.Reports;

/// <summary>
/// Renders a run as JSON for scripts. Counter objects use the field names of <c>ip -s -j link</c>'s
/// <c>stats64</c> (<c>rx.packets</c>, <c>rx.bytes</c>, ...) so jq one-liners carry over. Like the text report, the output
/// depends only on the run.
/// </summary>
public static class JsonReport
{
    /// <summary>Renders <paramref name="result"/> as indented JSON followed by a newline.</summary>
    public static string Render(LabResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("name", result.Scenario.Name);
            json.WriteString("source", result.Scenario.SourceName);
            json.WriteNumber("duration_ms", result.Scenario.DurationMs);
            json.WriteStartArray("timeline");
            foreach (TimelineEntry entry in result.Timeline)
            {
                json.WriteStartObject();
                json.WriteNumber("time_ms", entry.TimeMs);
                json.WriteString("node", entry.Node);
                json.WriteString("text", entry.Text);
                if (entry.BondEvent is { } e)
                {
                    json.WriteString("bond", e.Bond);
                    json.WriteString("kind", e.Kind.ToString());
                    json.WriteString("reason", e.Reason);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("phases");
            for (int p = 0; p < result.Phases.Count; p++)
            {
                IReadOnlyList<FlowPlacement> placement = p < result.Recording.PlacementByPhase.Count ? result.Recording.PlacementByPhase[p] : [];
                WritePhase(json, result.Phases[p], placement);
            }
            json.WriteEndArray();
            json.WriteStartArray("warnings");
            foreach (string warning in result.Warnings)
            {
                json.WriteStringValue(warning);
            }
            json.WriteEndArray();
            json.WriteStartArray("hosts");
            foreach (HostSample host in result.Hosts)
            {
                json.WriteStartObject();
                json.WriteString("name", host.Name);
                json.WriteNumber("arp_requests_sent", host.ArpRequestsSent);
                json.WriteNumber("arp_replies_sent", host.ArpRepliesSent);
                json.WriteNumber("echo_replies_sent", host.EchoRepliesSent);
                json.WriteNumber("unresolved_dropped", host.UnresolvedDropped);
                json.WriteNumber("frames_ignored", host.FramesIgnored);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("answers");
            foreach (BondAnswer answer in ReportSummary.Answers(result))
            {
                json.WriteStartObject();
                json.WriteString("switch", answer.Switch);
                json.WriteString("bond", answer.Bond);
                json.WriteString("answer", answer.Text);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            WriteRecording(json, result.Recording);
            // Fields added after the first release go last, so that the order scripts may have relied on holds.
            // Events as the file wrote them: a flap counts once, its cycles listed under "flaps".
            json.WriteNumber("event_count", ReportSummary.EventCount(result.Scenario, out IReadOnlyList<string> flaps));
            json.WriteStartArray("flaps");
            foreach (string flap in flaps)
            {
                json.WriteStringValue(flap);
            }
            json.WriteEndArray();
            WriteLinkImpairments(json, result.Scenario);
            json.WriteStartArray("impairments");
            foreach (ImpairmentStatistics i in result.Impairments)
            {
                json.WriteStartObject();
                json.WriteString("direction", i.Label);
                json.WriteNumber("offered", i.Offered);
                json.WriteNumber("lost", i.Lost);
                json.WriteNumber("duplicated", i.Duplicated);
                json.WriteNumber("corrupted", i.Corrupted);
                json.WriteNumber("tail_dropped", i.TailDropped);
                json.WriteNumber("lost_in_flight", i.LostInFlight);
                json.WriteNumber("delivered", i.Delivered);
                json.WriteNumber("reordered", i.Reordered);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The recorder's figures: switchovers, the rate series behind the chart, and the capture summary.</summary>
    private static void WriteRecording(Utf8JsonWriter json, RunRecording recording)
    {
        json.WriteStartArray("switchovers");
        foreach (Switchover s in recording.Switchovers)
        {
            json.WriteStartObject();
            json.WriteString("switch", s.Switch);
            json.WriteString("bond", s.Bond);
            WriteStringOrNull(json, "from_member", s.FromMember);
            json.WriteString("to_member", s.ToMember);
            json.WriteString("kind", s.IsFailback ? "failback" : "failover");
            json.WriteNumber("active_at_ms", s.ActiveAtMs);
            WriteStringOrNull(json, "cause", s.Cause);
            json.WriteNumber("cause_at_ms", s.CauseAtMs);
            WriteNumberOrNull(json, "detection_ms", s.DetectionMs);
            WriteNumberOrNull(json, "switchover_ms", s.SwitchoverMs);
            json.WriteNumber("window_end_ms", s.WindowEndMs);
            json.WriteNumber("lost", s.Lost);
            json.WriteNumber("duplicated", s.Duplicated);
            json.WriteNumber("reordered", s.Reordered);
            WriteNumberOrNull(json, "interruption_ms", s.InterruptionMs);
            json.WriteStartArray("flows");
            foreach (SwitchoverFlow flow in s.Flows)
            {
                json.WriteStartObject();
                json.WriteString("flow", flow.Flow);
                json.WriteNumber("sent", flow.Sent);
                json.WriteNumber("lost", flow.Lost);
                json.WriteNumber("duplicated", flow.Duplicated);
                json.WriteNumber("reordered", flow.Reordered);
                WriteNumberOrNull(json, "interruption_ms", flow.InterruptionMs);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartObject("rates");
        json.WriteNumber("bucket_ms", recording.BucketMs);
        json.WriteStartArray("members");
        foreach (MemberSeries member in recording.Members)
        {
            json.WriteStartObject();
            json.WriteString("switch", member.Switch);
            json.WriteString("bond", member.Bond);
            json.WriteString("member", member.Member);
            json.WriteString("ifname", member.Label);
            json.WriteStartArray("tx_packets");
            foreach (long value in member.TxPackets)
            {
                json.WriteNumberValue(value);
            }
            json.WriteEndArray();
            json.WriteStartArray("rx_packets");
            foreach (long value in member.RxPackets)
            {
                json.WriteNumberValue(value);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        if (recording.Capture is { } capture)
        {
            json.WriteStartObject("capture");
            json.WriteNumber("packets", capture.Packets);
            json.WriteStartArray("interfaces");
            foreach (string name in capture.Interfaces)
            {
                json.WriteStringValue(name);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, long? value)
    {
        if (value is long number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WritePhase(Utf8JsonWriter json, PhaseResult phase, IReadOnlyList<FlowPlacement> placement)
    {
        json.WriteStartObject();
        json.WriteNumber("index", phase.Index + 1);
        json.WriteNumber("start_ms", phase.StartMs);
        json.WriteNumber("end_ms", phase.EndMs);
        json.WriteStartArray("opening_events");
        foreach (Scenarios.EventSpec e in phase.OpeningEvents)
        {
            json.WriteStringValue($"{e.ActionName} {e.Target}");
        }
        json.WriteEndArray();
        json.WriteStartArray("interfaces");
        foreach (InterfaceSample sample in phase.Interfaces)
        {
            json.WriteStartObject();
            json.WriteString("ifname", sample.Label);
            json.WritePropertyName("stats64");
            WriteStats(json, sample.AtEnd, default);
            json.WritePropertyName("delta");
            WriteStats(json, sample.AtEnd, sample.AtStart);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("bonds");
        foreach (BondSample bond in phase.Bonds)
        {
            json.WriteStartObject();
            json.WriteString("switch", bond.Switch);
            json.WriteString("bond", bond.Bond);
            if (bond.ActiveMember is null)
            {
                json.WriteNull("active_member");
            }
            else
            {
                json.WriteString("active_member", bond.ActiveMember);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("flows");
        foreach (LegSample leg in phase.Legs)
        {
            json.WriteStartObject();
            json.WriteString("flow", leg.Label);
            json.WriteNumber("sent", leg.Stats.Sent);
            json.WriteNumber("received", leg.Stats.Delivered);
            json.WriteNumber("lost", leg.Stats.Lost);
            json.WriteNumber("duplicates", leg.Stats.Duplicates);
            json.WriteNumber("reordered", leg.Stats.Reordered);
            json.WriteNumber("retransmitted", leg.Stats.Retransmitted);
            if (leg.Stats.MaxGapMs is long gap)
            {
                json.WriteNumber("max_gap_ms", gap);
            }
            else
            {
                json.WriteNull("max_gap_ms");
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("placement");
        foreach (FlowPlacement row in placement)
        {
            json.WriteStartObject();
            json.WriteString("flow", row.Flow);
            json.WriteString("switch", row.Switch);
            json.WriteString("bond", row.Bond);
            json.WriteString("member", row.Member);
            json.WriteNumber("out", row.Out);
            json.WriteNumber("in", row.In);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The whole-run impairments of the scenario's links, as the setup they are.</summary>
    private static void WriteLinkImpairments(Utf8JsonWriter json, Scenarios.Scenario scenario)
    {
        json.WriteStartArray("link_impairments");
        foreach (Scenarios.LinkSpec link in scenario.Topology.Links)
        {
            foreach (Scenarios.LinkImpairmentSpec impairment in link.Impairments)
            {
                json.WriteStartObject();
                json.WriteString("link", $"{link.A} <-> {link.B}");
                WriteStringOrNull(json, "from", impairment.From?.ToString());
                json.WriteString("impairment", impairment.Impairment.Describe());
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();
    }

    private static void WriteStats(Utf8JsonWriter json, InterfaceStatistics end, InterfaceStatistics start)
    {
        json.WriteStartObject();
        json.WriteStartObject("rx");
        json.WriteNumber("bytes", end.RxBytes - start.RxBytes);
        json.WriteNumber("packets", end.RxPackets - start.RxPackets);
        json.WriteNumber("errors", end.RxErrors - start.RxErrors);
        json.WriteNumber("dropped", end.RxDropped - start.RxDropped);
        json.WriteNumber("crc_errors", end.RxCrcErrors - start.RxCrcErrors);
        json.WriteEndObject();
        json.WriteStartObject("tx");
        json.WriteNumber("bytes", end.TxBytes - start.TxBytes);
        json.WriteNumber("packets", end.TxPackets - start.TxPackets);
        json.WriteNumber("errors", end.TxErrors - start.TxErrors);
        json.WriteNumber("dropped", end.TxDropped - start.TxDropped);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
