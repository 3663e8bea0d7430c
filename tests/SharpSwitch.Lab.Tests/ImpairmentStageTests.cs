// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Buffers.Binary;
using SharpSwitch.Lab.Impairments;
using SharpSwitch.Lab.Scenarios;
using SharpSwitch.NetDev;
using SharpSwitch.Packets;

namespace SharpSwitch.Lab.Tests;

/// <summary>
/// The impairment stage on a bare cable between two dummies, under the lab's virtual millisecond clock: each netem
/// setting does what it says, at the instants it should, and the same seed gives the same frames.
/// </summary>
public sealed class ImpairmentStageTests
{
    private static readonly ImpairmentSpec s_none = new(0, 0, 0, 0, 0, 0, 0, ImpairmentSpec.DefaultLimitFrames, null);

    private sealed class Wire
    {
        public Wire(ImpairmentSpec? aToB, string scenarioName = "test")
        {
            var pool = new PacketPool();
            A = new DummyNetDev("a", new MacAddress(0x020000000001), pool, receiveQueueCapacity: 100_000);
            B = new DummyNetDev("b", new MacAddress(0x020000000002), pool, receiveQueueCapacity: 100_000);
            Cable = Cable.Connect(A, B);
            Stage = new ImpairmentStage(Cable, "x:a", "y:b", scenarioName);
            Stage.FromA.Configure(aToB);
        }

        public DummyNetDev A { get; }

        public DummyNetDev B { get; }

        public Cable Cable { get; }

        public ImpairmentStage Stage { get; }

        /// <summary>Sends a frame from A at <paramref name="nowMs"/> whose bytes 14..17 carry <paramref name="sequence"/>.</summary>
        public void Send(long nowMs, uint sequence, int length = 100)
        {
            Stage.AdvanceTo(nowMs);
            var frame = new byte[length];
            B.Mac.Write(frame);
            A.Mac.Write(frame.AsSpan(6));
            frame[12] = 0x88;
            frame[13] = 0xB5;
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(14), sequence);
            Assert.True(A.Transmit(frame));
        }

