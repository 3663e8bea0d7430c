// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SharpSwitch.OvsdbDaemon;

namespace SharpSwitch.Cli.OvsdbServer;

/// <summary>
/// <c>vsw ovsdb-server</c>. A native <c>vsw</c> replaces itself with the <c>vsw-ovsdb-server</c> executable published
/// beside it, which holds only the server's code: a long-running daemon should not keep the switch's, the lab's and
/// the command-line tools' code and type data in memory (the server-only executable starts in about 5 MB less). The
/// process keeps its id across the exec, so pidfiles and supervisors see one daemon. Without that executable (the
/// IL build that tests and <c>dotnet run</c> use), the server runs in this process.
/// </summary>
internal static partial class OvsdbServerLauncher
{
    /// <summary>The file name of the server-only executable, published beside <c>vsw</c>.</summary>
    internal const string ServerExecutableName = "vsw-ovsdb-server";

    [VswSubcommand("ovsdb-server", "serve an OVSDB database (ovsdb-server compatible)")]
    internal static int Run(string[] args)
    {
        if (ServerExecutable(AppContext.BaseDirectory, isNative: !RuntimeFeature.IsDynamicCodeSupported) is { } path)
        {
            string?[] argv = [path, .. args, null];
            Execv(path, argv);
            // Only a failed exec returns; the server then still runs, in this process.
            Console.Error.WriteLine($"vsw ovsdb-server: could not run {path} ({Marshal.GetLastPInvokeErrorMessage()}); serving from vsw itself");
        }
        return OvsdbServerCommand.Run(args);
    }

    /// <summary>
    /// The server-only executable to hand over to, or null to serve in this process: only a native <c>vsw</c> hands
    /// over (an IL build would start a second runtime for nothing), and only to an executable file in its own folder.
    /// </summary>
    internal static string? ServerExecutable(string baseDirectory, bool isNative)
    {
        if (!isNative)
        {
            return null;
        }
        string path = Path.Combine(baseDirectory, ServerExecutableName);
        return File.Exists(path) && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0 ? path : null;
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execv(string path, string?[] argv);
}
