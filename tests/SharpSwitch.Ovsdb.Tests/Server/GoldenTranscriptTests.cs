// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.RegularExpressions;
using SharpSwitch.Ovsdb.Tests.Schema;

namespace SharpSwitch.Ovsdb.Tests.Server;

/// <summary>
/// Replays transcripts captured from real OVS 3.1 (errors, misc methods, locks) against our engine: every request
/// must produce the same replies and notifications, in the same order per session, up to fresh UUIDs.
/// </summary>
public sealed class GoldenTranscriptTests
{
    [Theory]
    [InlineData("09-raw-errors.txt", false)]
    [InlineData("21-raw-misc.txt", true)]
    [InlineData("10-locks.txt", false)]
    public void Replaying_a_captured_transcript_gives_the_captured_replies(string file, bool fixtureHasExternalIds)
    {
        string[] lines = File.ReadAllLines(Path.Combine(VswitchSchemaTests.RepositoryRoot(), "tests", "SharpSwitch.Ovsdb.Tests", "Golden", file));
        var harness = new EngineHarness();
        harness.LoadCaptureFixture(fixtureHasExternalIds);
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in lines.Where(l => l.Contains(" >> ", StringComparison.Ordinal)))
        {
            foreach (Match match in EngineHarness.UuidPattern().Matches(line))
            {
                known.Add(match.Value);
            }
        }
        var expectedNames = new UuidNormalizer(known);
        var actualNames = new UuidNormalizer(known);
        int checkedReplies = 0;
        foreach (string line in lines)
        {
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }
            string session = line[..1];
            if (line.EndsWith(" close", StringComparison.Ordinal))
            {
                harness.Close(session);
                continue;
            }
            string json = line[5..];
            if (line[2..4] == ">>")
            {
                foreach (string name in new[] { "A", "B", "C" })
                {
                    Assert.True(harness.Inbox(name).Count == 0, $"before '{line}': unexpected message for {name}: {(harness.Inbox(name).Count > 0 ? harness.Inbox(name).Peek().ToString() : "")}");
                }
                harness.Send(session, json);
            }
            else
            {
                string expected = expectedNames.Normalize(EngineHarness.Canonical(json));
                string actual = actualNames.Normalize(EngineHarness.Canonical(harness.Next(session)));
                Assert.True(expected == actual, $"after the line '{line}'\nexpected: {expected}\nactual:   {actual}");
                checkedReplies++;
            }
        }
        Assert.True(checkedReplies > 10);
        foreach (string name in new[] { "A", "B", "C" })
        {
            Assert.Empty(harness.Inbox(name));
        }
    }
}
