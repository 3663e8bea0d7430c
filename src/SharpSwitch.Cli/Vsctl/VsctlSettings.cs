// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Cli.Vsctl;

/// <summary>How <c>list</c> and <c>find</c> lay out their rows (<c>--format</c>).</summary>
internal enum TableFormat
{
    List,
    Table,
    Csv,
    Json,
    Html,
}

/// <summary>How cell values are written (<c>--data</c>).</summary>
internal enum CellFormat
{
    String,
    Bare,
    Json,
}

/// <summary>The global options of one ovs-vsctl invocation.</summary>
internal sealed class VsctlSettings
{
    public string? Database { get; set; }

    public bool NoWait { get; set; }

    public bool DryRun { get; set; }

    /// <summary>
    /// Whether only the leader of a clustered database may be followed (<c>--leader-only</c>, the default, or
    /// <c>--no-leader-only</c>), as ovs-vsctl decides. Reads from a follower may lag behind the cluster, which is why
    /// leaving it is an explicit choice.
    /// </summary>
    public bool LeaderOnly { get; set; } = true;

    public int? TimeoutSeconds { get; set; }

    public TableFormat Format { get; set; } = TableFormat.List;

    public CellFormat? Data { get; set; }

    public bool NoHeadings { get; set; }

    public bool Pretty { get; set; }

    public string? Columns { get; set; }

    /// <summary>The cell format in effect: JSON tables default to JSON cells, everything else to strings.</summary>
    public CellFormat EffectiveData => Data ?? (Format == TableFormat.Json ? CellFormat.Json : CellFormat.String);
}