        /// <summary>The sequence numbers B has received so far, in arrival order.</summary>
        public List<uint> Received() => B.ReceiveAllFrames().Select(f => BinaryPrimitives.ReadUInt32BigEndian(f.AsSpan(14))).ToList();
    }

    [Fact]
    public void Without_settings_frames_pass_at_once_and_in_order()
    {
        var wire = new Wire(null);
        for (uint i = 0; i < 10; i++)
        {
            wire.Send(i, i);
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (uint)i), wire.Received());
        Assert.Equal(long.MaxValue, wire.Stage.NextDueMs);
    }

    [Fact]
    public void Delay_holds_each_frame_for_exactly_the_delay_and_reports_when_it_is_due()
    {
        var wire = new Wire(s_none with { DelayMs = 20 });
        wire.Send(5, 1);
        Assert.Empty(wire.Received());
        Assert.Equal(25, wire.Stage.NextDueMs);
        wire.Stage.AdvanceTo(24);
        Assert.Empty(wire.Received());
        wire.Stage.AdvanceTo(25);
        Assert.Equal([1u], wire.Received());
        Assert.Equal(long.MaxValue, wire.Stage.NextDueMs);
    }

    [Fact]
    public void Only_the_configured_direction_is_impaired()
    {
        var wire = new Wire(s_none with { LossPercent = 100 });
        wire.Stage.AdvanceTo(0);
        var frame = new byte[64];
        frame[0] = 0x02;
        Assert.True(wire.B.Transmit(frame));
        Assert.Single(wire.A.ReceiveAllFrames());
        wire.Send(0, 7);
        Assert.Empty(wire.Received());
        Assert.Equal(1, wire.Stage.FromA.Statistics().Lost);
        Assert.Equal(1, wire.Stage.FromB.Statistics().Delivered);
    }

    [Fact]
    public void Jitter_larger_than_the_frame_gap_reorders_frames_and_a_fixed_delay_does_not()
    {
        var jittery = new Wire(s_none with { DelayMs = 10, JitterMs = 5 });
        var steady = new Wire(s_none with { DelayMs = 10 });
        for (uint i = 0; i < 200; i++)
        {
            jittery.Send(i, i);
            steady.Send(i, i);
        }
        jittery.Stage.AdvanceTo(1000);
        steady.Stage.AdvanceTo(1000);
        List<uint> jitteryOrder = jittery.Received();
        List<uint> steadyOrder = steady.Received();

        Assert.Equal(200, jitteryOrder.Count);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (uint)i), jitteryOrder.Order());
        Assert.NotEqual(jitteryOrder.Order(), jitteryOrder);
        Assert.True(jittery.Stage.FromA.Statistics().Reordered > 0);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (uint)i), steadyOrder);
        Assert.Equal(0, steady.Stage.FromA.Statistics().Reordered);
    }

    [Fact]
    public void Jitter_keeps_every_frame_within_delay_plus_or_minus_jitter()
    {
        var wire = new Wire(s_none with { DelayMs = 10, JitterMs = 4 });
        wire.Send(100, 1);
        long due = wire.Stage.NextDueMs;
        Assert.InRange(due, 106, 114);
    }

    [Fact]
    public void Corrupted_frames_fail_the_receivers_fcs_check_and_count_as_crc_errors()
    {
        var wire = new Wire(s_none with { CorruptPercent = 100 });
        for (uint i = 0; i < 25; i++)
        {
            wire.Send(i, i);
        }
        Assert.Empty(wire.Received());
        InterfaceStatistics b = wire.B.Statistics;
        Assert.Equal(25, b.RxCrcErrors);
        Assert.Equal(25, b.RxErrors);
        Assert.Equal(0, b.RxPackets);
        Assert.Equal(25, wire.Stage.FromA.Statistics().Corrupted);
        Assert.Equal(0, wire.Stage.FromA.Statistics().Delivered);
    }

    [Fact]
    public void A_bit_flip_always_changes_the_fcs()
    {
        var frame = new byte[64];
        uint good = EthernetFcs.Compute(frame);
        for (int bit = 0; bit < frame.Length * 8; bit++)
        {
            frame[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(good, EthernetFcs.Compute(frame));
            frame[bit / 8] ^= (byte)(1 << (bit % 8));
        }
        // The check value of CRC-32/IEEE over "123456789".
        Assert.Equal(0xCBF43926u, EthernetFcs.Compute("123456789"u8));
    }

    [Fact]
    public void Duplicate_delivers_every_frame_twice_at_one_hundred_percent()
    {
        var wire = new Wire(s_none with { DuplicatePercent = 100 });
        for (uint i = 0; i < 10; i++)
        {
            wire.Send(i, i);
        }
        List<uint> received = wire.Received();
        Assert.Equal(20, received.Count);
        Assert.All(received.GroupBy(s => s), g => Assert.Equal(2, g.Count()));
        Assert.Equal(10, wire.Stage.FromA.Statistics().Duplicated);
    }

    [Fact]
    public void Rate_serialises_frames_one_after_another_and_tail_drops_beyond_the_limit()
    {
        // 1 Mbit/s and 1250-byte frames: 10 ms on the wire each.
        var wire = new Wire(s_none with { RateBitsPerSecond = 1_000_000, LimitFrames = 5 });
        for (uint i = 0; i < 8; i++)
        {
            wire.Send(0, i, length: 1250);
        }
        Assert.Equal(3, wire.Stage.FromA.Statistics().TailDropped);
        var arrivals = new List<(long, uint)>();
        for (long t = 0; t <= 60; t++)
        {
            wire.Stage.AdvanceTo(t);
            arrivals.AddRange(wire.Received().Select(s => (t, s)));
        }
        Assert.Equal([(10L, 0u), (20L, 1u), (30L, 2u), (40L, 3u), (50L, 4u)], arrivals);
    }

    [Fact]
    public void Loss_follows_its_percentage_and_the_same_seed_loses_the_same_frames()
    {
        List<uint> Run(long? seed, decimal correlation)
        {
            var wire = new Wire(s_none with { LossPercent = 30, LossCorrelationPercent = correlation, Seed = seed });
            for (uint i = 0; i < 10_000; i++)
            {
                wire.Send(i, i);
            }
            return wire.Received();
        }
        List<uint> first = Run(42, 0);
        Assert.Equal(first, Run(42, 0));
        Assert.NotEqual(first, Run(43, 0));
        Assert.InRange(first.Count, 6700, 7300);

        // Correlated loss keeps the average but loses in longer bursts.
        List<uint> bursty = Run(42, 75);
        Assert.InRange(bursty.Count, 6400, 7600);
        Assert.True(Bursts(bursty) < Bursts(first) / 2, $"{Bursts(bursty)} bursts with correlation, {Bursts(first)} without");
    }

    [Fact]
    public void The_default_seed_depends_on_the_scenario_name_and_the_direction()
    {
        var one = new Wire(null, "one");
        var other = new Wire(null, "other");
        Assert.NotEqual(one.Stage.FromA.DefaultSeed, one.Stage.FromB.DefaultSeed);
        Assert.NotEqual(one.Stage.FromA.DefaultSeed, other.Stage.FromA.DefaultSeed);
        Assert.Equal(one.Stage.FromA.DefaultSeed, new Wire(null, "one").Stage.FromA.DefaultSeed);
    }

    [Fact]
    public void Pulling_the_cable_loses_the_frames_on_the_wire()
    {
        var wire = new Wire(s_none with { DelayMs = 50 });
        wire.Send(0, 1);
        wire.Send(1, 2);
        wire.Cable.Unplug();
        wire.Stage.OnUnplugged();
        wire.Cable.Plug();
        wire.Stage.AdvanceTo(100);
        Assert.Empty(wire.Received());
        Assert.Equal(2, wire.Stage.FromA.Statistics().LostInFlight);
    }

    [Fact]
    public void Clearing_the_settings_lets_new_frames_through_at_once_while_held_ones_keep_their_time()
    {
        var wire = new Wire(s_none with { DelayMs = 30 });
        wire.Send(0, 1);
        wire.Stage.FromA.Configure(null);
        wire.Send(1, 2);
        Assert.Equal([2u], wire.Received());
        wire.Stage.AdvanceTo(30);
        Assert.Equal([1u], wire.Received());
    }

    private static int Bursts(List<uint> received)
    {
        int bursts = 0;
        uint expected = 0;
        foreach (uint s in received)
        {
            if (s != expected)
            {
                bursts++;
            }
            expected = s + 1;
        }
        return bursts;
    }
}
