// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text.Json;
using SharpSwitch.Cli.OvsdbServer;

namespace SharpSwitch.JsonRpc.Tests;

/// <summary>
/// When <c>vsw ovsdb-server</c> hands over to the server-only executable, and the reflection-free JSON values the
/// server's replies are built from.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OvsdbServerLauncherTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sharpswitch-launcher-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string ServerFile(UnixFileMode mode)
    {
        string path = Path.Combine(_directory, OvsdbServerLauncher.ServerExecutableName);
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void A_native_vsw_hands_over_to_an_executable_server_beside_it()
    {
        string path = ServerFile(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Equal(path, OvsdbServerLauncher.ServerExecutable(_directory, isNative: true));
    }

    [Fact]
    public void An_il_build_serves_in_its_own_process_even_beside_the_server_executable()
    {
        ServerFile(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Null(OvsdbServerLauncher.ServerExecutable(_directory, isNative: false));
    }

    [Fact]
    public void A_native_vsw_serves_itself_when_the_server_executable_is_missing_or_not_executable()
    {
        Assert.Null(OvsdbServerLauncher.ServerExecutable(_directory, isNative: true));
        ServerFile(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Null(OvsdbServerLauncher.ServerExecutable(_directory, isNative: true));
    }

    [Fact]
    public void Plain_values_are_written_as_the_serializer_writes_them()
    {
        Assert.Equal("\"a \\\"quoted\\\" grüße\\n\"", JsonValues.String("a \"quoted\" grüße\n").GetRawText());
        Assert.Equal("-42", JsonValues.Integer(-42).GetRawText());
        Assert.Equal("""["monid","Open_vSwitch"]""", JsonValues.StringArray(["monid", "Open_vSwitch"]).GetRawText());
        Assert.Equal(JsonValueKind.Array, JsonValues.StringArray([]).ValueKind);
    }
}
