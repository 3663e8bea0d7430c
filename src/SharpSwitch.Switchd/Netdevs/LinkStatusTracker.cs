// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Switchd.Netdevs;

/// <summary>
/// Remembers the link facts of every device that the daemon writes into Interface rows (carrier, administrative
/// state, MTU and MAC), so the daemon writes status as soon as one of them changes (an rtnetlink notification, a
/// dummy's admin state) instead of waiting for the next statistics interval, as ovs-vswitchd does when a netdev's
/// change sequence moves.
/// </summary>
/// <remarks>
/// The daemon looks on every loop iteration, including under full traffic, so a look allocates nothing unless the
/// set of devices changed.
/// </remarks>
internal sealed class LinkStatusTracker
{
    private readonly Dictionary<string, Facts> _last = new(StringComparer.Ordinal);
    private long _pass;
    private int _seen;
    private bool _changed;

    /// <summary>Starts a look at every device; follow with <see cref="Observe"/> for each, then <see cref="End"/>.</summary>
    public void Begin()
    {
        _pass++;
        _seen = 0;
        _changed = false;
    }

    /// <summary>Records the current facts of one device.</summary>
    public void Observe(INetDev device)
    {
        if (!_last.TryGetValue(device.Name, out Facts? facts))
        {
            facts = new Facts();
            _last[device.Name] = facts;
            _changed = true;
        }
        else if (facts.Carrier != device.Carrier || facts.AdminUp != device.AdminUp || facts.Mtu != device.Mtu || facts.Mac != device.Mac)
        {
            _changed = true;
        }
        if (facts.Pass != _pass)
        {
            _seen++;
        }
        facts.Pass = _pass;
        facts.Carrier = device.Carrier;
        facts.AdminUp = device.AdminUp;
        facts.Mtu = device.Mtu;
        facts.Mac = device.Mac;
    }

    /// <summary>
    /// Ends the look: true when a device's facts differ from the previous look, or a device is new. Devices not
    /// observed in this look are forgotten, so a name reused later counts as new.
    /// </summary>
    public bool End()
    {
        if (_seen != _last.Count)
        {
            foreach (string name in _last.Where(entry => entry.Value.Pass != _pass).Select(entry => entry.Key).ToList())
            {
                _last.Remove(name);
            }
        }
        return _changed;
    }

    private sealed class Facts
    {
        public long Pass { get; set; }

        public bool Carrier { get; set; }

        public bool AdminUp { get; set; }

        public int Mtu { get; set; }

        public MacAddress Mac { get; set; }
    }
}
