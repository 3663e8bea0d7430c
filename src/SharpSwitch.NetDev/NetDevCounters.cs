// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.NetDev;

/// <summary>
/// The live counters of one device. The device counts what it sees itself; the datapath adds what only it can
/// judge (a frame it found malformed is an rx_error of the device it arrived on).
/// </summary>
public sealed class NetDevCounters
{
    private long _rxPackets;
    private long _rxBytes;
    private long _txPackets;
    private long _txBytes;
    private long _rxDropped;
    private long _txDropped;
    private long _rxErrors;
    private long _txErrors;
    private long _rxOverErrors;
    private long _rxCrcErrors;
    private long _rxMulticastPackets;

    /// <summary>Counts one frame handed to the switch.</summary>
    public void CountReceived(int frameBytes, bool multicast)
    {
        _rxPackets++;
        _rxBytes += frameBytes;
        if (multicast)
        {
            _rxMulticastPackets++;
        }
    }

    /// <summary>Counts one frame sent.</summary>
    public void CountTransmitted(int frameBytes)
    {
        _txPackets++;
        _txBytes += frameBytes;
    }

    /// <summary>Counts one arriving frame that found no room.</summary>
    public void CountRxDropped() => _rxDropped++;

    /// <summary>Counts one arriving frame lost to a receive-queue overrun (also an rx_dropped).</summary>
    public void CountRxOverrun()
    {
        _rxDropped++;
        _rxOverErrors++;
    }

    /// <summary>Counts one frame that could not be sent.</summary>
    public void CountTxDropped() => _txDropped++;

    /// <summary>Counts one malformed received frame.</summary>
    public void CountRxError() => _rxErrors++;

    /// <summary>Counts one received frame whose FCS did not match (an rx_crc_err, and so also an rx_error, as Linux counts it).</summary>
    public void CountRxCrcError()
    {
        _rxErrors++;
        _rxCrcErrors++;
    }

    /// <summary>Counts one transmit error.</summary>
    public void CountTxError() => _txErrors++;

    /// <summary>Copies the counters into an immutable snapshot.</summary>
    public InterfaceStatistics Snapshot()
    {
        return new InterfaceStatistics
        {
            RxPackets = _rxPackets,
            RxBytes = _rxBytes,
            TxPackets = _txPackets,
            TxBytes = _txBytes,
            RxDropped = _rxDropped,
            TxDropped = _txDropped,
            RxErrors = _rxErrors,
            TxErrors = _txErrors,
            RxOverErrors = _rxOverErrors,
            RxCrcErrors = _rxCrcErrors,
            RxMulticastPackets = _rxMulticastPackets,
        };
    }
}
