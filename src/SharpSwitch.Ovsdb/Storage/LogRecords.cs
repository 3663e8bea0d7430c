// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;

namespace SharpSwitch.Ovsdb.Storage;

/// <summary>One complete record read from a log, with where it starts and ends in the file.</summary>
internal sealed record LogRecord(byte[] Json, long Offset, long End);

/// <summary>The records of a log file up to the first bad or incomplete one.</summary>
internal sealed record LogReadResult(IReadOnlyList<LogRecord> Records, long GoodLength, string? TailError);

/// <summary>
/// The OVSDB standalone log framing: each record is a header line <c>OVSDB JSON &lt;length&gt; &lt;sha1&gt;</c> and then
/// exactly <c>length</c> bytes of JSON ending in a newline; the SHA-1 covers those bytes, newline included.
/// </summary>
internal static class LogRecords
{
    private const string Magic = "OVSDB JSON ";
    private const int MaxHeaderLength = 128;

    /// <summary>Frames a JSON text (without trailing newline) as one record.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> json)
    {
        byte[] body = new byte[json.Length + 1];
        json.CopyTo(body);
        body[^1] = (byte)'\n';
        string sha1 = Convert.ToHexStringLower(Sha1.HashData(body));
        byte[] header = Encoding.ASCII.GetBytes($"{Magic}{body.Length.ToString(CultureInfo.InvariantCulture)} {sha1}\n");
        byte[] record = new byte[header.Length + body.Length];
        header.CopyTo(record, 0);
        body.CopyTo(record, header.Length);
        return record;
    }

    /// <summary>Reads records from the start of <paramref name="data"/>, stopping at the first damaged one.</summary>
    public static LogReadResult Read(ReadOnlySpan<byte> data)
    {
        var records = new List<LogRecord>();
        long offset = 0;
        while (offset < data.Length)
        {
            ReadOnlySpan<byte> rest = data[(int)offset..];
            int newline = rest[..Math.Min(rest.Length, MaxHeaderLength)].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return new LogReadResult(records, offset, $"incomplete or overlong record header at offset {offset}");
            }
            string header = Encoding.ASCII.GetString(rest[..newline]);
            string[] fields = header.Split(' ');
            if (!header.StartsWith(Magic, StringComparison.Ordinal) || fields.Length != 4
                || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int length)
                || fields[3].Length != 40)
            {
                return new LogReadResult(records, offset, $"bad record header at offset {offset}");
            }
            long bodyStart = offset + newline + 1;
            if (bodyStart + length > data.Length)
            {
                return new LogReadResult(records, offset, $"error reading {length} bytes starting at offset {bodyStart} (End of file)");
            }
            ReadOnlySpan<byte> body = data.Slice((int)bodyStart, length);
            string sha1 = Convert.ToHexStringLower(Sha1.HashData(body));
            if (!string.Equals(sha1, fields[3], StringComparison.OrdinalIgnoreCase))
            {
                return new LogReadResult(records, offset, $"record at offset {offset} has bad SHA-1 hash");
            }
            if (length == 0 || body[^1] != (byte)'\n')
            {
                return new LogReadResult(records, offset, $"record at offset {offset} does not end in a new-line");
            }
            records.Add(new LogRecord(body[..^1].ToArray(), offset, bodyStart + length));
            offset = bodyStart + length;
        }
        return new LogReadResult(records, offset, null);
    }
}
