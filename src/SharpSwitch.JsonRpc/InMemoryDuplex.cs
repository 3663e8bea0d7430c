// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.IO.Pipelines;

namespace SharpSwitch.JsonRpc;

/// <summary>
/// A pair of connected in-memory byte streams, like the two ends of a socket pair: what one end writes the other reads,
/// and closing one end gives the other end of file. A JSON-RPC connection on each end talks with exactly the bytes it
/// would send over a Unix socket: the lab runs its in-process switch daemons and databases this way, and the tests
/// exercise connections without sockets.
/// </summary>
public static class InMemoryDuplex
{
    /// <summary>Creates the two connected ends.</summary>
    public static (Stream A, Stream B) CreatePair()
    {
        var toB = new Pipe();
        var toA = new Pipe();
        return (new End(toA.Reader, toB.Writer), new End(toB.Reader, toA.Writer));
    }

    /// <summary>One end: reads from one pipe and writes into the other.</summary>
    private sealed class End(PipeReader reader, PipeWriter writer) : Stream
    {
        private readonly Stream _read = reader.AsStream();
        private readonly Stream _write = writer.AsStream();
        private int _disposed;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _read.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _read.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _read.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => _write.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _write.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _write.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Flush() => _write.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _write.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                // Completing the writer is the peer's end of file. The reader is only woken, not completed, because a
                // read may still be unwinding on another task; the pipe is garbage once both ends are gone.
                writer.Complete();
                reader.CancelPendingRead();
            }
            base.Dispose(disposing);
        }
    }
}
