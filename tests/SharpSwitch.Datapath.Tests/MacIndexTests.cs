// SharpSwitch: an Open vSwitch-compatible virtual switch.
namespace SharpSwitch.Datapath.Tests;

public sealed class MacIndexTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Agrees_with_a_dictionary_under_random_adds_and_removes(int seed)
    {
        var random = new Random(seed);
        var index = new MacIndex();
        var model = new Dictionary<ulong, int>();
        var keys = new ulong[4096];
        var free = new Stack<int>(Enumerable.Range(0, keys.Length).Reverse());
        // Few distinct keys in a narrow range, so probe runs collide and wrap often.
        ulong[] universe = [.. Enumerable.Range(0, 600).Select(i => ((ulong)(i % 7) << 48) | (uint)(i * 3))];
        for (int step = 0; step < 200_000; step++)
        {
            ulong key = universe[random.Next(universe.Length)];
            if (model.TryGetValue(key, out int entry))
            {
                Assert.Equal(entry, index.Find(key, keys));
                if (random.Next(2) == 0)
                {
                    index.Remove(key, keys);
                    model.Remove(key);
                    free.Push(entry);
                    Assert.Equal(-1, index.Find(key, keys));
                }
            }
            else
            {
                Assert.Equal(-1, index.Find(key, keys));
                int slot = free.Pop();
                keys[slot] = key;
                index.Add(key, slot, keys);
                model.Add(key, slot);
            }
            Assert.Equal(model.Count, index.Count);
        }
        foreach ((ulong key, int entry) in model)
        {
            Assert.Equal(entry, index.Find(key, keys));
        }
    }
}
