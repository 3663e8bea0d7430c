// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.OvsdbDaemon;

/// <summary>Log lines in OVS's format (<c>TIME|SEQ|ovsdb_server|LEVEL|text</c>), to a file or standard error.</summary>
internal sealed class ServerLog : IDisposable
{
    private readonly StreamWriter? _file;
    private readonly object _gate = new();
    private int _sequence;

    public ServerLog(string? path)
    {
        if (path is not null)
        {
            string? directory = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
            _file = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        }
    }

    public void Write(string level, string text)
    {
        lock (_gate)
        {
            string line = $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ}|{++_sequence:00000}|ovsdb_server|{level}|{text}";
            if (_file is not null)
            {
                _file.WriteLine(line);
            }
            else
            {
                Console.Error.WriteLine(line);
            }
        }
    }

    public void Dispose() => _file?.Dispose();
}
