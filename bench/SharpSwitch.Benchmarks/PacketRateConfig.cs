// SharpSwitch: an Open vSwitch-compatible virtual switch.
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace SharpSwitch.Benchmarks;

/// <summary>Adds the median and a packets-per-second column to benchmarks whose operations are single packets.</summary>
public sealed class PacketRateConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public PacketRateConfig()
    {
        AddColumn(StatisticColumn.Median);
        AddColumn(new MppsColumn());
    }

    /// <summary>Million packets per second on one core: 1000 divided by the median nanoseconds per packet.</summary>
    private sealed class MppsColumn : IColumn
    {
        public string Id => nameof(MppsColumn);

        public string ColumnName => "Mpps";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Million packets per second per core (1000 / median ns per packet)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            BenchmarkReport? report = summary[benchmarkCase];
            if (report?.ResultStatistics is null || report.ResultStatistics.Median <= 0)
            {
                return "-";
            }
            return (1000.0 / report.ResultStatistics.Median).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
