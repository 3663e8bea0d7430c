// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Globalization;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>
/// Parses <c>ovs-vsctl [OPTIONS] COMMAND [ARG...] [-- [OPTIONS] COMMAND [ARG...]]...</c> with ovs-vsctl's rules and
/// error messages: global options come first, per-command options written there belong to the first command, and
/// each command group may start with its own options.
/// </summary>
internal static class VsctlCommandLine
{
    /// <summary>What the caller should do besides running commands.</summary>
    internal enum Action
    {
        Run,
        Help,
        Version,
    }

    public static (Action Action, VsctlSettings Settings, List<VsctlInvocation> Commands) Parse(IReadOnlyList<string> args)
    {
        var settings = new VsctlSettings();
        var firstCommandOptions = new Dictionary<string, string?>(StringComparer.Ordinal);
        int index = 0;
        while (index < args.Count)
        {
            string arg = args[index];
            if (arg == "--")
            {
                index++;
                break;
            }
            if (!arg.StartsWith('-') || arg == "-")
            {
                break;
            }
            index++;
            (string name, string? value) = SplitOption(arg);
            string TakeValue()
            {
                if (value is not null)
                {
                    return value;
                }
                if (index >= args.Count)
                {
                    throw new VsctlException($"option '{name}' requires an argument");
                }
                return args[index++];
            }
            switch (name)
            {
                case "--db":
                    settings.Database = TakeValue();
                    break;
                case "--no-wait":
                    settings.NoWait = true;
                    break;
                case "--dry-run":
                    settings.DryRun = true;
                    break;
                case "--leader-only":
                case "--no-leader-only":
                    // ovs-vsctl 3.1 takes both spellings without listing them in --help; like getopt it refuses a
                    // value, so a typo such as --leader-only=false cannot silently mean the opposite.
                    if (value is not null)
                    {
                        throw new VsctlException($"option '{name}' doesn't allow an argument");
                    }
                    settings.LeaderOnly = name == "--leader-only";
                    break;
                case "-t":
                case "--timeout":
                    {
                        string text = TakeValue();
                        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
                        {
                            throw new VsctlException($"value {text} on -t or --timeout is invalid");
                        }
                        settings.TimeoutSeconds = seconds;
                        break;
                    }
                case "-f":
                case "--format":
                    settings.Format = TakeValue() switch
                    {
                        "list" => TableFormat.List,
                        "table" => TableFormat.Table,
                        "csv" => TableFormat.Csv,
                        "json" => TableFormat.Json,
                        "html" => TableFormat.Html,
                        string other => throw new VsctlException($"unknown output format \"{other}\""),
                    };
                    break;
                case "-d":
                case "--data":
                    settings.Data = TakeValue() switch
                    {
                        "string" => CellFormat.String,
                        "bare" => CellFormat.Bare,
                        "json" => CellFormat.Json,
                        string other => throw new VsctlException($"unknown data format \"{other}\""),
                    };
                    break;
                case "--bare":
                    settings.Format = TableFormat.List;
                    settings.Data = CellFormat.Bare;
                    settings.NoHeadings = true;
                    break;
                case "--no-headings":
                    settings.NoHeadings = true;
                    break;
                case "--pretty":
                    settings.Pretty = true;
                    break;
                case "--columns":
                    settings.Columns = TakeValue();
                    break;
                case "--oneline":
                case "--no-syslog":
                case "--retry":
                case "-v":
                case "--verbose":
                    // Accepted for compatibility; they only change logging and reconnection, which we do not vary.
                    break;
                case "-h":
                case "--help":
                    return (Action.Help, settings, []);
                case "-V":
                case "--version":
                    return (Action.Version, settings, []);
                default:
                    if (VsctlCommands.CommandOptions.Contains(name))
                    {
                        if (!firstCommandOptions.TryAdd(name, value))
                        {
                            throw new VsctlException($"'{name}' option specified multiple times");
                        }
                        break;
                    }
                    throw new VsctlException(arg.StartsWith("--", StringComparison.Ordinal)
                        ? $"unrecognized option '{name}'"
                        : $"invalid option -- '{arg.TrimStart('-')}'");
            }
        }
        var commands = new List<VsctlInvocation>();
        var group = new List<string>();
        bool first = true;
        for (; index <= args.Count; index++)
        {
            if (index == args.Count || args[index] == "--")
            {
                if (group.Count > 0 || index < args.Count || commands.Count == 0)
                {
                    commands.Add(ParseGroup(group, first ? firstCommandOptions : null));
                    first = false;
                }
                group.Clear();
                continue;
            }
            group.Add(args[index]);
        }
        return (Action.Run, settings, commands);
    }

    private static VsctlInvocation ParseGroup(List<string> words, Dictionary<string, string?>? inherited)
    {
        var options = new Dictionary<string, string?>(inherited ?? [], StringComparer.Ordinal);
        int i = 0;
        for (; i < words.Count && words[i].StartsWith('-'); i++)
        {
            (string name, string? value) = SplitOption(words[i]);
            if (!options.TryAdd(name, value))
            {
                throw new VsctlException($"'{name}' option specified multiple times");
            }
        }
        if (i >= words.Count)
        {
            throw new VsctlException("missing command name (use --help for help)");
        }
        string commandName = words[i];
        if (!VsctlCommands.All.TryGetValue(commandName, out VsctlCommandSpec? spec))
        {
            throw new VsctlException($"unknown command '{commandName}'; use --help for help");
        }
        foreach ((string name, string? value) in options)
        {
            if (!spec.Accepts(name))
            {
                throw new VsctlException($"'{commandName}' command has no '{name}' option");
            }
            if (spec.Options.Contains(name + "=") && value is null)
            {
                throw new VsctlException($"missing argument to '{name}' option on '{commandName}' command");
            }
            if (spec.Options.Contains(name) && value is not null)
            {
                throw new VsctlException($"'{name}' option on '{commandName}' does not accept an argument");
            }
        }
        List<string> args = words.GetRange(i + 1, words.Count - i - 1);
        if (args.Count < spec.MinArgs)
        {
            throw new VsctlException($"'{commandName}' command requires at least {spec.MinArgs} arguments");
        }
        if (args.Count > spec.MaxArgs)
        {
            string note = args.Any(a => a.StartsWith('-')) ? " (note that options must precede command names and follow a \"--\" argument)" : "";
            throw new VsctlException($"'{commandName}' command takes at most {spec.MaxArgs} arguments{note}");
        }
        return new VsctlInvocation(spec, args, options);
    }

    private static (string Name, string? Value) SplitOption(string arg)
    {
        int equals = arg.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (arg, null) : (arg[..equals], arg[(equals + 1)..]);
    }
}
