// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Reflection;

namespace SharpSwitch.Fuzz;

/// <summary>A fuzz target: it must return normally for every input, and throws only when it finds a bug.</summary>
internal delegate void FuzzTarget(ReadOnlySpan<byte> input);

/// <summary>Marks a <c>public static void Fuzz(ReadOnlySpan&lt;byte&gt;)</c> method as the fuzz target called <see cref="Name"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class FuzzTargetAttribute(string name) : Attribute
{
    /// <summary>The target's name; its corpus lives in tests/TestData/corpus/NAME/.</summary>
    public string Name { get; } = name;
}

/// <summary>The registry of fuzz targets, found by their <see cref="FuzzTargetAttribute"/>.</summary>
internal static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, FuzzTarget> All = Discover();

    private static Dictionary<string, FuzzTarget> Discover()
    {
        var targets = new Dictionary<string, FuzzTarget>(StringComparer.Ordinal);
        foreach (Type type in typeof(FuzzTargets).Assembly.GetTypes())
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            {
                FuzzTargetAttribute? attribute = method.GetCustomAttribute<FuzzTargetAttribute>();
                if (attribute is not null)
                {
                    targets.Add(attribute.Name, method.CreateDelegate<FuzzTarget>());
                }
            }
        }
        return targets;
    }
}
