// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

public sealed partial class Bond
{
    /// <summary>
    /// Below this many bytes of imbalance between the most and the least loaded member, OVS does not rebalance (about
    /// 1 Mbps over the default 10 s interval).
    /// </summary>
    private const ulong MinimumOverloadBytes = 100000;

    /// <summary>
    /// Counts <paramref name="bytes"/> sent through bucket <paramref name="bucket"/> (OVS <c>bond_account</c> for
    /// balance-slb, the post-recirculation rule counters for balance-tcp). Only a balanced bond counts, as in OVS.
    /// </summary>
    public void AccountTx(int bucket, int bytes)
    {
        if (!IsBalanced || !_bucketsAllocated || (uint)bucket >= BondHash.BucketCount || bytes <= 0)
        {
            return;
        }
        if (MayRecirculate)
        {
            // balance-tcp: OVS reads its post-recirculation rule counters only when it rebalances, so a bucket's load
            // (and bond/show's hash lines) changes only then; the bytes wait here until that moment.
            _bucketPendingTxBytes[bucket] += (ulong)bytes;
        }
        else
        {
            _bucketTxBytes[bucket] += (ulong)bytes;
        }
    }

    /// <summary>
    /// Rebalances when due (OVS <c>bond_rebalance</c>, §C.8): members' loads are the sums of their buckets; while the
    /// most loaded enabled member carries at least 100000 bytes and 1/32 more than the least loaded one, buckets move
    /// from the first to the second; then every bucket's load is halved. OVS runs this at its flow-statistics
    /// checkpoint; SharpSwitch counts bytes as they are sent, so the checkpoint is simply the due time.
    /// </summary>
    private void RebalanceIfDue(long nowMs)
    {
        if (!IsBalanced || !_bucketsAllocated || _nextRebalanceMs is not long due || nowMs < due)
        {
            return;
        }
        _nextRebalanceMs = nowMs + Settings.RebalanceIntervalMs;
        // The work lives in its own method: its sort comparison captures locals, and a closure's allocation would
        // otherwise happen on every call, even the ones that return early above.
        Rebalance(nowMs);
    }

    private void Rebalance(long nowMs)
    {
        if (MayRecirculate)
        {
            // OVS bond_recirculation_account: the counters of buckets that have a member join their loads.
            for (int i = 0; i < _bucketPendingTxBytes.Length; i++)
            {
                if (_bucketMembers[i] is not null)
                {
                    _bucketTxBytes[i] += _bucketPendingTxBytes[i];
                    _bucketPendingTxBytes[i] = 0;
                }
            }
        }

        // Each member's buckets, heaviest first. OVS's qsort leaves equal loads in an unspecified order; SharpSwitch
        // breaks such ties by bucket number so that runs are reproducible.
        var loads = new Dictionary<BondMember, MemberLoad>(ReferenceEqualityComparer.Instance);
        foreach (BondMember member in _members)
        {
            loads[member] = new MemberLoad(member);
        }
        int[] order = new int[BondHash.BucketCount];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        ulong[] tx = _bucketTxBytes;
        Array.Sort(order, (a, b) => tx[a] != tx[b] ? tx[b].CompareTo(tx[a]) : a.CompareTo(b));
        foreach (int bucket in order)
        {
            if (_bucketMembers[bucket] is BondMember owner && tx[bucket] != 0 && loads.TryGetValue(owner, out MemberLoad? load))
            {
                load.TxBytes += tx[bucket];
                load.Buckets.Add(bucket);
            }
        }

        // Enabled members by load, heaviest first; equal loads keep name order (OVS: hash order).
        var bals = new List<MemberLoad>();
        foreach (BondMember member in _members.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (member.Enabled)
            {
                InsertByLoad(bals, loads[member]);
            }
        }

        while (bals.Count >= 2)
        {
            MemberLoad from = bals[0];
            MemberLoad to = bals[^1];
            ulong overload = from.TxBytes - to.TxBytes;
            if (overload < to.TxBytes >> 5 || overload < MinimumOverloadBytes)
            {
                // The rest of the members differ from 'to' by even less.
                break;
            }
            List<int> chosen = ChooseBucketsToMigrate(from, to.TxBytes);
            if (chosen.Count == 0)
            {
                // Nothing can usefully leave 'from'; it is not considered again in this run.
                bals.RemoveAt(0);
                continue;
            }
            foreach (int bucket in chosen)
            {
                ShiftLoad(nowMs, bucket, from, to);
                // The bucket is not added to 'to': moving it on again within the same run would gain nothing.
                from.Buckets.Remove(bucket);
                bals.Remove(from);
                InsertByLoad(bals, from);
                bals.Remove(to);
                InsertByLoad(bals, to);
            }
        }

        // An exponentially weighted moving average with weight 1/2: history decays below 1% in 7 runs.
        for (int i = 0; i < tx.Length; i++)
        {
            tx[i] /= 2;
        }
    }

