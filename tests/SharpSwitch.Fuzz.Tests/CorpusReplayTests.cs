// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Fuzz.Tests;

/// <summary>Replays every file of every fuzz target's corpus (and every recorded crasher) as an ordinary test.</summary>
public sealed class CorpusReplayTests
{
    public static string CorpusRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !Directory.Exists(Path.Combine(dir, "tests", "TestData", "corpus")))
            {
                dir = Path.GetDirectoryName(dir);
            }
            return dir is null ? throw new DirectoryNotFoundException("tests/TestData/corpus not found above " + AppContext.BaseDirectory) : Path.Combine(dir, "tests", "TestData", "corpus");
        }
    }

    public static TheoryData<string, string> CorpusFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (string target in FuzzTargets.All.Keys.Order(StringComparer.Ordinal))
        {
            string dir = Path.Combine(CorpusRoot, target);
            if (!Directory.Exists(dir))
            {
                continue;
            }
            foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                data.Add(target, Path.GetRelativePath(dir, file));
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Corpus_input_is_handled_without_a_crash(string target, string file)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(CorpusRoot, target, file));
        FuzzTargets.All[target](input);
    }

    [Fact]
    public void Every_target_has_a_seed_corpus()
    {
        foreach (string target in FuzzTargets.All.Keys)
        {
            string dir = Path.Combine(CorpusRoot, target);
            Assert.True(Directory.Exists(dir) && Directory.EnumerateFiles(dir).Any(), $"fuzz target {target} has no corpus in {dir}");
        }
    }
}
