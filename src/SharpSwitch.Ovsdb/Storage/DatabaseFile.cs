// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;
using System.Text.Json;
using SharpSwitch.Ovsdb.Schema;
using SharpSwitch.Ovsdb.Transactions;

namespace SharpSwitch.Ovsdb.Storage;

/// <summary>
/// A standalone OVSDB database file: the schema record followed by one record per committed transaction, in the
/// format real <c>ovsdb-tool</c> and <c>ovsdb-server</c> read and write. <see cref="Commit"/> returns only after the
/// record is on disk (fsync), so a transaction acknowledged to a client survives a crash at any point. On open, a
/// torn or corrupt tail is cut off and every complete record before it is kept.
/// </summary>
public sealed class DatabaseFile : IDisposable
{
    /// <summary>Automatic compaction needs at least this many records since the last snapshot.</summary>
    public const int CompactionMinRecords = 100;

    /// <summary>...and the file must have grown by at least this factor since the last snapshot.</summary>
    public const int CompactionGrowthFactor = 4;

    private readonly TimeProvider _time;
    private readonly Action<string> _log;
    private FileStream _stream;
    private FileStream? _lockFile;
    private long _sizeAfterCompaction;

    private DatabaseFile(string path, DatabaseSchema schema, Database database, FileStream stream, int records, TimeProvider time, Action<string> log)
    {
        Path = path;
        Schema = schema;
        Database = database;
        _stream = stream;
        RecordCount = records;
        _time = time;
        _log = log;
        _sizeAfterCompaction = stream.Length;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The schema stored in the file's first record.</summary>
    public DatabaseSchema Schema { get; }

    /// <summary>The database contents replayed from the file and kept current by <see cref="Commit"/>.</summary>
    public Database Database { get; }

    /// <summary>The number of records in the file, the schema record included.</summary>
    public int RecordCount { get; private set; }

    /// <summary>The current file size in bytes.</summary>
    public long Size => _stream.Length;

    /// <summary>Creates a new database file holding only the schema (like <c>ovsdb-tool create</c>).</summary>
    public static void Create(string path, DatabaseSchema schema)
    {
        byte[] record = LogRecords.Frame(Encoding.UTF8.GetBytes(schema.ToJsonString()));
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        stream.Write(record);
        stream.Flush(flushToDisk: true);
        NativeFile.SyncDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
    }

    /// <summary>
    /// Opens a database file, replays it, and cuts off a damaged tail (reporting it through <paramref name="log"/>).
    /// With <paramref name="takeLock"/>, holds <c>.NAME.~lock~</c> next to the file as ovsdb-server does.
    /// </summary>
    public static DatabaseFile Open(string path, TimeProvider? time = null, Action<string>? log = null, bool takeLock = false)
    {
        time ??= TimeProvider.System;
        log ??= _ => { };
        FileStream? lockFile = takeLock ? TakeLock(path) : null;
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            try
            {
                byte[] data = new byte[stream.Length];
                stream.ReadExactly(data);
                LogReadResult read = LogRecords.Read(data);
                if (read.Records.Count == 0)
                {
                    throw new OvsdbException("I/O error", $"{path}: cannot read database schema ({read.TailError ?? "file is empty"})");
                }
                DatabaseSchema schema = DatabaseSchema.Parse(Encoding.UTF8.GetString(read.Records[0].Json));
                var database = new Database(schema);
                long goodLength = read.GoodLength;
                string? tailError = read.TailError;
                int records = 1;
                for (int i = 1; i < read.Records.Count; i++)
                {
                    try
                    {
                        using JsonDocument document = JsonDocument.Parse(read.Records[i].Json);
                        TransactionRecords.Replay(database, document.RootElement);
                        records++;
                    }
                    catch (Exception e) when (e is JsonException or OvsdbException)
                    {
                        goodLength = read.Records[i].Offset;
                        tailError = $"record at offset {read.Records[i].Offset} is not a valid transaction: {e.Message}";
                        break;
                    }
                }
                if (goodLength < data.Length)
                {
                    log($"{path}: {tailError}; truncating {data.Length - goodLength} bytes of damaged log tail at offset {goodLength}");
                    stream.SetLength(goodLength);
                    stream.Flush(flushToDisk: true);
                }
                stream.Seek(0, SeekOrigin.End);
                return new DatabaseFile(path, schema, database, stream, records, time, log) { _lockFile = lockFile };
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }
        catch
        {
            lockFile?.Dispose();
            throw;
        }
    }

    private static FileStream TakeLock(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        string lockPath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, "." + System.IO.Path.GetFileName(full) + ".~lock~");
        var lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        try
        {
            if (!OperatingSystem.IsMacOS())
            {
                lockFile.Lock(0, 0);
            }
        }
        catch (IOException)
        {
            lockFile.Dispose();
            throw new OvsdbException("I/O error", $"{path}: cannot lock database file because it is already locked by another process");
        }
        return lockFile;
    }

    /// <summary>
    /// Appends the change set as one record and waits until it is on disk. Changes to ephemeral columns only write
    /// nothing. The caller applies the change set to <see cref="Database"/> afterwards.
    /// </summary>
    public void Commit(ChangeSet changes)
    {
        byte[]? json = TransactionRecords.Serialize(changes, _time.GetUtcNow().ToUnixTimeMilliseconds());
        if (json is null)
        {
            return;
        }
        byte[] record = LogRecords.Frame(json);
        long before = _stream.Length;
        try
        {
            _stream.Write(record);
            _stream.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            // Leave no partial record behind, so the next append starts on a record boundary.
            try
            {
                _stream.SetLength(before);
            }
            catch (IOException)
            {
                // The reopen-time tail check will cut the partial record instead.
            }
            throw new OvsdbException("I/O error", $"{Path}: write failed ({e.Message})");
        }
        RecordCount++;
    }

    /// <summary>True when the log has grown enough that a snapshot would be worthwhile.</summary>
    public bool ShouldCompact => RecordCount > CompactionMinRecords && _stream.Length > CompactionGrowthFactor * Math.Max(_sizeAfterCompaction, 4096);

    /// <summary>
    /// Rewrites the file as the schema plus one snapshot record: written to <c>FILE.tmp</c>, flushed, and renamed over
    /// the original, so a crash leaves either the old or the new file, never a mix.
    /// </summary>
    public void Compact()
    {
        string temporary = Path + ".tmp";
        byte[] schemaRecord = LogRecords.Frame(Encoding.UTF8.GetBytes(Schema.ToJsonString()));
        byte[] snapshot = LogRecords.Frame(TransactionRecords.Snapshot(Database, _time.GetUtcNow().ToUnixTimeMilliseconds(), "compacting database online"));
        using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            output.Write(schemaRecord);
            output.Write(snapshot);
            output.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path, overwrite: true);
        NativeFile.SyncDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        _stream.Dispose();
        _stream = new FileStream(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        _stream.Seek(0, SeekOrigin.End);
        RecordCount = 2;
        _sizeAfterCompaction = _stream.Length;
        _log($"{Path}: compacted database to {_stream.Length} bytes");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stream.Dispose();
        _lockFile?.Dispose();
    }
}
