// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.NetDev;

namespace SharpSwitch.Lab.Impairments;

/// <summary>
/// The impairments of one cable: it sits between the cable's two ends (<see cref="Cable.Stage"/>) and passes each
/// frame through the <see cref="ImpairedDirection"/> of its sender. It is sans-I/O in time: it never reads a clock,
/// the lab tells it the time with <see cref="AdvanceTo"/>, and it tells the lab when it next needs to run
/// (<see cref="NextDueMs"/>).
/// </summary>
internal sealed class ImpairmentStage : ICableStage
{
    private readonly Cable _cable;
    private long _nowMs;

    public ImpairmentStage(Cable cable, string labelA, string labelB, string scenarioName)
    {
        _cable = cable;
        string aToB = $"{labelA} -> {labelB}";
        string bToA = $"{labelB} -> {labelA}";
        FromA = new ImpairedDirection(aToB, cable.EndB, SplitMix64.HashName(scenarioName + "|" + aToB));
        FromB = new ImpairedDirection(bToA, cable.EndA, SplitMix64.HashName(scenarioName + "|" + bToA));
        cable.Stage = this;
    }

    /// <summary>Frames sent by the cable's first end.</summary>
    public ImpairedDirection FromA { get; }

    /// <summary>Frames sent by the cable's second end.</summary>
    public ImpairedDirection FromB { get; }

    /// <summary>The cable it sits on.</summary>
    public Cable Cable => _cable;

    /// <summary>The first lab millisecond at which a held frame is due, or <see cref="long.MaxValue"/>.</summary>
    public long NextDueMs => Math.Min(FromA.NextDueMs, FromB.NextDueMs);

    /// <summary>The direction whose frames <paramref name="sender"/> sends.</summary>
    public ImpairedDirection DirectionFrom(DummyNetDev sender) => ReferenceEquals(sender, _cable.EndA) ? FromA : FromB;

    /// <inheritdoc/>
    public void Carry(DummyNetDev from, DummyNetDev to, ReadOnlySpan<byte> frame)
    {
        DirectionFrom(from).Accept(_nowMs, frame);
    }

    /// <summary>Moves the stage's clock to <paramref name="nowMs"/> and releases every frame due by then.</summary>
    public void AdvanceTo(long nowMs)
    {
        _nowMs = nowMs;
        FromA.ReleaseDue(nowMs, _cable.Plugged);
        FromB.ReleaseDue(nowMs, _cable.Plugged);
    }

    /// <summary>The cable was pulled: whatever was on the wire is gone.</summary>
    public void OnUnplugged()
    {
        FromA.DropInFlight();
        FromB.DropInFlight();
    }
}
