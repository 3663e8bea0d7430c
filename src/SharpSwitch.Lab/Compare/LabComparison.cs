// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Bonding;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.Lab.Simulation;

namespace SharpSwitch.Lab.Compare;

/// <summary>
/// One <c>--vary KEY=v1,v2,...</c>: a bond setting and the values to try. <see cref="Bond"/> is null when the setting
/// applies to every bond of the scenario.
/// </summary>
public sealed record VaryParameter(string Text, string? Bond, string Key, IReadOnlyList<string> Values);

/// <summary>One run of a comparison: the values it used and its headline figures.</summary>
/// <param name="Values">The value of each varied key, in --vary order.</param>
/// <param name="FailoverGapMs">Longest interruption of any flow around a failover (null when nothing failed over).</param>
/// <param name="FailbackGapMs">Longest interruption of any flow around a failback (null when nothing failed back).</param>
/// <param name="Lost">Packets lost over the whole run, every flow.</param>
/// <param name="Switchovers">Changes of active member after the first choice.</param>
/// <param name="FinalActive">Each bond's active member at the end (<c>switch bond</c> to member, or null when none).</param>
public sealed record ComparisonRun(IReadOnlyList<string> Values, long? FailoverGapMs, long? FailbackGapMs, long Lost, int Switchovers, IReadOnlyList<KeyValuePair<string, string?>> FinalActive);

/// <summary>What <see cref="LabComparison.Run"/> produced: the parameters and one row per combination.</summary>
public sealed record ComparisonResult(Scenario Scenario, IReadOnlyList<VaryParameter> Parameters, IReadOnlyList<ComparisonRun> Runs);

/// <summary>
/// Runs a scenario once per combination of bond settings (the cartesian product of every <c>--vary</c>, the first
/// varying slowest) and collects the figures that answer "which policy should I use?". Each run has its own
/// topology and virtual clock, so runs may go in parallel and still give the same table.
/// </summary>
public static class LabComparison
{
    /// <summary>Port columns that may be varied, besides <c>other_config:KEY</c>.</summary>
    public static readonly IReadOnlyList<string> PortColumns = ["bond_mode", "lacp", "bond_updelay", "bond_downdelay"];

    /// <summary>The value that removes an <c>other_config</c> key, so "unset" (OVS's default) can be one of the choices.</summary>
    public const string UnsetValue = "unset";

    /// <summary>Most combinations one comparison may run.</summary>
    public const int MaximumRuns = 256;

