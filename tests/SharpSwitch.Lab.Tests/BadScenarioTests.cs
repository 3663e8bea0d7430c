// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Lab.Scenarios;

namespace SharpSwitch.Lab.Tests;

/// <summary>Every kind of bad scenario is refused with FILE:LINE:COLUMN and a message that says what is wrong.</summary>
public sealed class BadScenarioTests
{
    private static readonly string s_operator = File.ReadAllText(LabTestFiles.Example("operator-no-primary.yaml"));

    /// <summary>The operator's scenario with one text replaced, so each case breaks exactly one thing.</summary>
    private static string Broken(string find, string replace)
    {
        Assert.Contains(find, s_operator, StringComparison.Ordinal);
        return s_operator.Replace(find, replace, StringComparison.Ordinal);
    }

    private static int LineOf(string text, string fragment)
    {
        int index = text.IndexOf(fragment, StringComparison.Ordinal);
        Assert.True(index >= 0, fragment);
        return text[..index].Count(c => c == '\n') + 1;
    }

    public static TheoryData<string, string, string, string> Cases() => new()
    {
        // case, replaced text, replacement, expected "LINE:COLUMN: message fragment": LINE is relative to the replacement's
        // first line, or absolute when written =LINE; a column of 0 means "any position".
        { "unknown top-level key", "duration: 30s", "duration: 30s\ncolour: blue", "+1:1: unknown key 'colour' in the scenario" },
        { "unknown event key", "    link-up: sw1:eno1", "    link-up: sw1:eno1\n    colour: red", "+1:5: unknown key 'colour' in an event" },
        { "unknown port key", "port-mgt: { type: internal, tag: 0 }", "port-mgt: { type: internal, tga: 0 }", "0:41: unknown key 'tga' in port 'port-mgt'" },
        { "time without unit", "duration: 30s", "duration: 30", "0:11: duration: '30' needs a unit" },
        { "negative time", "duration: 30s", "duration: -5s", "0:11: duration: '-5s' is negative" },
        { "garbage time", "  - at: 10s", "  - at: soon", "0:9: event time 'at': 'soon' is not a duration" },
        { "sub-millisecond time", "  - at: 10s", "  - at: 0.0005s", "0:9: event time 'at': '0.0005s' is not a whole number of milliseconds" },
        { "negative rate", "rate: 100", "rate: -100", "0:37: udp rate (packets per second) must be from 1 to 100000, not -100" },
        { "zero rate", "rate: 100", "rate: 0", "0:37: udp rate (packets per second) must be from 1 to 100000, not 0" },
        { "unknown node in a link", "\"sw1:eno2\", \"tor:p2\"", "\"sw1:eno2\", \"tour:p2\"", "0:31: unknown node 'tour'" },
        { "cable to a missing port", "\"sw1:eno1\", \"tor:p1\"", "\"sw1:eno1\", \"tor:p9\"", "0:31: switch 'tor' has no interface 'p9' (it has p1, p2, p3)" },
        { "second cable on a port", "\"gw:eth0\", \"tor:p3\"", "\"gw:eth0\", \"tor:p2\"", "0:30: tor:p2 already has a cable" },
        { "event on an unknown interface", "    link-down: sw1:eno1", "    link-down: sw1:eno7", "0:16: switch 'sw1' has no interface 'eno7'" },
        { "event after the end", "  - at: 20s", "  - at: 40s", "0:5: event at 40.000 s is not before the end of the scenario" },
        { "traffic to an unknown host", "to: gw, interval", "to: gateway, interval", "0:11: traffic names 'gateway', which is not a host" },
        { "hosts in different subnets", "ipv4: 192.0.2.1/24", "ipv4: 198.51.100.1/24", "=49:11:x" },
        { "bad MAC", "mac: 02:00:00:00:01:01", "mac: 02:00:00:00:01", "=42:12: host 'gw' mac '02:00:00:00:01' is not an Ethernet address" },
        { "multicast MAC", "mac: 02:00:00:00:01:01", "mac: 01:00:5e:00:00:01", "0:12: host 'gw' mac 01:00:5e:00:00:01 is not a unicast address" },
        { "bad bond_mode", "bond_mode: active-backup", "bond_mode: active-standby", "0:26: bond 'bond-mgt' bond_mode 'active-standby' is not one of the allowed values" },
        { "typo in other_config", "bond_mode: active-backup", "bond_mode: active-backup\n              other_config: { bond_primary: eno1 }", "+1:45: bond 'bond-mgt' other_config: unknown key 'bond_primary' (OVS would silently ignore it" },
        { "primary that is not a member", "bond_mode: active-backup", "bond_mode: active-backup\n              other_config: { bond-primary: eno3 }", "-2:13: bond 'bond-mgt' other_config:bond-primary names 'eno3', which is not one of its interfaces" },
        { "bad failback policy", "bond_mode: active-backup", "bond_mode: active-backup\n              other_config: { bond-failback: sometimes }", "-2:13: invalid bond-failback \"sometimes\" (expected never, always, better or failure)" },
        { "bad member priority", "interfaces: [eno1, eno2]", "interfaces:\n                eno1: { other_config: { bond-member-priority: high } }\n                eno2:", "+1:17: invalid bond-member-priority \"high\"" },
        { "port named like its bridge", "            p3:\n", "            p3:\n            br0:\n", "+1:13: switch 'tor' already has an interface named 'br0'" },
        { "bond of one interface", "interfaces: [eno1, eno2]", "interfaces: [eno1]", "0:27: bond 'bond-mgt' has one interface" },
        { "unknown node kind", "      kind: host\n      mac: 02:00:00:00:01:01", "      kind: router\n      mac: 02:00:00:00:01:01", "0:13: node 'gw' has unknown kind 'router'" },
        { "YAML syntax error", "port-mgt: { type: internal, tag: 0 }", "port-mgt: { type: internal, tag: 0", "0:0:YAML syntax error" },
        { "tab indentation", "    tor:\n", "\ttor:\n", "0:0:YAML syntax error" },
        { "duplicate key", "    gw:\n", "    mgt:\n", "=40:5: duplicate key 'mgt'" },
        { "host not connected", "    - endpoints: [\"gw:eth0\", \"tor:p3\"]\n", "", "=40:5: host 'gw' is not connected" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_scenario_is_refused_with_a_located_error(string description, string find, string replace, string expected)
    {
        string text = Broken(find, replace);
        ScenarioReadResult result = ScenarioReader.Parse(text, "bad.yaml");

        Assert.False(result.Succeeded, description);
        Assert.Null(result.Scenario);
        int baseLine = replace.Length > 0 ? LineOf(text, replace) : LineOf(s_operator, find);
        string[] parts = expected.Split(':', 3);
        string message = parts[2].TrimStart();
        ScenarioError? match = result.Errors.FirstOrDefault(e => e.Message.Contains(message, StringComparison.Ordinal) || (message == "x" && e.Message.Contains("not in one subnet", StringComparison.Ordinal)));
        Assert.True(match is not null, $"{description}: expected '{message}' among:\n{string.Join("\n", result.Errors)}");
        Assert.Equal("bad.yaml", match.SourceName);
        if (parts[1] != "0")
        {
            int expectedLine = parts[0].StartsWith('=')
                ? int.Parse(parts[0][1..], System.Globalization.CultureInfo.InvariantCulture)
                : baseLine + int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(expectedLine, match.Line);
            Assert.Equal(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), match.Column);
        }
        Assert.Matches(@"^bad\.yaml:\d+:\d+: .+", match.ToString());
    }

    [Theory]
    [InlineData("", 1, 1, "the file is empty")]
    [InlineData("- just\n- a list\n", 1, 1, "the scenario must be a mapping")]
    [InlineData("a: &x [1]\nb: *x\n", 1, 4, "YAML anchors (&x) are not supported")]
    [InlineData("name: a\n---\nname: b\n", 2, 1, "one YAML document")]
    [InlineData("name: x\n", 1, 1, "the scenario is missing 'duration:'")]
    [InlineData("name: x\nduration: 0s\ntopology: { nodes: {} }\n", 2, 11, "duration must be longer than 0ms")]
    [InlineData("name: 'bad name'\nduration: 1s\ntopology: { nodes: {} }\n", 1, 7, "is not a valid name")]
    public void Small_broken_files_are_refused_with_a_position(string text, int line, int column, string message)
    {
        ScenarioReadResult result = ScenarioReader.Parse(text, "small.yaml");

        ScenarioError? match = result.Errors.FirstOrDefault(e => e.Message.Contains(message, StringComparison.Ordinal));
        Assert.True(match is not null, $"expected '{message}' among:\n{string.Join("\n", result.Errors)}");
        Assert.Equal((line, column), (match.Line, match.Column));
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        ScenarioReadResult result = ScenarioReader.Parse(new string('[', 200_000), "deep.yaml");

        Assert.Contains(result.Errors, e => e.Message.Contains("nesting deeper than", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_utf8_and_nul_bytes_are_refused()
    {
        Assert.Contains("not valid UTF-8", ScenarioReader.Parse([0xff, 0xfe, 0x41], "bin.yaml").Errors.Single().Message, StringComparison.Ordinal);
        Assert.Contains("NUL", ScenarioReader.Parse("name: a\0"u8, "nul.yaml").Errors.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_located_error()
    {
        ScenarioReadResult result = ScenarioReader.ReadFile("/nonexistent/scenario.yaml");

        Assert.Equal("/nonexistent/scenario.yaml:1:1: no such file", result.Errors.Single().ToString());
    }

    [Fact]
    public void All_errors_of_a_file_are_reported_in_file_order()
    {
        string text = Broken("duration: 30s", "duration: 30").Replace("rate: 100", "rate: -1", StringComparison.Ordinal);
        ScenarioReadResult result = ScenarioReader.Parse(text, "two.yaml");

        Assert.Equal(2, result.Errors.Count);
        Assert.True(result.Errors[0].Line < result.Errors[1].Line);
    }
}
