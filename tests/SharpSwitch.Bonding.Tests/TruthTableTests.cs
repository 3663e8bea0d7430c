// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding.Tests;

/// <summary>Every row and column of the §C.3 failback truth table (OVS 3.1, active-backup semantics).</summary>
public sealed class TruthTableTests
{
    public enum Row
    {
        NoPrimary,
        Primary,
        PrimaryWithFallbackNotNegotiated,
        PrimaryWithLacpNegotiated,
    }

    private static Bond Build(Row row, RecordingSink sink)
    {
        BondSettings settings = row switch
        {
            Row.NoPrimary => new BondSettings(),
            Row.Primary => new BondSettings { Primary = "p" },
            Row.PrimaryWithFallbackNotNegotiated => new BondSettings
            {
                Mode = BondMode.BalanceTcp,
                Lacp = LacpMode.Active,
                LacpFallbackAb = true,
                Primary = "p",
            },
            Row.PrimaryWithLacpNegotiated => new BondSettings { Lacp = LacpMode.Active, Primary = "p" },
            _ => throw new ArgumentOutOfRangeException(nameof(row)),
        };
        var bond = new Bond("bond0", settings, sink);
        // The backup is named "b" so that the name tie-break alone would pick it over "p": wherever "p" wins, the
        // primary rule decided.
        bond.AddMember("p", TestBonds.Mac(1), MemberSettings.Default, true, 0);
        bond.AddMember("b", TestBonds.Mac(2), MemberSettings.Default, true, 0);
        if (row == Row.PrimaryWithFallbackNotNegotiated)
        {
            bond.SetLacpStatus(LacpStatus.Configured, 0);
        }
        else if (row == Row.PrimaryWithLacpNegotiated)
        {
            bond.SetLacpStatus(LacpStatus.Negotiated, 0);
        }
        bond.Run(0);
        if (row == Row.NoPrimary)
        {
            // Start from the blog's state: the member that will fail is the active one.
            bond.SetActiveMember("p", 0);
            bond.Run(0);
        }
        return bond;
    }

    [Theory]
    [InlineData(Row.NoPrimary)]
    [InlineData(Row.Primary)]
    [InlineData(Row.PrimaryWithFallbackNotNegotiated)]
    [InlineData(Row.PrimaryWithLacpNegotiated)]
    public void Primary_fails_then_the_bond_fails_over(Row row)
    {
        Bond bond = Build(row, new RecordingSink());
        Assert.Equal("p", bond.ActiveName());
        bond.LinkDown("p", 100);
        Assert.Equal("b", bond.ActiveName());
        Assert.Equal(1, bond.SelectTxMember(default));
        Assert.Equal(1, bond.Counters.Failovers);
    }

    [Theory]
    [InlineData(Row.NoPrimary, "b")]
    [InlineData(Row.Primary, "p")]
    [InlineData(Row.PrimaryWithFallbackNotNegotiated, "b")]
    [InlineData(Row.PrimaryWithLacpNegotiated, "p")]
    public void Primary_recovers_then_failback_follows_the_table(Row row, string expectedActive)
    {
        Bond bond = Build(row, new RecordingSink());
        bond.LinkDown("p", 100);
        bond.LinkUp("p", 200);
        bond.RunEachMs(201, 400);
        Assert.True(bond.Member("p").Enabled);
        Assert.Equal(expectedActive, bond.ActiveName());
        Assert.Equal(expectedActive == "p" ? 1 : 0, bond.Counters.Failbacks);
    }

    [Theory]
    [InlineData(Row.NoPrimary)]
    [InlineData(Row.Primary)]
    [InlineData(Row.PrimaryWithFallbackNotNegotiated)]
    [InlineData(Row.PrimaryWithLacpNegotiated)]
    public void Backup_recovers_while_primary_is_active_then_nothing_changes(Row row)
    {
        var sink = new RecordingSink();
        Bond bond = Build(row, sink);
        bond.LinkDown("b", 100);
        bond.LinkUp("b", 200);
        bond.RunEachMs(201, 400);
        Assert.True(bond.Member("b").Enabled);
        Assert.Equal("p", bond.ActiveName());
        Assert.Equal(0, bond.Counters.Failovers);
    }

    [Fact]
    public void Fallback_row_prefers_the_primary_when_a_new_active_member_must_be_chosen()
    {
        var bond = new Bond("bond0", new BondSettings
        {
            Mode = BondMode.BalanceTcp,
            Lacp = LacpMode.Active,
            LacpFallbackAb = true,
            Primary = "p",
        });
        bond.AddMember("a", TestBonds.Mac(1), MemberSettings.Default, true, 0);
        bond.AddMember("b", TestBonds.Mac(2), MemberSettings.Default, true, 0);
        bond.AddMember("p", TestBonds.Mac(3), MemberSettings.Default, false, 0);
        bond.SetLacpStatus(LacpStatus.Configured, 0);
        bond.Run(0);
        Assert.Equal("a", bond.ActiveName());
        bond.LinkUp("p", 10);
        bond.RunEachMs(11, 50);
        Assert.Equal("a", bond.ActiveName());
        bond.LinkDown("a", 60);
        // Name order would give "b"; the primary is preferred at selection time.
        Assert.Equal("p", bond.ActiveName());
    }
}
