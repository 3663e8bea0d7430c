// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Runtime.InteropServices;

namespace SharpSwitch.Ovsdb.Storage;

/// <summary>
/// The one POSIX call .NET lacks for durable renames: fsync on a directory, so that a renamed file's new name
/// survives a crash as well as its contents.
/// </summary>
internal static partial class NativeFile
{
    private const int ReadOnly = 0;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    /// <summary>Flushes a directory's entries to disk; best effort on systems without POSIX semantics.</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }
        int fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            return;
        }
        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }
}