    /// <summary>
    /// Parses <c>KEY=v1,v2,...</c> against the scenario's bonds. On error returns null with a message naming the
    /// argument and what is wrong with it.
    /// </summary>
    public static VaryParameter? Parse(string text, Scenario scenario, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(scenario);
        error = string.Empty;
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            error = $"--vary '{text}': expected KEY=VALUE1,VALUE2,... (e.g. other_config:bond-failback=never,always)";
            return null;
        }
        string key = text[..equals];
        string[] values = text[(equals + 1)..].Split(',');
        if (values.Any(v => v.Length == 0))
        {
            error = $"--vary '{text}': empty value in the list '{text[(equals + 1)..]}'";
            return null;
        }
        if (values.Distinct(StringComparer.Ordinal).Count() != values.Length)
        {
            error = $"--vary '{text}': a value is listed twice";
            return null;
        }
        List<BondSpec> bonds = AllBonds(scenario).Select(b => b.Bond).ToList();
        if (bonds.Count == 0)
        {
            error = $"--vary '{text}': the scenario {scenario.SourceName} has no bonds to vary";
            return null;
        }
        string? bondName = null;
        int dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            bondName = key[..dot];
            key = key[(dot + 1)..];
            if (bonds.All(b => b.Name != bondName))
            {
                error = $"--vary '{text}': no bond named '{bondName}' in {scenario.SourceName} (bonds: {string.Join(", ", bonds.Select(b => b.Name).Distinct())})";
                return null;
            }
        }
        bool isOtherConfig = key.StartsWith("other_config:", StringComparison.Ordinal);
        if (isOtherConfig && !BondKeys.PortOtherConfigKeys.Contains(key["other_config:".Length..]))
        {
            error = $"--vary '{text}': '{key}' is not a bond port key (known: {string.Join(", ", BondKeys.PortOtherConfigKeys.Select(k => "other_config:" + k))})";
            return null;
        }
        if (!isOtherConfig && !PortColumns.Contains(key))
        {
            error = $"--vary '{text}': unknown key '{key}' (known: {string.Join(", ", PortColumns)}, other_config:KEY, each optionally as BOND.KEY)";
            return null;
        }
        var parameter = new VaryParameter(text, bondName, key, values);
        foreach (string value in values)
        {
            if (CheckValue(parameter, value, scenario) is string problem)
            {
                error = $"--vary '{text}': bad value '{value}' for {key}: {problem}";
                return null;
            }
        }
        return parameter;
    }

    /// <summary>Runs every combination of <paramref name="parameters"/>, reporting each finished run through <paramref name="progress"/>.</summary>
    public static ComparisonResult Run(Scenario scenario, IReadOnlyList<VaryParameter> parameters, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(parameters);
        List<string[]> combinations = Combinations(parameters);
        var runs = new ComparisonRun[combinations.Count];
        int finished = 0;
        Parallel.For(0, combinations.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, i =>
        {
            Scenario variant = Apply(scenario, parameters, combinations[i]);
            LabResult result = LabRunner.Run(variant);
            runs[i] = Summarise(combinations[i], result);
            int done = Interlocked.Increment(ref finished);
            progress?.Invoke(done, combinations.Count);
        });
        return new ComparisonResult(scenario, parameters, runs);
    }

    /// <summary>How many runs <paramref name="parameters"/> ask for.</summary>
    public static long CountRuns(IReadOnlyList<VaryParameter> parameters)
    {
        long count = 1;
        foreach (VaryParameter parameter in parameters)
        {
            count *= parameter.Values.Count;
        }
        return count;
    }

    /// <summary>The scenario with one combination of values applied to its bonds.</summary>
    internal static Scenario Apply(Scenario scenario, IReadOnlyList<VaryParameter> parameters, IReadOnlyList<string> values)
    {
        var switches = new List<SwitchSpec>();
        foreach (SwitchSpec sw in scenario.Topology.Switches)
        {
            var bridges = new List<BridgeSpec>();
            foreach (BridgeSpec bridge in sw.Bridges)
            {
                var bonds = new List<BondSpec>();
                foreach (BondSpec bond in bridge.Bonds)
                {
                    BondSpec changed = bond;
                    for (int p = 0; p < parameters.Count; p++)
                    {
                        if (parameters[p].Bond is null || parameters[p].Bond == bond.Name)
                        {
                            changed = With(changed, parameters[p].Key, values[p]);
                        }
                    }
                    bonds.Add(changed);
                }
                bridges.Add(bridge with { Bonds = bonds });
            }
            switches.Add(sw with { Bridges = bridges });
        }
        ScenarioTopology topology = scenario.Topology with { Switches = switches };
        return scenario.WithTopology(topology);
    }

    private static BondSpec With(BondSpec bond, string key, string value)
    {
        switch (key)
        {
            case "bond_mode":
                return bond with { BondMode = value };
            case "lacp":
                return bond with { Lacp = value };
            case "bond_updelay":
                return bond with { UpdelayMs = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture) };
            case "bond_downdelay":
                return bond with { DowndelayMs = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture) };
            default:
                {
                    string configKey = key["other_config:".Length..];
                    var config = new Dictionary<string, string>(bond.OtherConfig, StringComparer.Ordinal);
                    if (value == UnsetValue)
                    {
                        config.Remove(configKey);
                    }
                    else
                    {
                        config[configKey] = value;
                    }
                    return bond with { OtherConfig = config };
                }
        }
    }

    /// <summary>Checks one value the way the scenario reader and the bonding layer would; null when it is fine.</summary>
    private static string? CheckValue(VaryParameter parameter, string value, Scenario scenario)
    {
        if (parameter.Key is "bond_updelay" or "bond_downdelay")
        {
            return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long ms) && ms <= int.MaxValue
                ? null
                : "expected a whole number of milliseconds from 0 to 2147483647";
        }
        if (value == UnsetValue && parameter.Key.StartsWith("other_config:", StringComparison.Ordinal))
        {
            return null;
        }
        foreach ((BondSpec bond, _) in AllBonds(scenario))
        {
            if (parameter.Bond is not null && parameter.Bond != bond.Name)
            {
                continue;
            }
            BondSpec changed = With(bond, parameter.Key, value);
            if (parameter.Key == "other_config:bond-primary" && changed.Interfaces.All(m => m.Name != value))
            {
                return $"bond '{bond.Name}' has no interface '{value}' ({string.Join(", ", bond.Interfaces.Select(m => m.Name))})";
            }
            var warnings = new List<string>();
            _ = BondSettings.FromOvsdb(changed.Name, changed.BondMode ?? "active-backup", changed.Lacp, changed.UpdelayMs, changed.DowndelayMs, changed.OtherConfig, warnings);
            var baseline = new List<string>();
            _ = BondSettings.FromOvsdb(bond.Name, bond.BondMode ?? "active-backup", bond.Lacp, bond.UpdelayMs, bond.DowndelayMs, bond.OtherConfig, baseline);
            // Only what the new value adds counts: the scenario itself was already accepted by the reader.
            List<string> added = warnings.Except(baseline, StringComparer.Ordinal).ToList();
            if (added.Count > 0)
            {
                return $"bond '{bond.Name}': {added[0]}";
            }
        }
        return null;
    }

    private static IEnumerable<(BondSpec Bond, string Switch)> AllBonds(Scenario scenario)
    {
        foreach (SwitchSpec sw in scenario.Topology.Switches)
        {
            foreach (BondSpec bond in sw.Bridges.SelectMany(b => b.Bonds))
            {
                yield return (bond, sw.Name);
            }
        }
    }

    private static List<string[]> Combinations(IReadOnlyList<VaryParameter> parameters)
    {
        var combinations = new List<string[]> { Array.Empty<string>() };
        foreach (VaryParameter parameter in parameters)
        {
            var next = new List<string[]>();
            foreach (string[] prefix in combinations)
            {
                foreach (string value in parameter.Values)
                {
                    next.Add([.. prefix, value]);
                }
            }
            combinations = next;
        }
        return combinations;
    }

    private static ComparisonRun Summarise(string[] values, LabResult result)
    {
        IReadOnlyList<Switchover> switchovers = result.Recording.Switchovers;
        long? failoverGap = switchovers.Where(s => !s.IsFailback).Select(s => s.InterruptionMs).Max();
        long? failbackGap = switchovers.Where(s => s.IsFailback).Select(s => s.InterruptionMs).Max();
        long lost = result.Phases.SelectMany(p => p.Legs).Sum(l => l.Stats.Lost);
        var final = result.Phases[^1].Bonds.Select(b => new KeyValuePair<string, string?>($"{b.Switch} {b.Bond}", b.ActiveMember)).ToList();
        return new ComparisonRun(values, failoverGap, failbackGap, lost, switchovers.Count, final);
    }
}
