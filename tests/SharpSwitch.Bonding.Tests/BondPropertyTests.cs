// SharpSwitch: an Open vSwitch-compatible virtual switch.
using CsCheck;

namespace SharpSwitch.Bonding.Tests;

/// <summary>
/// CsCheck properties over random sequences of link changes, time advances and operator commands, all under virtual
/// time. A failing case prints its seed and the shrunk scenario.
/// </summary>
public sealed class BondPropertyTests
{
    public abstract record Op;

    public sealed record Link(int Member, bool Carrier, bool Gate) : Op;

    public sealed record Advance(int Ms) : Op;

    public sealed record SetActive(int Member) : Op;

    public sealed record Disable(int Member) : Op;

    public sealed record Enable(int Member) : Op;

    public sealed record Maintenance(int Member, bool On) : Op;

    public sealed record Scenario(int MemberCount, int[] Priorities, bool HasPrimary, FailbackPolicy? Failback,
        int UpDelayMs, int DownDelayMs, int FailbackDelayMs, Op[] Ops)
    {
        public override string ToString() =>
            $"members={MemberCount} prio=[{string.Join(",", Priorities)}] primary={HasPrimary} failback={Failback?.ToString() ?? "default"} " +
            $"up={UpDelayMs} down={DownDelayMs} hold={FailbackDelayMs} ops=[{string.Join("; ", Ops.Select(o => o.ToString()))}]";
    }

    private static readonly Gen<Op> s_op = Gen.Frequency(
        (6, Gen.Select(Gen.Int[0, 3], Gen.Bool, Gen.Int[0, 9], (m, carrier, gate) => (Op)new Link(m, carrier, gate != 0))),
        (6, Gen.OneOf(Gen.Int[1, 60], Gen.Int[1, 1500]).Select(ms => (Op)new Advance(ms))),
        (1, Gen.Int[0, 3].Select(m => (Op)new SetActive(m))),
        (1, Gen.Int[0, 3].Select(m => (Op)new Disable(m))),
        (1, Gen.Int[0, 3].Select(m => (Op)new Enable(m))),
        (1, Gen.Select(Gen.Int[0, 3], Gen.Int[0, 2], (m, on) => (Op)new Maintenance(m, on == 0))));

    private static readonly Gen<FailbackPolicy?> s_policy = Gen.OneOf(
        Gen.Const((FailbackPolicy?)null),
        Gen.Enum<FailbackPolicy>().Select(p => (FailbackPolicy?)p));

    private static readonly Gen<Scenario> s_scenario =
        from memberCount in Gen.Int[2, 4]
        from priorities in Gen.Int[0, 3].Array[4]
        from hasPrimary in Gen.Bool
        from failback in s_policy
        from upDelay in Gen.OneOf(Gen.Const(0), Gen.Const(100), Gen.Int[1, 700])
        from downDelay in Gen.OneOf(Gen.Const(0), Gen.Const(50), Gen.Int[1, 400])
        from holdDown in Gen.OneOf(Gen.Const(0), Gen.Const(300), Gen.Int[1, 2000])
        from ops in s_op.Array[1, 80]
        select new Scenario(memberCount, priorities, hasPrimary, failback, upDelay, downDelay, holdDown, ops);

