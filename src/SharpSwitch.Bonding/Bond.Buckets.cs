// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding;

public sealed partial class Bond
{
    // OVS's bond->hash: the member each of the 256 buckets sends on (null while unassigned) and the bytes it sent
    // recently (halved on every rebalance). Both arrays live as long as the bond so the packet path never allocates;
    // "no bucket table" (active-backup, fallback) is _bucketsAllocated == false with every slot cleared.
    private readonly BondMember?[] _bucketMembers = new BondMember?[BondHash.BucketCount];
    private readonly ulong[] _bucketTxBytes = new ulong[BondHash.BucketCount];

    // balance-tcp only: bytes sent since the last rebalance, which OVS reads from its datapath counters only then.
    private readonly ulong[] _bucketPendingTxBytes = new ulong[BondHash.BucketCount];

    // OVS's enabled_members list as a ring: members in the order the round-robin hands them out, starting at
    // _ringHead. A member is appended at the back when enabled and removed when disabled (the array is replaced then,
    // on the control thread); the packet path only advances the head.
    private BondMember[] _enabledRing = [];
    private int _ringHead;

    // Buckets moved by rebalancing or bond/migrate since the datapath last took them (one bit per bucket), for
    // SharpSwitch's learning packets after a move; and the set being sent now.
    private readonly ulong[] _movedBuckets = new ulong[BondHash.BucketCount / 64];
    private readonly ulong[] _movedBucketsTaken = new ulong[BondHash.BucketCount / 64];
    private bool _anyBucketMoved;

    /// <summary>
    /// The member bucket <paramref name="bucket"/> (0..255) sends on, or null while it is unassigned or the bond has no
    /// bucket table (active-backup, or falling back to it).
    /// </summary>
    public BondMember? GetBucketMember(int bucket) => _bucketMembers[bucket & (int)BondHash.BucketMask];

    /// <summary>
    /// The load of bucket <paramref name="bucket"/> as rebalancing and <c>bond/show</c> see it: for balance-slb the bytes
    /// since the last rebalance plus half of the history before it; for balance-tcp, as in OVS, the bytes counted up to
    /// the last rebalance (see <see cref="GetBucketPendingTxBytes"/>), halved once per rebalance.
    /// </summary>
    public ulong GetBucketTxBytes(int bucket) => _bucketTxBytes[bucket & (int)BondHash.BucketMask];

    /// <summary>balance-tcp: the bytes bucket <paramref name="bucket"/> sent since the last rebalance, not yet in its load.</summary>
    public ulong GetBucketPendingTxBytes(int bucket) => _bucketPendingTxBytes[bucket & (int)BondHash.BucketMask];

    /// <summary>True while the 256-bucket table exists (balance-slb or balance-tcp, not falling back to active-backup).</summary>
    public bool HasBuckets => _bucketsAllocated;

    /// <summary>
    /// The bucket a packet hashes to in this bond's mode (OVS <c>lookup_bond_entry</c>): the source MAC and VLAN for
    /// balance-slb, the L3/L4 hash of the recirculation path for balance-tcp; -1 in active-backup. The VLAN is the outer
    /// VLAN ID of <paramref name="key"/>, which the datapath sets to the VLAN the frame leaves with.
    /// </summary>
    public int BucketOf(in FlowKey key)
    {
        return Settings.Mode switch
        {
            BondMode.BalanceSlb => BondHash.SlbBucket(key.EthSrc, key.OuterVlanId, Settings.HashBasis),
            BondMode.BalanceTcp => BondHash.TcpBucket(in key, Settings.HashBasis),
            _ => -1,
        };
    }

    /// <summary>
    /// OVS <c>choose_output_member</c>'s bucket step: the bucket's member, or, when it has none or it is disabled, the
    /// next member of the rotating list of enabled members, which the bucket keeps from then on. Null when no member is
    /// enabled.
    /// </summary>
    private BondMember? BucketMember(int bucket)
    {
        BondMember? member = _bucketMembers[bucket];
        if (member is null || !member.Enabled)
        {
            member = NextEnabledMember();
            _bucketMembers[bucket] = member;
        }
        return member;
    }