    /// <summary>OVS <c>insert_bal</c>: before the first member carrying strictly less, so equal loads keep their order.</summary>
    private static void InsertByLoad(List<MemberLoad> bals, MemberLoad load)
    {
        int at = 0;
        while (at < bals.Count && load.TxBytes <= bals[at].TxBytes)
        {
            at++;
        }
        bals.Insert(at, load);
    }

    /// <summary>
    /// OVS <c>choose_entries_to_migrate</c>: the buckets, heaviest first, whose sum stays within the ideal shift (half
    /// the difference) until within 10% of it, or else the lightest bucket; accepted only when the lighter side ends
    /// up higher than 'to' was by at least 10% of the ideal shift. A member with fewer than two loaded buckets keeps
    /// them: moving its only bucket would just move the imbalance.
    /// </summary>
    private List<int> ChooseBucketsToMigrate(MemberLoad from, ulong toTxBytes)
    {
        var chosen = new List<int>();
        if (from.Buckets.Count < 2)
        {
            return chosen;
        }
        ulong idealDelta = ((from.TxBytes + toTxBytes) / 2) - toTxBytes;
        ulong threshold = idealDelta / 10;
        ulong delta = 0;
        foreach (int bucket in from.Buckets)
        {
            ulong bytes = _bucketTxBytes[bucket];
            if (delta + bytes <= idealDelta)
            {
                chosen.Add(bucket);
                delta += bytes;
            }
            if (idealDelta - delta < threshold)
            {
                break;
            }
        }
        if (chosen.Count == 0)
        {
            int lightest = from.Buckets[^1];
            delta = _bucketTxBytes[lightest];
            chosen.Add(lightest);
        }
        ulong newLow = Math.Min(from.TxBytes - delta, toTxBytes + delta);
        if (newLow > toTxBytes && newLow - toTxBytes >= threshold)
        {
            return chosen;
        }
        chosen.Clear();
        return chosen;
    }

    /// <summary>OVS <c>bond_shift_load</c>, with its 3.1 INFO line.</summary>
    private void ShiftLoad(long nowMs, int bucket, MemberLoad from, MemberLoad to)
    {
        ulong delta = _bucketTxBytes[bucket];
        string message = $"bond {Name}: shift {delta / 1024}kB of load (with hash {bucket}) from {from.Member.Name} to {to.Member.Name} "
            + $"(now carrying {(from.TxBytes - delta) / 1024}kB and {(to.TxBytes + delta) / 1024}kB load, respectively)";
        string reason = $"rebalance: {from.Member.Name} carried {from.TxBytes} bytes, {to.Member.Name} {to.TxBytes} bytes";
        from.TxBytes -= delta;
        to.TxBytes += delta;
        MoveBucket(bucket, to.Member);
        Counters.BucketMoves++;
        Emit(nowMs, to.Member, BondEventKind.LoadShifted, message, reason);
    }

    /// <summary>A member's share of one rebalancing run (OVS keeps these fields in the member itself).</summary>
    private sealed class MemberLoad(BondMember member)
    {
        public BondMember Member { get; } = member;

        public ulong TxBytes { get; set; }

        // The member's loaded buckets, heaviest first.
        public List<int> Buckets { get; } = new();
    }
}
