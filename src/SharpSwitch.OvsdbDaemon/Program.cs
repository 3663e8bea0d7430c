// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.OvsdbDaemon;

/// <summary>
/// <c>vsw-ovsdb-server</c>: the OVSDB server on its own, as OVS ships ovsdb-server apart from its other tools. Built
/// natively it holds only the server's code, so it starts in a fraction of the memory of the whole <c>vsw</c>
/// executable, which hands <c>vsw ovsdb-server</c> over to it.
/// </summary>
internal static class Program
{
    private static int Main(string[] args) => OvsdbServerCommand.Run(args);
}
