// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using SharpSwitch.Ovsdb;
using SharpSwitch.Ovsdb.Data;
using SharpSwitch.Ovsdb.Idl;

namespace SharpSwitch.Cli.Vsctl;

/// <summary>
/// <c>vsw vsctl</c>: ovs-vsctl's command language, output and exit codes, on top of the SharpSwitch IDL. Like
/// ovs-vsctl it reads the database, runs every command against that snapshot inside one transaction, commits, and
/// starts over when a verified column changed meanwhile; without <c>--no-wait</c> it then waits until the switch
/// has applied the new configuration (<c>cur_cfg</c> catching up with <c>next_cfg</c>).
/// </summary>
internal static class VsctlCommand
{
    private const string DefaultRunDirectory = "/var/run/openvswitch";

    /// <summary>Where a run's output goes and what happens when <c>--timeout</c> expires.</summary>
    internal sealed class Host
    {
        public required TextWriter Out { get; init; }

        public required TextWriter Error { get; init; }

        public Func<string, string?> GetEnvironment { get; init; } = Environment.GetEnvironmentVariable;

        /// <summary>The clock behind <c>--timeout</c> and the connection's timers; tests pass a fake one.</summary>
        public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

        /// <summary>
        /// Called when <c>--timeout</c> expires. ovs-vsctl is killed by SIGALRM then (the shell reports status 142),
        /// so the real entry point raises that signal; tests substitute something that does not end the test run.
        /// </summary>
        public Func<int> OnTimeout { get; init; } = RaiseAlarm;
    }

    [VswSubcommand("vsctl", "configure the switch database, with ovs-vsctl's commands and output")]
    internal static int Run(string[] args)
    {
        return Run(args, new Host { Out = Console.Out, Error = Console.Error });
    }

    internal static int Run(string[] args, Host host)
    {
        try
        {
            return RunAsync(args, host).GetAwaiter().GetResult();
        }
        catch (VsctlException ex)
        {
            host.Error.Write($"ovs-vsctl: {ex.Message}\n");
            return ex.ExitCode;
        }
        catch (VsctlExitException ex)
        {
            return ex.ExitCode;
        }
        catch (Exception ex) when (ex is IOException or SharpSwitch.Ovsdb.OvsdbException or SharpSwitch.JsonRpc.JsonRpcProtocolException or InvalidOperationException or ArgumentException)
        {
            // Whatever goes wrong, the user gets one line and a failure status rather than a stack trace.
            host.Error.Write($"ovs-vsctl: {ex.Message}\n");
            return 1;
        }
    }

