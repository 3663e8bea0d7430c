// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath;

/// <summary>One row of the MAC learning table.</summary>
/// <param name="Port">Where the MAC was learned (a bond, never a bond member).</param>
/// <param name="Vlan">The VLAN it was learned in.</param>
/// <param name="Mac">The Ethernet address.</param>
/// <param name="AgeSeconds">Seconds since it was last refreshed, as OVS counts them.</param>
public readonly record struct FdbEntry(BridgePort Port, int Vlan, MacAddress Mac, long AgeSeconds);

/// <summary>The <c>fdb/*</c> views of the bridge, with OVS 3.1's text.</summary>
public sealed partial class Bridge
{
    /// <summary>The learned MACs, least recently used first (the order of <c>fdb/show</c>).</summary>
    public IReadOnlyList<FdbEntry> GetFdbEntries(long nowMs)
    {
        long nowSeconds = FloorSeconds(nowMs);
        var entries = new List<FdbEntry>(_macs.Count);
        for (int e = _macs.FirstInLru; e >= 0; e = _macs.NextInLru(e))
        {
            entries.Add(new FdbEntry(_macs.PortOf(e), _macs.VlanOf(e), _macs.MacOf(e), _macs.AgeSeconds(e, nowSeconds)));
        }
        return entries;
    }

    /// <summary>
    /// The reply of <c>ovs-appctl fdb/show BRIDGE</c>: a header, then one line per entry, oldest first, with the
    /// OpenFlow port number of the port (for a bond, of its first interface; LOCAL for the bridge's own port).
    /// </summary>
    public string FormatFdbShow(long nowMs)
    {
        var text = new StringBuilder(" port  VLAN  MAC                Age\n");
        foreach (FdbEntry entry in GetFdbEntries(nowMs))
        {
            IReadOnlyList<PortInterface> interfaces = entry.Port.Interfaces;
            int ofPort = interfaces.Count > 0 ? interfaces[0].OfPort : 0;
            string portText = ofPort == OfPortAllocator.LocalPort ? "LOCAL" : ofPort.ToString(CultureInfo.InvariantCulture);
            text.Append(portText.PadLeft(5))
                .Append("  ")
                .Append(entry.Vlan.ToString(CultureInfo.InvariantCulture).PadLeft(4))
                .Append("  ")
                .Append(entry.Mac.ToString())
                .Append("  ")
                .Append(entry.AgeSeconds.ToString(CultureInfo.InvariantCulture).PadLeft(3))
                .Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The reply of <c>ovs-appctl fdb/stats-show BRIDGE</c>.</summary>
    public string FormatFdbStatsShow()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Statistics for bridge \"{Name}\":\n");
        text.Append(CultureInfo.InvariantCulture, $"  Current/maximum MAC entries in the table: {_macs.Count}/{_macs.MaxEntries}\n");
        text.Append("  Current static MAC entries in the table : 0\n");
        text.Append(CultureInfo.InvariantCulture, $"  Total number of learned MAC entries     : {_macs.TotalLearned}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Total number of expired MAC entries     : {_macs.TotalExpired}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Total number of evicted MAC entries     : {_macs.TotalEvicted}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Total number of port moved MAC entries  : {_macs.TotalMoved}\n");
        return text.ToString();
    }

    /// <summary>Forgets every learned MAC (<c>fdb/flush</c>, whose reply is "table successfully flushed").</summary>
    public void FlushFdb()
    {
        _macs.Flush();
    }

    /// <summary>Resets the fdb/stats-show totals (<c>fdb/stats-clear</c>, reply "statistics successfully cleared").</summary>
    public void ClearFdbStatistics()
    {
        _macs.ClearStatistics();
    }

    private static long FloorSeconds(long nowMs)
    {
        return Math.DivRem(nowMs, 1000, out long remainder) - (remainder < 0 ? 1 : 0);
    }
}
