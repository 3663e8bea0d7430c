// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;
using static SharpSwitch.Bonding.Tests.LacpTestSettings;

namespace SharpSwitch.Bonding.Tests;

/// <summary>
/// lacp/show and lacp/show-stats compared byte for byte with OVS 3.1 (tests/TestData/golden/lacp), each situation
/// rebuilt with SharpSwitch engines under virtual time and the captured MAC addresses.
/// </summary>
public sealed class LacpTextGoldenTests
{
    private static string Golden(string name)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "tests", "TestData", "golden", "lacp", name);
            if (File.Exists(path))
            {
                return File.ReadAllText(path);
            }
        }
        throw new FileNotFoundException($"golden/lacp/{name} not found above {AppContext.BaseDirectory}");
    }

    // Capture 14: bondA (va1 = port 1, va2 = port 2) cabled to the other bridge's bond, whose port 2 faces va1.
    private static (LacpWire Wire, Lacp A) Capture14()
    {
        var wire = new LacpWire();
        Lacp a = wire.Add(Make("bondA", SysA, fast: true), ("va1", 1), ("va2", 2));
        Lacp b = wire.Add(Make("bondB", SysB, fast: true), ("vb1", 1), ("vb2", 2));
        wire.Cable(a, "va1", b, "vb2");
        wire.Cable(a, "va2", b, "vb1");
        return (wire, a);
    }

    [Fact]
    public void ShowMatchesOvsForANegotiatedFastBond()
    {
        (LacpWire wire, Lacp a) = Capture14();
        wire.RunUntil(20_000);
        Assert.Equal(Golden("show-bondA.txt"), LacpText.RenderShow(a));
    }

    [Fact]
    public void ShowStatsMatchesOvsWhenFortySixPdusWereExchanged()
    {
        (LacpWire wire, Lacp a) = Capture14();
        while (a.FindMember("va1")!.Counters.TxPdus < 46)
        {
            wire.RunUntil(wire.NowMs + 100);
        }
        Assert.Equal(Golden("show-stats-bondA.txt"), LacpText.RenderShowStats(a));
        Assert.Equal(Golden("show-stats-bondA.txt") + Golden("show-stats-bondA.txt"),
            LacpText.RenderShowStats([a, a]));
    }

    [Fact]
    public void ShowMatchesOvsAfterAFastPartnerStoppedLacp()
    {
        var wire = new LacpWire();
        MacAddress ours = MacAddress.Parse("92:c0:e0:f4:17:47");
        MacAddress theirs = MacAddress.Parse("86:9d:12:82:b2:4a");
        Lacp a = wire.Add(Make("bsbond0", ours, fast: true), ("bs1", 1), ("bs2", 2));
        Lacp b = wire.Add(Make("bsbond1", theirs, fast: true), ("bs1p", 1), ("bs2p", 2));
        wire.Cable(a, "bs1", b, "bs2p");
        wire.Cable(a, "bs2", b, "bs1p");
        wire.RunUntil(30_000);
        Assert.True(a.Negotiated);
        wire.Mute(b, "bs1p");
        wire.Mute(b, "bs2p");
        wire.RunUntil(37_500);

        string show = LacpText.RenderShow(a);
        string firstBlock = show[..show.IndexOf("\nmember: bs2:", StringComparison.Ordinal)];
        Assert.Equal(Golden("show-defaulted-bs1.txt"), firstBlock);
    }

    [Fact]
    public void ASingleInterfacePortWithoutPartnerClaimsNegotiatedAsOvsDoes()
    {
        // §E.4 "bs4": individual (no aggregation bit), priority 65535, expired attached, may_enable false.
        var lacp = new Lacp(Make("bs4", MacAddress.Parse("92:c0:e0:f4:17:47")) with { SystemPriority = 65535 });
        lacp.AddOrUpdateMember("bs4", new LacpMemberSettings { PortId = 4 }, true, 0);
        lacp.Run(0, (LacpMember _, in LacpPdu _) => { });
        string show = LacpText.RenderShow(lacp);
        Assert.StartsWith("""
            ---- bs4 ----
              status: active negotiated
              sys_id: 92:c0:e0:f4:17:47
              sys_priority: 65535
              aggregation key: 4
              lacp_time: slow

            member: bs4: expired attached
              port_id: 4
              port_priority: 65535
              may_enable: false

            """.ReplaceLineEndings("\n"), show);
        Assert.Contains("  actor state: activity synchronized collecting distributing expired\n", show);
    }

    [Fact]
    public void StateWordsFollowOvsOrder()
    {
        Assert.Equal(" activity timeout aggregation synchronized collecting distributing defaulted expired", LacpText.StateWords((LacpState)0xff));
        Assert.Equal("", LacpText.StateWords(LacpState.None));
    }
}
