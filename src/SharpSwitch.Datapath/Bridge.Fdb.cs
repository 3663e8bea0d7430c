// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath;

/// <summary>One row of the MAC learning table.</summary>
/// <param name="Port">Where the MAC was learned (a bond, never a bond member).</param>
/// <param name="Vlan">The VLAN it was learned in.</param>
/// <param name="Mac">The Ethernet address.</param>
/// <param name="AgeSeconds">Seconds since it was last refreshed, as OVS counts them (0 for a static entry).</param>
/// <param name="IsStatic">True for an entry added with fdb/add, which never ages.</param>
public readonly record struct FdbEntry(BridgePort Port, int Vlan, MacAddress Mac, long AgeSeconds, bool IsStatic = false);

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
            bool isStatic = _macs.IsStatic(e);
            entries.Add(new FdbEntry(_macs.PortOf(e), _macs.VlanOf(e), _macs.MacOf(e), isStatic ? 0 : _macs.AgeSeconds(e, nowSeconds), isStatic));
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
            text.Append(PortText(entry.Port).PadLeft(5))
                .Append("  ")
                .Append(entry.Vlan.ToString(CultureInfo.InvariantCulture).PadLeft(4))
                .Append("  ")
                .Append(entry.Mac.ToString())
                .Append("  ")
                .Append(entry.IsStatic ? "static" : entry.AgeSeconds.ToString(CultureInfo.InvariantCulture).PadLeft(3))
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
        text.Append(CultureInfo.InvariantCulture, $"  Current static MAC entries in the table : {_macs.StaticCount}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Total number of learned MAC entries     : {_macs.TotalLearned}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Total number of expired MAC entries     : {_macs.TotalExpired}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Total number of evicted MAC entries     : {_macs.TotalEvicted}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Total number of port moved MAC entries  : {_macs.TotalMoved}\n");
        return text.ToString();
    }

    /// <summary>
    /// <c>ovs-appctl fdb/add BRIDGE PORT VLAN MAC</c>: adds a static entry on the port of interface
    /// <paramref name="interfaceName"/>. The VLAN argument is read as C's atoi reads it. On success
    /// <paramref name="reply"/> is OVS's reply (empty, or a note about the entry it overrode); otherwise it is
    /// OVS's error text.
    /// </summary>
    public bool FdbAdd(string interfaceName, string vlanArgument, string macArgument, out string reply)
    {
        ArgumentNullException.ThrowIfNull(interfaceName);
        int vlan = AtoiUInt16(vlanArgument);
        if (!MacAddress.TryParse(macArgument, out MacAddress mac))
        {
            reply = "bad MAC address";
            return false;
        }
        if (!TryGetInterface(interfaceName, out PortInterface portInterface))
        {
            reply = "software error, odp port is present but no ofp port";
            return false;
        }
        BridgePort port = portInterface.Port;
        (BridgePort? previous, bool wasStatic) = _macs.AddStatic(mac, vlan, port);
        reply = previous is not null && (previous.Name != interfaceName || !wasStatic)
            ? $"Overriding already existing {(wasStatic ? "static" : "dynamic")} entry on {PortText(previous)}\n"
            : "";
        return true;
    }

    /// <summary>
    /// <c>ovs-appctl fdb/del BRIDGE VLAN MAC</c>: removes a static entry. On failure <paramref name="reply"/> is
    /// OVS's error text; on success it is empty.
    /// </summary>
    public bool FdbDel(string vlanArgument, string macArgument, out string reply)
    {
        int vlan = AtoiUInt16(vlanArgument);
        if (!MacAddress.TryParse(macArgument, out MacAddress mac))
        {
            reply = "bad MAC address";
            return false;
        }
        if (!_macs.DeleteStatic(mac, vlan))
        {
            reply = "could not find static mac entry\n";
            return false;
        }
        reply = "";
        return true;
    }

    /// <summary>Forgets every learned MAC (<c>fdb/flush</c>, whose reply is "table successfully flushed"); static entries stay.</summary>
    public void FlushFdb()
    {
        _macs.Flush();
    }

    /// <summary>Resets the fdb/stats-show totals (<c>fdb/stats-clear</c>, reply "statistics successfully cleared").</summary>
    public void ClearFdbStatistics()
    {
        _macs.ClearStatistics();
    }

    /// <summary>How fdb/show names a port: the OpenFlow number of its first interface, or LOCAL.</summary>
    private static string PortText(BridgePort port)
    {
        IReadOnlyList<PortInterface> interfaces = port.Interfaces;
        int ofPort = interfaces.Count > 0 ? interfaces[0].OfPort : 0;
        return ofPort == OfPortAllocator.LocalPort ? "LOCAL" : ofPort.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>C's atoi narrowed to uint16_t, as OVS reads the VLAN argument: leading digits, else 0, wrapping.</summary>
    private static int AtoiUInt16(string? text)
    {
        ReadOnlySpan<char> span = (text ?? "").AsSpan().TrimStart(" \t\n\v\f\r");
        bool negative = false;
        if (span.Length > 0 && (span[0] == '-' || span[0] == '+'))
        {
            negative = span[0] == '-';
            span = span[1..];
        }
        long value = 0;
        for (int i = 0; i < span.Length && char.IsAsciiDigit(span[i]) && value < int.MaxValue; i++)
        {
            value = (value * 10) + (span[i] - '0');
        }
        return (ushort)(negative ? -value : value);
    }

    private static long FloorSeconds(long nowMs)
    {
        return Math.DivRem(nowMs, 1000, out long remainder) - (remainder < 0 ? 1 : 0);
    }
}
