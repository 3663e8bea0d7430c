// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.IO.Pipelines;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary>Two in-memory streams wired back to back, so a connection can be tested without sockets.</summary>
internal static class DuplexPipe
{
    public static (Stream Left, Stream Right) Create()
    {
        var leftToRight = new Pipe();
        var rightToLeft = new Pipe();
        return (new PipeEndStream(rightToLeft.Reader, leftToRight.Writer), new PipeEndStream(leftToRight.Reader, rightToLeft.Writer));
    }

    private sealed class PipeEndStream(PipeReader reader, PipeWriter writer) : Stream
    {
        private readonly Stream _input = reader.AsStream();
        private readonly Stream _output = writer.AsStream();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
            _output.Flush();
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            return _output.FlushAsync(cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            return _input.Read(buffer, offset, count);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            return _input.ReadAsync(buffer, cancellationToken);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _output.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            return _output.WriteAsync(buffer, cancellationToken);
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            throw new NotSupportedException();
        }

        public override void SetLength(long value)
        {
            throw new NotSupportedException();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // Completing the writer is what the peer sees as end of file.
                _output.Dispose();
                _input.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