    private static async Task<int> RunAsync(string[] args, Host host)
    {
        (VsctlCommandLine.Action action, VsctlSettings settings, List<VsctlInvocation> commands) = VsctlCommandLine.Parse(args);
        if (action == VsctlCommandLine.Action.Help)
        {
            host.Out.Write(Usage());
            return 0;
        }
        if (action == VsctlCommandLine.Action.Version)
        {
            host.Out.Write("ovs-vsctl (Open vSwitch) 3.1.0\nDB Schema 8.3.1\n");
            return 0;
        }
        string database = settings.Database ?? "unix:" + (host.GetEnvironment("OVS_RUNDIR") ?? DefaultRunDirectory) + "/db.sock";
        using CancellationTokenSource timeout = settings.TimeoutSeconds is int seconds && seconds > 0
            ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds), host.TimeProvider)
            : new CancellationTokenSource();
        try
        {
            return await ExecuteAsync(database, settings, commands, args, host, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // ovs-vsctl's signal handler logs the alarm before the process dies of it.
            host.Error.Write(VsctlLog.Format(2, "fatal_signal", "terminating with signal 14 (Alarm clock)"));
            host.Error.Flush();
            return host.OnTimeout();
        }
    }

    private static async Task<int> ExecuteAsync(string database, VsctlSettings settings, List<VsctlInvocation> commands, string[] args, Host host, CancellationToken cancellationToken)
    {
        if (!SharpSwitch.JsonRpc.JsonRpcRemoteList.TryParse(database, out _, out _))
        {
            throw new VsctlException($"{database}: database connection failed (Address family not supported by protocol)");
        }
        OvsdbIdl idl;
        try
        {
            idl = await OvsdbIdl.ConnectAsync(database, new IdlOptions { FirstRequestId = 1, Reconnect = true, LeaderOnly = settings.LeaderOnly, TimeProvider = host.TimeProvider }, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new VsctlException($"{database}: database connection failed ({SocketErrors.Describe(ex)})");
        }
        catch (Exception ex) when (ex is IOException or OvsdbException or SharpSwitch.JsonRpc.JsonRpcProtocolException)
        {
            throw new VsctlException($"{database}: database connection failed ({ex.Message})");
        }
        await using (idl.ConfigureAwait(false))
        {
            string comment = "ovs-vsctl (invoked by vsw): ovs-vsctl " + string.Join(' ', args);
            while (true)
            {
                idl.Run();
                long generation = idl.ConnectionGeneration;
                IdlTransaction txn = idl.CreateTransaction();
                var run = new VsctlRun();
                var outputs = new List<StringBuilder>();
                bool tryAgain = false;
                try
                {
                    txn.AddComment(comment);
                    IdlRow? ovs = idl.GetTable("Open_vSwitch").Rows.FirstOrDefault();
                    if (ovs is null)
                    {
                        txn.VerifyTableEmpty("Open_vSwitch");
                        ovs = txn.Insert("Open_vSwitch");
                    }
                    if (!settings.NoWait)
                    {
                        txn.Increment(ovs, "next_cfg");
                    }
                    var symbols = new SymbolTable();
                    foreach (VsctlInvocation command in commands)
                    {
                        var context = new VsctlContext(idl, txn, ovs, symbols, settings, run)
                        {
                            Args = command.Args,
                            Options = command.Options,
                        };
                        command.Spec.Handler(context);
                        outputs.Add(context.Output);
                        if (context.TryAgain)
                        {
                            tryAgain = true;
                            break;
                        }
                    }
                    if (!tryAgain)
                    {
                        foreach ((string name, SymbolTable.Symbol symbol) in symbols.All)
                        {
                            if (!symbol.Created)
                            {
                                throw new VsctlException($"row id \"{name}\" is referenced but never created (e.g. with \"-- --id={name} create ...\")");
                            }
                            if (run.CreatedSymbols.TryGetValue(name, out Ovsdb.Schema.TableSchema? table) && !table.IsRoot && !symbol.StrongReference && !symbol.WeakReference)
                            {
                                // The server will garbage-collect such a row at once, which is rarely what was meant.
                                VsctlLog.Warn(run, "vsctl", $"row id \"{name}\" was created but no reference to it was inserted, so it will not actually appear in the database");
                            }
                        }
                    }
                }
                catch
                {
                    txn.Dispose();
                    throw;
                }
                finally
                {
                    foreach (string warning in run.Warnings)
                    {
                        host.Error.Write(warning);
                    }
                }
                if (tryAgain)
                {
                    txn.Dispose();
                    await idl.WaitForUpdatesAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                IdlCommitResult result;
                if (settings.DryRun)
                {
                    txn.Dispose();
                    result = IdlCommitResult.NotSent;
                }
                else
                {
                    result = await txn.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                switch (result.Status)
                {
                    case IdlTransactionStatus.TryAgain when result.ConnectionLost:
                        // The server went away before answering (a cluster leader killed, say): the commit may or may
                        // not have happened. Like ovs-vsctl, wait for the replica to follow a server again, which
                        // brings the commit in if it happened, and re-run every command from that fresh view, so
                        // an add-port that did land now fails as a duplicate instead of being applied twice.
                        await WaitForReconnectionAsync(idl, generation, cancellationToken).ConfigureAwait(false);
                        continue;
                    case IdlTransactionStatus.TryAgain:
                        continue;
                    case IdlTransactionStatus.Error:
                        host.Error.Write(VsctlLog.Format(2 + run.Warnings.Count, "ovsdb_idl", $"transaction error: {result.Error}"));
                        throw new VsctlException($"transaction error: {result.Error}");
                    case IdlTransactionStatus.NotLocked:
                        throw new VsctlException("database not locked");
                }
                foreach (Action<IdlCommitResult> fixUp in run.AfterCommit)
                {
                    fixUp(result);
                }
                foreach (StringBuilder output in outputs)
                {
                    host.Out.Write(output.ToString());
                }
                host.Out.Flush();
                if (!settings.NoWait && result.Status == IdlTransactionStatus.Success && result.IncrementedValue is long nextConfig)
                {
                    await WaitForSwitchAsync(idl, nextConfig, run, result, host, cancellationToken).ConfigureAwait(false);
                }
                return 0;
            }
        }
    }

    /// <summary>Waits until the replica follows a server again after the connection of generation <paramref name="generation"/> was lost.</summary>
    private static async Task WaitForReconnectionAsync(OvsdbIdl idl, long generation, CancellationToken cancellationToken)
    {
        while (true)
        {
            idl.Run();
            if (idl.IsConnected && idl.ConnectionGeneration != generation)
            {
                return;
            }
            await idl.WaitForUpdatesAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for <c>cur_cfg</c> to reach the configuration just committed, then reports interfaces that failed.</summary>
    private static async Task WaitForSwitchAsync(OvsdbIdl idl, long nextConfig, VsctlRun run, IdlCommitResult result, Host host, CancellationToken cancellationToken)
    {
        while (true)
        {
            idl.Run();
            IdlRow? ovs = idl.GetTable("Open_vSwitch").Rows.FirstOrDefault();
            if (ovs is not null && ovs["cur_cfg"] is { Count: 1 } current && current.Keys[0].Integer >= nextConfig)
            {
                break;
            }
            await idl.WaitForUpdatesAsync(cancellationToken).ConfigureAwait(false);
        }
        bool anyError = false;
        foreach ((IdlRow provisional, string name) in run.NewInterfaces)
        {
            Guid uuid = result.InsertedUuids.GetValueOrDefault(provisional.Uuid, provisional.Uuid);
            if (idl.GetTable("Interface").Find(uuid) is not { } iface)
            {
                continue;
            }
            Datum ofport = iface["ofport"];
            if (ofport.Count == 0 || ofport.Keys[0].Integer == -1)
            {
                Datum error = iface["error"];
                string reason = error.Count == 1 ? error.Keys[0].String : "unknown error";
                host.Error.Write($"ovs-vsctl: Error detected while setting up '{name}': {reason}.  See ovs-vswitchd log for details.\n");
                anyError = true;
            }
        }
        if (anyError)
        {
            string logDirectory = host.GetEnvironment("OVS_LOGDIR") ?? "/var/log/openvswitch";
            host.Error.Write($"ovs-vsctl: The default log directory is \"{logDirectory}\".\n");
        }
    }

    private static int RaiseAlarm()
    {
        // SIGALRM (14) ends the process the way ovs-vsctl's own alarm does; the return only runs if it is ignored.
        _ = raise(14);
        return 142;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int raise(int signal);

    private static string Usage()
    {
        var text = new StringBuilder();
        text.Append("vsw vsctl: ovs-vsctl compatible configuration of the switch database\n");
        text.Append("usage: vsw vsctl [OPTIONS] COMMAND [ARG...] [-- [OPTIONS] COMMAND [ARG...]]...\n\n");
        text.Append("Commands:\n");
        foreach (VsctlCommandSpec spec in VsctlCommands.All.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            string options = spec.Options.Count == 0 ? "" : " [" + string.Join("] [", spec.Options.Select(o => o.EndsWith('=') ? o + "VALUE" : o)) + "]";
            text.Append("  ").Append(spec.Name).Append(options).Append('\n');
        }
        text.Append("\nOptions:\n");
        text.Append("  --db=DATABASE      connect to DATABASE (default: unix:$OVS_RUNDIR/db.sock)\n");
        text.Append("  --no-wait          do not wait for the switch to reconfigure\n");
        text.Append("  -t, --timeout=SECS give up after SECS seconds\n");
        text.Append("  --dry-run          do not commit changes to the database\n");
        text.Append("  --no-leader-only   allow a clustered database's followers, not just its leader\n");
        text.Append("  --leader-only      follow only the leader of a clustered database (default)\n");
        text.Append("  -f, --format=FORMAT  list, table, csv, json or html\n");
        text.Append("  -d, --data=FORMAT  string, bare or json cells\n");
        text.Append("  --bare, --no-headings, --pretty, --columns=COLUMN,...\n");
        return text.ToString();
    }
}
