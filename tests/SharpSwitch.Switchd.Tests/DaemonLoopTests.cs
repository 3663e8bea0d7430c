// SharpSwitch: an Open vSwitch-compatible virtual switch.
using SharpSwitch.Testing;

namespace SharpSwitch.Switchd.Tests;

/// <summary>
/// The daemon's own loop thread (<see cref="SwitchDaemon.RunAsync"/>): commands run on it, and waking it to do
/// nothing in particular costs no allocation on it, since under traffic it wakes for every burst.
/// </summary>
public sealed class DaemonLoopTests
{
    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")]
    public async Task Commands_run_on_the_one_named_loop_thread()
    {
        await using SwitchSandbox sandbox = await SwitchSandbox.StartAsync(SwitchKind.SharpSwitch);
        SwitchDaemon daemon = sandbox.Daemon!;
        sandbox.Vsctl("add-br", "br0", "--", "add-bond", "br0", "bond0", "d1", "d2", "--", "set", "interface", "d1", "type=dummy",
            "--", "set", "interface", "d2", "type=dummy");
        var threads = new HashSet<int>();
        for (int i = 0; i < 20; i++)
        {
            (string? name, int id, bool onLoop) = await daemon.InvokeAsync(() => (Thread.CurrentThread.Name, Environment.CurrentManagedThreadId, daemon.IsOnLoopThread));
            Assert.Equal(SwitchDaemon.LoopThreadName, name);
            Assert.True(onLoop);
            threads.Add(id);
        }
        Assert.Single(threads);
        // The status write's continuation came back to the same thread: the configuration reached cur_cfg.
        Assert.Equal(sandbox.Vsctl("get", "Open_vSwitch", ".", "next_cfg").Trim(), sandbox.Vsctl("get", "Open_vSwitch", ".", "cur_cfg").Trim());
    }

    [RequiresToolsFact("ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")]
    public async Task A_wake_of_the_loop_allocates_nothing_on_it()
    {
        await using SwitchSandbox sandbox = await SwitchSandbox.StartAsync(SwitchKind.SharpSwitch);
        SwitchDaemon daemon = sandbox.Daemon!;
        sandbox.Vsctl("add-br", "br0", "--", "add-bond", "br0", "bond0", "d1", "d2", "--", "set", "interface", "d1", "type=dummy",
            "--", "set", "interface", "d2", "type=dummy", "--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy");
        const int wakes = 200;
        long best = long.MaxValue;
        // The lowest of a few windows, so that a statistics write (every 5 s, it does allocate) falling into one
        // window does not decide the test.
        for (int window = 0; window < 4; window++)
        {
            // ConfigureAwait(false): resuming on the test framework's context would post from the loop thread, and that
            // allocation would be the test's, not the loop's.
            long before = await daemon.InvokeAsync(GC.GetAllocatedBytesForCurrentThread).ConfigureAwait(false);
            for (int i = 0; i < wakes; i++)
            {
                // Each command is posted while the loop sleeps, so each is one wake and one full iteration.
                await daemon.InvokeAsync(static () => 0).ConfigureAwait(false);
            }
            long after = await daemon.InvokeAsync(GC.GetAllocatedBytesForCurrentThread).ConfigureAwait(false);
            best = Math.Min(best, after - before);
        }
        Assert.True(best / wakes < 16, $"the loop thread allocated {best} bytes over {wakes} wakes");
    }
}