    /// <summary>OVS <c>get_enabled_member</c>: the front of the enabled list, which then moves to the back.</summary>
    private BondMember? NextEnabledMember()
    {
        BondMember[] ring = _enabledRing;
        if (ring.Length == 0)
        {
            return null;
        }
        int head = _ringHead;
        if ((uint)head >= (uint)ring.Length)
        {
            head = 0;
        }
        BondMember member = ring[head];
        _ringHead = head + 1 == ring.Length ? 0 : head + 1;
        return member;
    }

    /// <summary>Keeps the enabled ring in OVS's list order: an enabled member joins at the back, a disabled one leaves.</summary>
    private void UpdateEnabledRing(BondMember member, bool enabled)
    {
        BondMember[] ring = _enabledRing;
        int head = (uint)_ringHead < (uint)ring.Length ? _ringHead : 0;
        var ordered = new List<BondMember>(ring.Length + 1);
        for (int i = 0; i < ring.Length; i++)
        {
            BondMember m = ring[(head + i) % ring.Length];
            if (!ReferenceEquals(m, member))
            {
                ordered.Add(m);
            }
        }
        if (enabled)
        {
            ordered.Add(member);
        }
        _enabledRing = ordered.ToArray();
        _ringHead = 0;
    }

    /// <summary>The enabled members in the order the round-robin will hand them to unassigned buckets.</summary>
    public IReadOnlyList<BondMember> EnabledRotation
    {
        get
        {
            BondMember[] ring = _enabledRing;
            var ordered = new BondMember[ring.Length];
            int head = (uint)_ringHead < (uint)ring.Length ? _ringHead : 0;
            for (int i = 0; i < ring.Length; i++)
            {
                ordered[i] = ring[(head + i) % ring.Length];
            }
            return ordered;
        }
    }

    /// <summary>Forgets every bucket's member and load (OVS <c>bond_entry_reset</c>).</summary>
    private void ClearBuckets()
    {
        Array.Clear(_bucketMembers);
        Array.Clear(_bucketTxBytes);
        Array.Clear(_bucketPendingTxBytes);
        Array.Clear(_movedBuckets);
        _anyBucketMoved = false;
    }

    /// <summary>OVS <c>bond_member_unregister</c>: buckets of a removed member become unassigned.</summary>
    private void ForgetBucketsOf(BondMember member)
    {
        for (int i = 0; i < _bucketMembers.Length; i++)
        {
            if (ReferenceEquals(_bucketMembers[i], member))
            {
                _bucketMembers[i] = null;
            }
        }
    }

    /// <summary>
    /// Moves a bucket to another member, as rebalancing and <c>bond/migrate</c> do, and remembers it for the learning
    /// packets that tell the upstream switch where the bucket's MACs now are.
    /// </summary>
    private void MoveBucket(int bucket, BondMember to)
    {
        _bucketMembers[bucket] = to;
        _revalidate = true;
        _movedBuckets[bucket >> 6] |= 1UL << (bucket & 63);
        _anyBucketMoved = true;
    }

    /// <summary>
    /// Consumes the request to announce the MACs of buckets that moved (balance-slb without LACP only, like OVS's own
    /// learning packets): true when a rebalance or <c>bond/migrate</c> moved a bucket since the last call. The caller
    /// then sends one RARP for each MAC learned on another port whose bucket <see cref="WasBucketMoved"/> reports. OVS
    /// 3.1 sends nothing after a move (bonding-spec §C.7); SharpSwitch does, so the upstream switch relearns at once.
    /// </summary>
    public bool TakeMovedBucketsRequest()
    {
        if (!_anyBucketMoved)
        {
            return false;
        }
        _anyBucketMoved = false;
        Array.Copy(_movedBuckets, _movedBucketsTaken, _movedBuckets.Length);
        Array.Clear(_movedBuckets);
        return _active is not null && _lacpStatus == LacpStatus.Off && Settings.Mode == BondMode.BalanceSlb && _bucketsAllocated;
    }

    /// <summary>True when the bucket of <paramref name="key"/> is among those the last <see cref="TakeMovedBucketsRequest"/> took.</summary>
    public bool WasBucketMoved(in FlowKey key)
    {
        int bucket = BucketOf(in key);
        return bucket >= 0 && (_movedBucketsTaken[bucket >> 6] & (1UL << (bucket & 63))) != 0;
    }
}
