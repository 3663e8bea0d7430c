// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Bonding;

public sealed partial class Bond
{
    /// <summary>
    /// Applies new settings (OVS <c>bond_reconfigure</c>): delays, primary, mode, basis, rebalance interval and
    /// fallback take effect on the next <see cref="Run"/>; pending delays keep their expiry times.
    /// </summary>
    public void Reconfigure(BondSettings settings, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(settings);
        EnsureRebalanceClock(nowMs);
        BondSettings old = Settings;
        if (old == settings)
        {
            return;
        }
        bool revalidate = old.LacpFallbackAb != settings.LacpFallbackAb
            || old.RebalanceIntervalMs != settings.RebalanceIntervalMs
            || old.Mode != settings.Mode
            || old.HashBasis != settings.HashBasis
            || !string.Equals(old.Primary, settings.Primary, StringComparison.Ordinal)
            || old.LbOutputAction != settings.LbOutputAction;
        Settings = settings;
        foreach (BondMember member in _members)
        {
            member.IsPrimary = string.Equals(settings.Primary, member.Name, StringComparison.Ordinal);
        }
        UpdateRecirculationId();
        if (settings.Mode == BondMode.ActiveBackup || !_bucketsAllocated || revalidate || _revalidate)
        {
            ResetBuckets(nowMs);
        }
        if (revalidate)
        {
            _revalidate = true;
        }
        if (old.Failback != settings.Failback || old.FailbackDelayMs != settings.FailbackDelayMs || revalidate)
        {
            ClearHeldFailback();
        }
        Emit(nowMs, null, BondEventKind.Reconfigured, $"bond {Name}: reconfigured", DescribeChanges(old, settings));
        // Turning LACP on or off creates or destroys OVS's LACP object, whose status the bond then follows; until the
        // LACP engine reports, a new LACP object counts as configured but not negotiated.
        if (settings.Lacp == LacpMode.Off)
        {
            SetLacpStatus(LacpStatus.Off, nowMs);
        }
        else if (_lacpStatus == LacpStatus.Off)
        {
            SetLacpStatus(LacpStatus.Configured, nowMs);
        }
    }

    /// <summary>
    /// Records the bond's LACP status (OVS passes it to <c>bond_run</c>). A change revalidates flows and, when it
    /// starts or ends the active-backup fallback, resets the hash buckets.
    /// </summary>
    public void SetLacpStatus(LacpStatus status, long nowMs)
    {
        EnsureRebalanceClock(nowMs);
        if (status == _lacpStatus)
        {
            return;
        }
        LacpStatus old = _lacpStatus;
        _lacpStatus = status;
        _revalidate = true;
        if (IsFallingBackToActiveBackup || !_bucketsAllocated)
        {
            ResetBuckets(nowMs);
        }
        Emit(nowMs, null, BondEventKind.LacpStatusChanged, $"bond {Name}: lacp_status is now {status.ToOvsString()}",
            $"LACP reported {status.ToOvsString()} (was {old.ToOvsString()})");
    }

    private void UpdateRecirculationId()
    {
        // OVS holds a recirculation id for every non-active-backup bond (SLB included) and frees it in active-backup.
        if (Settings.Mode != BondMode.ActiveBackup)
        {
            if (_recirculationId == 0)
            {
                _recirculationId = _recirculationIds.Allocate();
            }
        }
        else if (_recirculationId != 0)
        {
            _recirculationIds.Free(_recirculationId);
            _recirculationId = 0;
        }
    }

    private void ResetBuckets(long? nowMs)
    {
        _bucketsAllocated = Settings.Mode != BondMode.ActiveBackup && !IsFallingBackToActiveBackup;
        ClearBuckets();
        if (_bucketsAllocated)
        {
            // A null time means "not known yet"; the first call that brings the time starts the rebalance clock.
            _nextRebalanceMs = nowMs + Settings.RebalanceIntervalMs;
        }
    }

    private void EnsureRebalanceClock(long nowMs)
    {
        if (_bucketsAllocated && _nextRebalanceMs is null)
        {
            _nextRebalanceMs = nowMs + Settings.RebalanceIntervalMs;
        }
    }

    private static string DescribeChanges(BondSettings old, BondSettings now)
    {
        var changes = new List<string>();
        if (old.Mode != now.Mode)
        {
            changes.Add($"bond_mode {old.Mode.ToOvsString()} -> {now.Mode.ToOvsString()}");
        }
        if (old.UpDelayMs != now.UpDelayMs)
        {
            changes.Add($"updelay {old.UpDelayMs} -> {now.UpDelayMs} ms");
        }
        if (old.DownDelayMs != now.DownDelayMs)
        {
            changes.Add($"downdelay {old.DownDelayMs} -> {now.DownDelayMs} ms");
        }
        if (!string.Equals(old.Primary, now.Primary, StringComparison.Ordinal))
        {
            changes.Add($"bond-primary {old.Primary ?? "<none>"} -> {now.Primary ?? "<none>"}");
        }
        if (old.Failback != now.Failback)
        {
            changes.Add($"bond-failback {old.Failback?.ToOvsdbString() ?? "<default>"} -> {now.Failback?.ToOvsdbString() ?? "<default>"}");
        }
        if (old.FailbackDelayMs != now.FailbackDelayMs)
        {
            changes.Add($"bond-failback-delay {old.FailbackDelayMs} -> {now.FailbackDelayMs} ms");
        }
        if (old.Lacp != now.Lacp)
        {
            changes.Add($"lacp {old.Lacp.ToString().ToLowerInvariant()} -> {now.Lacp.ToString().ToLowerInvariant()}");
        }
        if (old.LacpFallbackAb != now.LacpFallbackAb)
        {
            changes.Add($"lacp-fallback-ab {Lower(old.LacpFallbackAb)} -> {Lower(now.LacpFallbackAb)}");
        }
        if (old.HashBasis != now.HashBasis)
        {
            changes.Add($"bond-hash-basis {old.HashBasis} -> {now.HashBasis}");
        }
        if (old.RebalanceIntervalMs != now.RebalanceIntervalMs)
        {
            changes.Add($"bond-rebalance-interval {old.RebalanceIntervalMs} -> {now.RebalanceIntervalMs} ms");
        }
        return changes.Count == 0 ? "configuration changed" : string.Join(", ", changes);
    }
}
