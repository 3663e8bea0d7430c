// SharpSwitch test support: facts that need something from outside the process.
using System.Diagnostics;

namespace SharpSwitch.Testing;

/// <summary>
/// Decides whether a test that needs root, namespaces or the real OVS tools can run here.
/// Elsewhere such tests skip with a printed reason; when SHARPSWITCH_REQUIRE_ALL=1 (set by .ci/run)
/// the skip is turned off, so a missing requirement fails the test instead of hiding it.
/// </summary>
public static class Requirements
{
    /// <summary>True when the environment demands that no requirement-based skip happens.</summary>
    public static bool AllRequired => Environment.GetEnvironmentVariable("SHARPSWITCH_REQUIRE_ALL") == "1";

    /// <summary>Finds an executable on PATH, or returns null.</summary>
    public static string? FindExecutable(string name)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (string dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        foreach (string dir in new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" })
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>True when this process runs as root.</summary>
    public static bool IsRoot => Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root";

    /// <summary>Returns a skip reason when one of the executables is missing, else null.</summary>
    public static string? MissingExecutables(params string[] names)
    {
        List<string> missing = names.Where(n => FindExecutable(n) is null).ToList();
        if (missing.Count == 0)
        {
            return null;
        }
        return "needs " + string.Join(", ", missing) + " on PATH (install Debian's openvswitch-switch, openvswitch-common, python3-openvswitch, tshark)";
    }

    /// <summary>Turns a skip reason into the value for a fact's Skip property, honouring SHARPSWITCH_REQUIRE_ALL.</summary>
    public static string? SkipUnlessRequired(string? reason)
    {
        if (reason is null || AllRequired)
        {
            return null;
        }
        Console.Error.WriteLine("SKIP: " + reason);
        return reason;
    }
}

/// <summary>A fact that runs only where the named executables exist (skips with the reason elsewhere).</summary>
public sealed class RequiresToolsFactAttribute : FactAttribute
{
    public RequiresToolsFactAttribute(params string[] executables)
    {
        Skip = Requirements.SkipUnlessRequired(Requirements.MissingExecutables(executables));
    }
}

/// <summary>A fact that runs only as root (network namespaces, veth, TAP).</summary>
public sealed class RequiresRootFactAttribute : FactAttribute
{
    public RequiresRootFactAttribute()
    {
        Skip = Requirements.SkipUnlessRequired(Requirements.IsRoot ? null : "needs root for network namespaces and veth pairs");
    }
}

/// <summary>Runs an external program and captures its output; used by interop tests.</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static Result Run(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, int timeoutMs = 60_000, string? standardInput = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }
        if (environment is not null)
        {
            foreach (KeyValuePair<string, string> kv in environment)
            {
                psi.Environment[kv.Key] = kv.Value;
            }
        }
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + fileName);
        if (standardInput is not null)
        {
            p.StandardInput.Write(standardInput);
            p.StandardInput.Close();
        }
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish in {timeoutMs} ms");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
