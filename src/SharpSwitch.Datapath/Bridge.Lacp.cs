// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Bonding;
using SharpSwitch.Packets;

namespace SharpSwitch.Datapath;

/// <summary>
/// LACP on bond ports: the bridge owns one <see cref="Lacp"/> engine per bond whose <c>lacp</c> is active or passive,
/// feeds it the Slow Protocols frames arriving on the members, sends its PDUs on each member, and gates the members
/// with its may_enable and the bond with its status, as OVS's ofproto/bridge glue does.
/// </summary>
public sealed partial class Bridge
{
    private static readonly Dictionary<string, string> s_noOtherConfig = [];

    private readonly byte[] _lacpFrame = new byte[FrameBuilder.LacpFrameLength];
    private BridgePort? _lacpSendPort;

    // The PDU callback as one delegate for the bridge's life: converting the method group on every Run would allocate
    // a delegate per bond per poll, which the forwarding loop must not do.
    private LacpSend? _sendLacpPdu;

    /// <summary>The LACP objects of this bridge's ports, in port order (for <c>lacp/show</c>).</summary>
    public IEnumerable<Lacp> LacpObjects
    {
        get
        {
            foreach (BridgePort port in _portOrder)
            {
                if (port.Lacp is Lacp lacp)
                {
                    yield return lacp;
                }
            }
        }
    }

    // Creates, reconfigures or drops the port's LACP engine after a configuration or membership change. The system id
    // is Port other_config:lacp-system-id, else the bridge's local MAC; a member's port id is Interface
    // other_config:lacp-port-id, else its ofport.
    private void SyncLacp(BridgePort port, long nowMs)
    {
        PortInterface[] interfaces = port.InterfaceArray;
        if (ReferenceEquals(port.LacpConfigSeen, port.Config) && ReferenceEquals(port.LacpInterfacesSeen, interfaces))
        {
            return;
        }
        port.LacpConfigSeen = port.Config;
        port.LacpInterfacesSeen = interfaces;
        LacpSettings? settings = port.Bond is null || port.Config.Bond is not BondSettings bondSettings
            ? null
            : LacpSettings.FromBond(port.Name, bondSettings, LocalNetDev.Mac, interfaces.Length, Warnings);
        if (settings is null)
        {
            port.Lacp = null;
            port.Bond?.SetLacpStatus(LacpStatus.Off, nowMs);
            return;
        }
        if (port.Lacp is Lacp existing)
        {
            existing.Configure(settings, nowMs);
        }
        else
        {
            port.Lacp = new Lacp(settings, port.Config.LacpEventSink);
        }
        Lacp lacp = port.Lacp;
        foreach (PortInterface portInterface in interfaces)
        {
            LacpMemberSettings memberSettings = LacpMemberSettings.FromOvsdb(
                portInterface.Config.OtherConfig ?? s_noOtherConfig, (ushort)portInterface.OfPort);
            lacp.AddOrUpdateMember(portInterface.Name, memberSettings, portInterface.Device.Carrier, nowMs);
        }
        foreach (LacpMember member in lacp.Members.ToArray())
        {
            if (Array.Find(interfaces, i => i.Name == member.Name) is null)
            {
                lacp.RemoveMember(member.Name, nowMs);
            }
        }
    }

    // Runs the engine, sends its PDUs, and passes may_enable and the status to the bond (before the bond runs).
    private void RunLacp(BridgePort port, Bond bond, long nowMs)
    {
        SyncLacp(port, nowMs);
        if (port.Lacp is not Lacp lacp)
        {
            return;
        }
        _lacpSendPort = port;
        lacp.Run(nowMs, _sendLacpPdu ??= SendLacpPdu);
        _lacpSendPort = null;
        bond.SetLacpStatus(lacp.Status, nowMs);
        foreach (PortInterface portInterface in port.InterfaceArray)
        {
            bool carrier = portInterface.Device.Carrier;
            // As OVS, may_enable is asked only while carrier is up.
            bond.SetMemberLink(portInterface.Name, carrier, carrier && lacp.MayEnable(portInterface.Name), nowMs);
        }
    }

    private void SendLacpPdu(LacpMember member, in LacpPdu pdu)
    {
        BridgePort port = _lacpSendPort!;
        foreach (PortInterface portInterface in port.InterfaceArray)
        {
            if (portInterface.Name == member.Name)
            {
                int length = FrameBuilder.WriteLacpFrame(_lacpFrame, portInterface.Device.Mac, pdu);
                TrySendOnInterface(portInterface, _lacpFrame.AsSpan(0, length));
                return;
            }
        }
    }

    // A Slow Protocols frame on a port with an LACP engine: the engine takes it (counted, parsed, maybe answered).
    private void ReceiveLacp(Lacp lacp, PortInterface inInterface, ReadOnlySpan<byte> frame, int l3Offset, long nowMs)
    {
        if (lacp.FindMember(inInterface.Name) is null)
        {
            return;
        }
        LacpRxResult result = lacp.ProcessFrame(inInterface.Name, frame[Math.Min(l3Offset, frame.Length)..], nowMs);
        if (result.MarkerResponse is byte[] response)
        {
            var reply = new byte[EthernetFrame.HeaderLength + response.Length];
            LacpPdu.SlowProtocolsMulticast.Write(reply);
            inInterface.Device.Mac.Write(reply.AsSpan(6));
            reply[12] = 0x88;
            reply[13] = 0x09;
            response.CopyTo(reply, EthernetFrame.HeaderLength);
            TrySendOnInterface(inInterface, reply);
        }
    }
}
