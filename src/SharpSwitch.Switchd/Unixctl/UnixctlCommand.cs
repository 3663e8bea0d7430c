// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Switchd.Unixctl;

/// <summary>The outcome of one unixctl command: text for stdout on success, or an error text for stderr.</summary>
/// <param name="Success">True for a result reply, false for an error reply.</param>
/// <param name="Text">The body; the server adds the trailing newline OVS adds when it is missing.</param>
public readonly record struct UnixctlResult(bool Success, string Text)
{
    /// <summary>Runs after the reply has been written, e.g. to stop the daemon once <c>exit</c> has been answered.</summary>
    public Action? AfterReply { get; init; }

    /// <summary>A successful reply.</summary>
    public static UnixctlResult Ok(string text) => new(true, text);

    /// <summary>An error reply (ovs-appctl prints it to stderr and exits 2).</summary>
    public static UnixctlResult Error(string text) => new(false, text);
}

/// <summary>
/// One command of a daemon's control socket, registered as data as OVS registers its own: the name, the usage
/// string shown by <c>list-commands</c> (null hides the command, as OVS does for aliases), the argument counts
/// checked before the handler runs, and the handler itself.
/// </summary>
/// <param name="Name">The method name on the wire, e.g. <c>bond/show</c>.</param>
/// <param name="Usage">The usage string, e.g. <c>[port]</c>; null for a hidden command.</param>
/// <param name="MinArgs">The fewest arguments accepted.</param>
/// <param name="MaxArgs">The most arguments accepted; <see cref="int.MaxValue"/> for no limit.</param>
/// <param name="Handler">Computes the reply from the arguments.</param>
public sealed record UnixctlCommand(string Name, string? Usage, int MinArgs, int MaxArgs, Func<IReadOnlyList<string>, UnixctlResult> Handler);