    /// <summary>Runs a scenario, checking invariants after every Run; returns the events and the final bond/show.</summary>
    private static (List<BondEvent> Events, string Show) Execute(Scenario scenario, bool check)
    {
        var sink = new RecordingSink();
        var settings = new BondSettings
        {
            UpDelayMs = scenario.UpDelayMs,
            DownDelayMs = scenario.DownDelayMs,
            Primary = scenario.HasPrimary ? "m0" : null,
            Failback = scenario.Failback,
            FailbackDelayMs = scenario.FailbackDelayMs,
        };
        var bond = new Bond("bond0", settings, sink);
        int n = scenario.MemberCount;
        var carrier = new bool[n];
        var gate = new bool[n];
        var maintenance = new bool[n];
        var modelStableSince = new long?[n];
        for (int i = 0; i < n; i++)
        {
            carrier[i] = true;
            gate[i] = true;
            bond.AddMember($"m{i}", TestBonds.Mac(i + 1), new MemberSettings { Priority = scenario.Priorities[i] }, true, 0);
        }
        long now = 0;

        void RunAndCheck()
        {
            bond.Run(now);
            if (!check)
            {
                return;
            }
            // (a) The active member is never a disabled member, nor one in maintenance.
            BondMember? active = bond.ActiveMember;
            Assert.True(active is null || active.Enabled, $"active {active} is disabled at {now}");
            Assert.True(active is null || !active.Settings.MaintenanceDisabled);
            // With every input unchanged, a second Run at the same instant is a no-op.
            int before = sink.Events.Count;
            Assert.False(bond.Run(now));
            Assert.Equal(before, sink.Events.Count);

            for (int i = 0; i < n; i++)
            {
                BondMember member = bond.Members[i];
                bool up = carrier[i] && gate[i] && !maintenance[i];
                if (!member.Enabled || !up)
                {
                    modelStableSince[i] = null;
                }
                else
                {
                    modelStableSince[i] ??= now;
                }
            }

            // (b) Under "always" (explicit, or OVS's default when a primary is set) the preferred member is active
            // whenever it has been enabled, without a flap, for at least the hold-down; under "better" no such member
            // with a higher priority than the active one is left waiting. The preferred member is the primary when
            // there is one, otherwise (explicit policies only) the enabled member with the highest priority, then name.
            FailbackPolicy effective = scenario.Failback ?? (scenario.HasPrimary ? FailbackPolicy.Always : FailbackPolicy.Never);
            BondMember? preferred = null;
            if (scenario.HasPrimary)
            {
                preferred = bond.Members[0].Enabled ? bond.Members[0] : null;
            }
            else if (scenario.Failback is not null)
            {
                preferred = bond.Members.Where(m => m.Enabled)
                    .OrderByDescending(m => m.Settings.Priority).ThenBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault();
            }
            if (preferred is not null && active is not null)
            {
                bool due = scenario.FailbackDelayMs == 0
                    || (modelStableSince[preferred.Index] is long since && now - since >= scenario.FailbackDelayMs);
                if (due && effective == FailbackPolicy.Always)
                {
                    Assert.True(ReferenceEquals(active, preferred), $"{preferred.Name} preferred and due at {now} but active is {active}");
                }
                if (due && effective == FailbackPolicy.Better)
                {
                    Assert.True(preferred.Settings.Priority <= active.Settings.Priority,
                        $"{preferred.Name} (priority {preferred.Settings.Priority}) due at {now} but {active} has priority {active.Settings.Priority}");
                }
            }

            // After a Run every pending timer lies in the future.
            Assert.True(bond.NextWakeMs > now, $"timer at {bond.NextWakeMs} left pending at {now}");
        }

        RunAndCheck();
        foreach (Op op in scenario.Ops)
        {
            switch (op)
            {
                case Link link when link.Member < n:
                    carrier[link.Member] = link.Carrier;
                    gate[link.Member] = link.Gate;
                    bond.SetMemberLink($"m{link.Member}", link.Carrier, link.Gate, now);
                    RunAndCheck();
                    break;
                case Advance advance:
                    long target = now + advance.Ms;
                    while (bond.NextWakeMs <= target)
                    {
                        long wake = bond.NextWakeMs;
                        if (check && wake - 1 > now)
                        {
                            // Nothing may happen before the announced wake-up time.
                            int before = sink.Events.Count;
                            bond.Run(wake - 1);
                            Assert.Equal(before, sink.Events.Count);
                        }
                        now = Math.Max(now, wake);
                        RunAndCheck();
                    }
                    now = target;
                    RunAndCheck();
                    break;
                case SetActive set when set.Member < n:
                    try
                    {
                        bond.SetActiveMember($"m{set.Member}", now);
                        Assert.True(bond.Members[set.Member].Enabled);
                        Assert.Same(bond.Members[set.Member], bond.ActiveMember);
                    }
                    catch (BondCommandException e)
                    {
                        Assert.Equal("cannot make disabled member active", e.Message);
                        Assert.False(bond.Members[set.Member].Enabled);
                    }
                    RunAndCheck();
                    break;
                case Disable disable when disable.Member < n:
                    Assert.Equal("disabled", bond.DisableMember($"m{disable.Member}", now));
                    modelStableSince[disable.Member] = null;
                    RunAndCheck();
                    break;
                case Enable enable when enable.Member < n:
                    try
                    {
                        Assert.Equal("enabled", bond.EnableMember($"m{enable.Member}", now));
                    }
                    catch (BondCommandException)
                    {
                        Assert.True(maintenance[enable.Member]);
                    }
                    RunAndCheck();
                    break;
                case Maintenance m when m.Member < n:
                    maintenance[m.Member] = m.On;
                    bond.SetMemberSettings($"m{m.Member}", new MemberSettings { Priority = scenario.Priorities[m.Member], MaintenanceDisabled = m.On }, now);
                    RunAndCheck();
                    break;
                default:
                    break;
            }
        }
        return (sink.Events, BondText.RenderShow(bond, now));
    }

    [Fact]
    public void Active_member_is_never_disabled_and_the_preferred_member_is_active_when_due()
    {
        s_scenario.Sample(scenario => { Execute(scenario, check: true); }, iter: 3000);
    }

    [Fact]
    public void Same_inputs_give_the_same_events_and_text()
    {
        s_scenario.Sample(scenario =>
        {
            (List<BondEvent> firstEvents, string firstShow) = Execute(scenario, check: false);
            (List<BondEvent> secondEvents, string secondShow) = Execute(scenario, check: false);
            Assert.Equal(firstEvents, secondEvents);
            Assert.Equal(firstShow, secondShow);
        }, iter: 1000);
    }

    [Fact]
    public void Never_and_failure_policies_only_change_a_healthy_active_member_by_operator_command()
    {
        Gen<Scenario> gen = s_scenario.Select(s => s with { Failback = s.Ops.Length % 2 == 0 ? FailbackPolicy.Never : FailbackPolicy.Failure });
        gen.Sample(scenario =>
        {
            (List<BondEvent> events, _) = Execute(scenario, check: true);
            Assert.DoesNotContain(events, e => e.Kind == BondEventKind.ActiveChanged && e.Reason.StartsWith("failback", StringComparison.Ordinal));
        }, iter: 1000);
    }
}
