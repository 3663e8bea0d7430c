// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace SharpSwitch.Cli;

/// <summary>
/// Marks <c>static int Run(string[] args)</c> as the entry point of <c>vsw NAME</c>. Each subcommand lives in its
/// own folder and registers itself with this attribute, so the dispatcher is a table, not a chain of ifs.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class VswSubcommandAttribute(string name, string summary) : Attribute
{
    /// <summary>The word after <c>vsw</c>.</summary>
    public string Name { get; } = name;

    /// <summary>One line for <c>vsw --help</c>.</summary>
    public string Summary { get; } = summary;
}

/// <summary>Dispatches <c>vsw SUBCOMMAND ...</c> to the subcommand registered under that name.</summary>
internal static class VswCommand
{
    internal sealed record Subcommand(string Name, string Summary, Func<string[], int> Run);

    internal static readonly IReadOnlyDictionary<string, Subcommand> Subcommands = Discover();

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine("usage: vsw COMMAND [ARG...]");
            Console.WriteLine();
            Console.WriteLine("Commands:");
            foreach (Subcommand sub in Subcommands.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                Console.WriteLine($"  {sub.Name,-15} {sub.Summary}");
            }
            return args.Length == 0 ? 1 : 0;
        }
        if (args[0] is "--version" or "version")
        {
            Console.WriteLine("vsw (SharpSwitch) " + (typeof(VswCommand).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"));
            return 0;
        }
        if (!Subcommands.TryGetValue(args[0], out Subcommand? subcommand))
        {
            Console.Error.WriteLine($"vsw: unknown command '{args[0]}' (use --help)");
            return 1;
        }
        return subcommand.Run(args[1..]);
    }

    /// <summary>
    /// Collects the subcommands of the classes that hold them. The list of classes is explicit, not a scan of the
    /// assembly, so that a trimmed or NativeAOT build keeps exactly these entry points (the annotation on
    /// <see cref="AddFrom"/> tells the trimmer to keep their methods); a new subcommand folder adds its class here.
    /// </summary>
    private static Dictionary<string, Subcommand> Discover()
    {
        var table = new Dictionary<string, Subcommand>(StringComparer.Ordinal);
        AddFrom(table, typeof(Vsctl.VsctlCommand));
        AddFrom(table, typeof(Vswitchd.VswitchdCommand));
        AddFrom(table, typeof(OvsdbServer.OvsdbServerLauncher));
        AddFrom(table, typeof(Unixctl.AppctlCommand));
        AddFrom(table, typeof(Lab.LabCommand));
        AddFrom(table, typeof(Start.StartCommand));
        return table;
    }

    private static void AddFrom(
        Dictionary<string, Subcommand> table,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] Type type)
    {
        foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
        {
            VswSubcommandAttribute? attribute = method.GetCustomAttribute<VswSubcommandAttribute>();
            if (attribute is not null)
            {
                table.Add(attribute.Name, new Subcommand(attribute.Name, attribute.Summary, method.CreateDelegate<Func<string[], int>>()));
            }
        }
    }
}
