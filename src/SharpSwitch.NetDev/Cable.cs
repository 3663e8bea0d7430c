// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.NetDev;

/// <summary>
/// A virtual cable between two <see cref="DummyNetDev"/>s: what one end sends, the other receives. Carrier follows
/// the cable as on real hardware: both ends have carrier only while the cable is plugged in and both ends are
/// administratively up, so taking one end down takes the link down for the other end too.
/// </summary>
public sealed class Cable
{
    private Cable(DummyNetDev endA, DummyNetDev endB, bool removable)
    {
        EndA = endA;
        EndB = endB;
        Removable = removable;
    }

    /// <summary>One end.</summary>
    public DummyNetDev EndA { get; }

    /// <summary>The other end.</summary>
    public DummyNetDev EndB { get; }

    /// <summary>Whether the cable is plugged in (frames and carrier pass).</summary>
    public bool Plugged { get; private set; } = true;

    /// <summary>False for the built-in link of an internal port, which cannot be unplugged or cut.</summary>
    public bool Removable { get; }

    /// <summary>
    /// What sits on the wire (impairments), or null for a perfect cable that delivers each frame at once. Carrier is
    /// not affected: a stage decides only what happens to frames while the cable is plugged in.
    /// </summary>
    public ICableStage? Stage { get; set; }

    /// <summary>Whether the cable still joins its two devices (false after <see cref="Disconnect"/>).</summary>
    public bool Connected { get; private set; } = true;

    /// <summary>Joins two devices that have no cable yet; both start plugged in.</summary>
    public static Cable Connect(DummyNetDev endA, DummyNetDev endB)
    {
        return Connect(endA, endB, removable: true);
    }

    internal static Cable Connect(DummyNetDev endA, DummyNetDev endB, bool removable)
    {
        ArgumentNullException.ThrowIfNull(endA);
        ArgumentNullException.ThrowIfNull(endB);
        if (ReferenceEquals(endA, endB))
        {
            throw new ArgumentException("a cable needs two different devices");
        }
        if (endA.Cable is not null || endB.Cable is not null)
        {
            throw new InvalidOperationException($"'{(endA.Cable is not null ? endA.Name : endB.Name)}' already has a cable");
        }
        var cable = new Cable(endA, endB, removable);
        endA.AttachCable(cable);
        endB.AttachCable(cable);
        return cable;
    }

    /// <summary>The end opposite <paramref name="end"/>.</summary>
    public DummyNetDev PeerOf(DummyNetDev end)
    {
        return ReferenceEquals(end, EndA) ? EndB : EndA;
    }

    /// <summary>Pulls the cable out: both ends lose carrier and frames in flight are lost.</summary>
    public void Unplug()
    {
        SetPlugged(false);
    }

    /// <summary>Plugs the cable back in.</summary>
    public void Plug()
    {
        SetPlugged(true);
    }

    /// <summary>Removes the cable for good; each device is then a lone dummy (carrier follows its own admin state).</summary>
    public void Disconnect()
    {
        EnsureRemovable();
        if (!Connected)
        {
            return;
        }
        Connected = false;
        Plugged = false;
        EndA.DetachCable();
        EndB.DetachCable();
    }

    private void SetPlugged(bool plugged)
    {
        EnsureRemovable();
        if (!Connected)
        {
            throw new InvalidOperationException("the cable was disconnected");
        }
        if (Plugged == plugged)
        {
            return;
        }
        Plugged = plugged;
        EndA.RefreshCarrier();
        EndB.RefreshCarrier();
    }

    private void EnsureRemovable()
    {
        if (!Removable)
        {
            throw new InvalidOperationException("the link of an internal port cannot be unplugged");
        }
    }
}
