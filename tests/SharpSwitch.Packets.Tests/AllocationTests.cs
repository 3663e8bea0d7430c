// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Packets.Tests;

/// <summary>The per-packet path (extract, views, hashes, builders) must not allocate.</summary>
public sealed class AllocationTests
{
    private static readonly byte[][] s_frames =
    [
        Goldens.IcmpEchoRequest, Goldens.UdpVlan10, Goldens.TcpSyn, Goldens.Udp6, Goldens.ArpRequest,
        Goldens.LearningPacketVlan5, Goldens.CapturedLacpFrame, Goldens.TcpSyn[..30], [],
    ];

    private static uint ExtractAndHashAll()
    {
        uint sum = 0;
        foreach (byte[] frame in s_frames)
        {
            if (FlowKey.TryExtract(frame, out FlowKey key))
            {
                sum += BondHash.TcpHash(key, 0) + (uint)BondHash.SlbBucket(key.EthSrc, key.OuterVlanId, 0);
                FlowKey copy = key;
                sum += (uint)key.GetHashCode() + (copy == key ? 1u : 0u);
            }
            sum += (uint)FlowKey.Classify(frame, out _);
        }
        return sum;
    }

    [Fact]
    public void TryExtract_hashes_and_key_equality_allocate_nothing()
    {
        uint warmup = ExtractAndHashAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        uint total = 0;
        for (int i = 0; i < 10_000; i++)
        {
            total += ExtractAndHashAll();
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(unchecked(warmup * 10_000), total);
    }

    [Fact]
    public void Views_and_builders_allocate_nothing()
    {
        byte[] buffer = new byte[256];
        var pdu = new LacpPdu(Goldens.CapturedActor, Goldens.CapturedPartner);
        var ethernet = new EthernetAddressing(Goldens.HostB, Goldens.HostA, 10);
        int Run()
        {
            int n = FrameBuilder.WriteUdpFrame(buffer, ethernet, 1, 2, 3, 4, default);
            n += FrameBuilder.WriteLearningPacket(buffer, Goldens.HostA, 5);
            n += FrameBuilder.WriteLacpFrame(buffer, Goldens.HostA, pdu);
            if (LacpPduView.TryCreate(buffer.AsSpan(14), out LacpPduView view) && view.IsCanonical)
            {
                n += view.Actor.PortNumber;
            }
            if (Ipv4Header.TryCreate(Goldens.TcpSyn.AsSpan(14), out Ipv4Header ip) && ip.IsChecksumValid
                && TcpHeader.TryCreate(ip.Payload, out TcpHeader tcp))
            {
                n += tcp.DestinationPort;
            }
            return n;
        }
        int expected = Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        long total = 0;
        for (int i = 0; i < 10_000; i++)
        {
            total += Run();
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(expected * 10_000L, total);
    }
}
