// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Packets;

namespace SharpSwitch.Bonding.Tests;

/// <summary>
/// LACP engines cabled back to back under virtual time: each cable joins a member of one engine to a member of another
/// (or the same) engine, and every PDU sent crosses its cable at once unless the cable is cut or muted.
/// </summary>
internal sealed class LacpWire
{
    private readonly List<Lacp> _engines = [];
    private readonly Dictionary<(Lacp, string), (Lacp Engine, string Member)> _peer = [];
    private readonly HashSet<(Lacp, string)> _muted = [];

    public long NowMs { get; private set; }

    public List<LacpEvent> Events { get; } = [];

    public List<(long TimeMs, string Lacp, string Member, LacpPdu Pdu)> Sent { get; } = [];

    public Lacp Add(LacpSettings settings, params (string Name, ushort PortId)[] members)
    {
        var lacp = new Lacp(settings, Events.Add);
        foreach ((string name, ushort portId) in members)
        {
            lacp.AddOrUpdateMember(name, new LacpMemberSettings { PortId = portId }, true, NowMs);
        }
        _engines.Add(lacp);
        return lacp;
    }

    public void Cable(Lacp a, string memberA, Lacp b, string memberB)
    {
        _peer[(a, memberA)] = (b, memberB);
        _peer[(b, memberB)] = (a, memberA);
    }

    public void Unplug(Lacp a, string memberA)
    {
        if (_peer.Remove((a, memberA), out var other))
        {
            _peer.Remove((other.Engine, other.Member));
        }
    }

    /// <summary>Stops delivering what <paramref name="lacp"/>'s member sends (the partner "stopped LACP").</summary>
    public void Mute(Lacp lacp, string member) => _muted.Add((lacp, member));

    /// <summary>Runs every engine at <see cref="NowMs"/> until no PDU is in flight.</summary>
    public void RunNow()
    {
        var inFlight = new Queue<(Lacp Engine, string Member, LacpPdu Pdu)>();
        for (int round = 0; round < 100; round++)
        {
            foreach (Lacp lacp in _engines)
            {
                lacp.Run(NowMs, (LacpMember member, in LacpPdu pdu) =>
                {
                    Sent.Add((NowMs, lacp.Name, member.Name, pdu));
                    if (!_muted.Contains((lacp, member.Name)) && _peer.TryGetValue((lacp, member.Name), out var peer))
                    {
                        inFlight.Enqueue((peer.Engine, peer.Member, pdu));
                    }
                });
            }
            if (inFlight.Count == 0 && _engines.TrueForAll(e => e.NextWakeMs > NowMs))
            {
                return;
            }
            while (inFlight.TryDequeue(out var delivery))
            {
                var payload = new byte[LacpPdu.Length];
                delivery.Pdu.Write(payload);
                delivery.Engine.ProcessFrame(delivery.Member, payload, NowMs);
            }
        }
        throw new InvalidOperationException("LACP engines did not settle");
    }

    /// <summary>Advances virtual time to <paramref name="untilMs"/>, running every engine at each wake-up.</summary>
    public void RunUntil(long untilMs)
    {
        RunNow();
        while (true)
        {
            long next = _engines.Min(e => e.NextWakeMs);
            if (next > untilMs)
            {
                NowMs = untilMs;
                RunNow();
                return;
            }
            NowMs = Math.Max(NowMs, next);
            RunNow();
        }
    }

    public int SentCount(Lacp lacp, string member, long fromMs, long toMs) =>
        Sent.Count(s => s.Lacp == lacp.Name && s.Member == member && s.TimeMs >= fromMs && s.TimeMs < toMs);
}

internal static class LacpTestSettings
{
    public static readonly MacAddress SysA = MacAddress.Parse("82:31:d7:10:7c:49");
    public static readonly MacAddress SysB = MacAddress.Parse("66:6b:b7:42:5a:42");
    public static readonly MacAddress SysC = MacAddress.Parse("16:ce:e2:ed:5c:48");

    public static LacpSettings Make(string name, MacAddress id, bool active = true, bool fast = false, bool fallback = false) =>
        new() { Name = name, SystemId = id, Active = active, Fast = fast, FallbackAb = fallback };
}
