// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Text;

namespace SharpSwitch.Switchd.Unixctl;

/// <summary>
/// The table of a daemon's unixctl commands. Argument-count errors, unknown-command errors and the
/// <c>list-commands</c> text all come from this table, worded exactly as OVS 3.1 words them.
/// </summary>
public sealed class UnixctlCommandTable
{
    private readonly SortedDictionary<string, UnixctlCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>Creates a table holding the two commands every OVS daemon has: <c>list-commands</c> and <c>version</c>.</summary>
    /// <param name="versionText">What <c>version</c> replies, e.g. <c>ovs-vswitchd (Open vSwitch) 3.1.0</c>.</param>
    public UnixctlCommandTable(string versionText)
    {
        Register(new UnixctlCommand("list-commands", "", 0, 0, _ => UnixctlResult.Ok(RenderListCommands())));
        Register(new UnixctlCommand("version", "", 0, 0, _ => UnixctlResult.Ok(versionText)));
    }

    /// <summary>The registered commands, sorted by name.</summary>
    public IEnumerable<UnixctlCommand> Commands => _commands.Values;

    /// <summary>Adds a command; registering a name twice is a programming error.</summary>
    public void Register(UnixctlCommand command)
    {
        if (!_commands.TryAdd(command.Name, command))
        {
            throw new InvalidOperationException($"unixctl command {command.Name} registered twice");
        }
    }

    /// <summary>Adds every command of <paramref name="commands"/>.</summary>
    public void RegisterAll(IEnumerable<UnixctlCommand> commands)
    {
        foreach (UnixctlCommand command in commands)
        {
            Register(command);
        }
    }

    /// <summary>Runs the named command after OVS's dispatch checks.</summary>
    public UnixctlResult Dispatch(string name, IReadOnlyList<string> args)
    {
        if (!_commands.TryGetValue(name, out UnixctlCommand? command))
        {
            return UnixctlResult.Error($"\"{name}\" is not a valid command (use \"list-commands\" to see a list of valid commands)");
        }
        if (args.Count < command.MinArgs)
        {
            return UnixctlResult.Error($"\"{name}\" command requires at least {command.MinArgs} arguments");
        }
        if (args.Count > command.MaxArgs)
        {
            return UnixctlResult.Error($"\"{name}\" command takes at most {command.MaxArgs} arguments");
        }
        return command.Handler(args);
    }

    /// <summary>The <c>list-commands</c> text: sorted, names padded to 23 columns, hidden commands left out.</summary>
    public string RenderListCommands()
    {
        var text = new StringBuilder("The available commands are:\n");
        foreach (UnixctlCommand command in _commands.Values)
        {
            if (command.Usage is null)
            {
                continue;
            }
            text.Append("  ").Append(command.Name.PadRight(23)).Append(' ').Append(command.Usage).Append('\n');
        }
        return text.ToString();
    }
}
