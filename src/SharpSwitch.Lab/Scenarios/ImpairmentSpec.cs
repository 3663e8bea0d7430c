// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using SharpSwitch.Lab.Scenarios.Yaml;

namespace SharpSwitch.Lab.Scenarios;

/// <summary>
/// What an impaired cable does to the frames of one direction, in netem's vocabulary. Percentages are kept as the
/// decimals the file wrote, so that the report repeats them exactly; zero means the impairment is off.
/// </summary>
/// <param name="LossPercent">Chance that a frame vanishes on the wire.</param>
/// <param name="LossCorrelationPercent">Chance that a frame simply shares the previous frame's fate (bursts of loss).</param>
/// <param name="DelayMs">Fixed one-way delay.</param>
/// <param name="JitterMs">Each frame's delay is drawn uniformly from delay ± jitter, so frames can overtake each other.</param>
/// <param name="CorruptPercent">Chance that one bit of a frame is flipped (the receiver's FCS check then discards it).</param>
/// <param name="DuplicatePercent">Chance that a frame arrives twice.</param>
/// <param name="RateBitsPerSecond">The wire's speed; 0 for no limit.</param>
/// <param name="LimitFrames">How many frames the direction may hold at once (queued for the rate or delayed) before it tail-drops.</param>
/// <param name="Seed">The random seed, or null to derive one from the scenario name and the cable.</param>
internal sealed record ImpairmentSpec(
    decimal LossPercent,
    decimal LossCorrelationPercent,
    long DelayMs,
    long JitterMs,
    decimal CorruptPercent,
    decimal DuplicatePercent,
    long RateBitsPerSecond,
    int LimitFrames,
    long? Seed)
{
    /// <summary>netem's default queue limit, in frames.</summary>
    public const int DefaultLimitFrames = 1000;

    /// <summary>
    /// True when some random decision is involved, so that the seed matters. A loss of 100 % without correlation is
    /// certain, not random: every frame is lost whatever the draws (with correlation the first frame may still pass,
    /// since it shares the fate of a "previous" frame that was not lost).
    /// </summary>
    public bool IsRandom => (LossPercent > 0 && !(LossPercent >= 100 && LossCorrelationPercent == 0))
        || CorruptPercent > 0 || DuplicatePercent > 0 || JitterMs > 0;

    /// <summary>The settings in netem's order and words, e.g. <c>loss 5% 25%, delay 20ms jitter 5ms, rate 10mbit</c>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (LossPercent > 0)
        {
            parts.Add(LossCorrelationPercent > 0 ? $"loss {Percent(LossPercent)} {Percent(LossCorrelationPercent)}" : $"loss {Percent(LossPercent)}");
        }
        if (DelayMs > 0 || JitterMs > 0)
        {
            parts.Add(JitterMs > 0 ? Invariant($"delay {DelayMs}ms jitter {JitterMs}ms") : Invariant($"delay {DelayMs}ms"));
        }
        if (CorruptPercent > 0)
        {
            parts.Add($"corrupt {Percent(CorruptPercent)}");
        }
        if (DuplicatePercent > 0)
        {
            parts.Add($"duplicate {Percent(DuplicatePercent)}");
        }
        if (RateBitsPerSecond > 0)
        {
            parts.Add($"rate {ScenarioValues.FormatRate(RateBitsPerSecond)}");
        }
        if (LimitFrames != DefaultLimitFrames)
        {
            parts.Add(Invariant($"limit {LimitFrames}"));
        }
        if (Seed is long seed)
        {
            parts.Add(Invariant($"seed {seed}"));
        }
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    private static string Percent(decimal value) => value.ToString("0.#########", CultureInfo.InvariantCulture) + "%";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// An impairment on a cable for the whole run, from <c>links: - impair:</c>; <see cref="From"/> names the end whose
/// sent frames it affects, or is null for both directions.
/// </summary>
internal sealed record LinkImpairmentSpec(Endpoint? From, ImpairmentSpec Impairment, SourcePosition Position);
