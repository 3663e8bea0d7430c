// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Cli.Vsctl;

/// <summary>
/// A fatal ovs-vsctl error: the message is printed as <c>ovs-vsctl: MESSAGE</c> on standard error and the process
/// exits with <see cref="ExitCode"/> (1, like ovs-vsctl's ctl_fatal) without committing anything.
/// </summary>
internal sealed class VsctlException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Ends the run at once with an exit code and no message, as <c>br-exists</c> does with 2.</summary>
internal sealed class VsctlExitException(int exitCode) : Exception($"exit {exitCode}")
{
    public int ExitCode { get; } = exitCode;
}
