// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;
using System.Text;

namespace SharpSwitch.Switchd.Unixctl;

/// <summary>
/// A daemon's pidfile held under a POSIX record lock for the life of the process. ovs-appctl reads the pid from
/// it and trusts it only while the lock is held (it asks with F_GETLK), so an unlocked file is as good as none.
/// </summary>
public sealed class Pidfile : IDisposable
{
    private readonly FileStream _stream;

    private Pidfile(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>Creates (or takes over a stale) pidfile, writes this process's pid and locks it.</summary>
    /// <exception cref="IOException">Another live process holds the lock.</exception>
    public static Pidfile Create(string path)
    {
        string? directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        try
        {
            // FileStream.Lock maps to fcntl(F_SETLK) on Linux, the record lock ovs-appctl checks with F_GETLK.
            if (OperatingSystem.IsMacOS())
            {
                throw new PlatformNotSupportedException("pidfile record locks are not available on macOS");
            }
            stream.Lock(0, 0);
        }
        catch (IOException)
        {
            stream.Dispose();
            throw new IOException($"{path}: already locked by a running process");
        }
        stream.SetLength(0);
        byte[] text = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        stream.Write(text);
        stream.Flush(flushToDisk: true);
        return new Pidfile(path, stream);
    }

    /// <summary>Reads the pid recorded in a pidfile, or null when the file is missing or malformed.</summary>
    public static int? ReadPid(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            string? line = reader.ReadLine();
            return int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0 ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Removes the pidfile and releases the lock, as an OVS daemon does when it exits cleanly.</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // The file may already be gone; a clean exit must not fail on that.
        }
        _stream.Dispose();
    }
}
