// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Datapath;

/// <summary>
/// A port's VLAN configuration resolved the way OVS resolves it (bridge.c and bundle_set): the effective mode,
/// the port VLAN, and the set of trunked VLANs (null meaning "all").
/// </summary>
internal sealed class VlanRules
{
    private const int VlanCount = 4096;

    /// <summary>One bit per VLAN ID; null when every VLAN is trunked.</summary>
    private readonly ulong[]? _trunks;

    private VlanRules(PortVlanMode mode, int vlan, ulong[]? trunks)
    {
        Mode = mode;
        Vlan = vlan;
        _trunks = trunks;
    }

    /// <summary>The effective VLAN mode.</summary>
    public PortVlanMode Mode { get; }

    /// <summary>The access or native VLAN (0 when <c>tag</c> is unset), or -1 for a trunk.</summary>
    public int Vlan { get; }

    /// <summary>Resolves the OVSDB columns <c>tag</c>, <c>trunks</c> and <c>vlan_mode</c>; <paramref name="warnings"/> gets OVS's complaints.</summary>
    public static VlanRules Resolve(int? tag, IReadOnlyList<int> trunks, PortVlanMode? configuredMode, string portName, ICollection<string>? warnings)
    {
        int configuredVlan = tag is >= 0 and <= 4095 ? tag.Value : -1;
        PortVlanMode mode;
        if (configuredMode is PortVlanMode explicitMode)
        {
            mode = explicitMode;
        }
        else if (configuredVlan >= 0)
        {
            mode = PortVlanMode.Access;
            if (trunks.Count > 0)
            {
                warnings?.Add($"port {portName}: ignoring trunks in favor of implicit vlan");
            }
        }
        else
        {
            mode = PortVlanMode.Trunk;
        }

        // A trunk has no VLAN of its own; the other modes default to VLAN 0 when tag is unset.
        int vlan = mode == PortVlanMode.Trunk ? -1 : Math.Max(configuredVlan, 0);
        ulong[]? bitmap = null;
        switch (mode)
        {
            case PortVlanMode.Access:
                break;
            case PortVlanMode.Trunk:
                bitmap = ToBitmap(trunks);
                break;
            case PortVlanMode.NativeTagged:
            case PortVlanMode.NativeUntagged:
                bitmap = ToBitmap(trunks);
                if (vlan != 0 && (bitmap is null || !IsSet(bitmap, vlan) || IsSet(bitmap, 0)))
                {
                    // As OVS does: the native VLAN is always trunked, and VLAN 0 never is.
                    bitmap ??= AllVlans();
                    bitmap[vlan >> 6] |= 1UL << (vlan & 63);
                    bitmap[0] &= ~1UL;
                }
                break;
        }
        return new VlanRules(mode, vlan, bitmap);
    }

    /// <summary>True when the port carries <paramref name="vlan"/> tagged (OVS's xbundle_trunks_vlan).</summary>
    public bool TrunksVlan(int vlan)
    {
        return Mode != PortVlanMode.Access && (_trunks is null || IsSet(_trunks, vlan));
    }

    /// <summary>True when frames of <paramref name="vlan"/> may leave through this port (OVS's xbundle_includes_vlan).</summary>
    public bool IncludesVlan(int vlan)
    {
        return Mode == PortVlanMode.Access ? vlan == Vlan : TrunksVlan(vlan);
    }

    /// <summary>True when a frame whose outer VID is <paramref name="vid"/> (0 if untagged) may enter (OVS's input_vid_is_valid).</summary>
    public bool InputVidIsValid(int vid)
    {
        switch (Mode)
        {
            case PortVlanMode.Access:
                return vid == 0;
            case PortVlanMode.NativeTagged:
            case PortVlanMode.NativeUntagged:
                return vid == 0 || TrunksVlan(vid);
            default:
                return TrunksVlan(vid);
        }
    }

    /// <summary>The VLAN a valid input frame belongs to inside the bridge.</summary>
    public int InputVlan(int vid)
    {
        return Mode switch
        {
            PortVlanMode.Access => Vlan,
            PortVlanMode.Trunk => vid,
            _ => vid == 0 ? Vlan : vid,
        };
    }

    /// <summary>The VID a frame of <paramref name="vlan"/> carries when it leaves this port; -1 means untagged.</summary>
    public int OutputVid(int vlan)
    {
        return Mode switch
        {
            PortVlanMode.Access => -1,
            PortVlanMode.NativeUntagged when vlan == Vlan => -1,
            _ => vlan,
        };
    }

    /// <summary>True when both rules would treat every frame alike (so reconfiguring need not flush learned MACs).</summary>
    public bool SameAs(VlanRules other)
    {
        if (Mode != other.Mode || Vlan != other.Vlan)
        {
            return false;
        }
        if (_trunks is null || other._trunks is null)
        {
            return _trunks is null && other._trunks is null;
        }
        return _trunks.AsSpan().SequenceEqual(other._trunks);
    }

    private static ulong[]? ToBitmap(IReadOnlyList<int> vlans)
    {
        if (vlans.Count == 0)
        {
            return null;
        }
        var bitmap = new ulong[VlanCount / 64];
        for (int i = 0; i < vlans.Count; i++)
        {
            int vlan = vlans[i];
            if (vlan is >= 0 and < VlanCount)
            {
                bitmap[vlan >> 6] |= 1UL << (vlan & 63);
            }
        }
        return bitmap;
    }

    private static ulong[] AllVlans()
    {
        var bitmap = new ulong[VlanCount / 64];
        bitmap.AsSpan().Fill(ulong.MaxValue);
        return bitmap;
    }

    private static bool IsSet(ulong[] bitmap, int vlan) => (bitmap[vlan >> 6] & (1UL << (vlan & 63))) != 0;
}
