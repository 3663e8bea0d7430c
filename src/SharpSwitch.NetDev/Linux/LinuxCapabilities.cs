// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;

namespace SharpSwitch.NetDev.Linux;

/// <summary>
/// Whether this process may open real interfaces: AF_PACKET sockets need CAP_NET_RAW, TAP devices, promiscuous mode
/// and MTU changes need CAP_NET_ADMIN. Read from the effective set in <c>/proc/self/status</c>, so the switch can say
/// what is missing before the first refused system call.
/// </summary>
public readonly record struct LinuxCapabilities(bool NetAdmin, bool NetRaw)
{
    private const int CapNetAdmin = 12;
    private const int CapNetRaw = 13;

    /// <summary>True when both are held.</summary>
    public bool Sufficient => NetAdmin && NetRaw;

    /// <summary>The capabilities of the running process (none when /proc cannot be read, e.g. not on Linux).</summary>
    public static LinuxCapabilities Current()
    {
        try
        {
            return Parse(File.ReadAllText("/proc/self/status"));
        }
        catch (IOException)
        {
            return default;
        }
        catch (UnauthorizedAccessException)
        {
            return default;
        }
    }

    /// <summary>Reads the <c>CapEff:</c> line of a <c>/proc/PID/status</c> text; none when the line is absent or malformed.</summary>
    public static LinuxCapabilities Parse(string status)
    {
        foreach (string line in status.Split('\n'))
        {
            if (!line.StartsWith("CapEff:", StringComparison.Ordinal))
            {
                continue;
            }
            if (!ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong mask))
            {
                return default;
            }
            return new LinuxCapabilities((mask & (1UL << CapNetAdmin)) != 0, (mask & (1UL << CapNetRaw)) != 0);
        }
        return default;
    }

    /// <summary>The error an Interface row gets when a real interface cannot be opened for lack of rights, or null.</summary>
    public string? MissingFor(string name, string type)
    {
        bool needsRaw = type != "internal";
        if (NetAdmin && (NetRaw || !needsRaw))
        {
            return null;
        }
        string missing = !NetAdmin && needsRaw && !NetRaw ? "CAP_NET_RAW and CAP_NET_ADMIN" : !NetAdmin ? "CAP_NET_ADMIN" : "CAP_NET_RAW";
        return $"could not open network device {name} (Operation not permitted): the switch lacks {missing}; run it as root "
            + "or grant them (setcap cap_net_raw,cap_net_admin+ep), or use dummy interfaces (--enable-dummy=override)";
    }
}
