#!/usr/bin/env bash
# Latency of `ovs-vsctl add-port br0 pN -- set Interface pN type=dummy` WITHOUT --no-wait: ovs-vsctl bumps
# next_cfg and returns only once the switch has applied the change and written cur_cfg. Two setups, both on
# the real ovsdb-server so that only the switch differs:
#   real: ovsdb-server (OVS) + ovs-vswitchd (OVS) --enable-dummy=override --disable-system
#   ours: ovsdb-server (OVS) + vsw vswitchd (SharpSwitch) --enable-dummy=override
# The ports are added alternating between the two setups (the order swaps at every port).
#
#   N=1000 bench/vswitchd/add-port-latency.sh     # default N=1000; N=50 for a quick run
#
# Environment:
#   N        number of ports added to each switch (default 1000)
#   VSW_BIN  the native vsw executable to run (default: artifacts/native/vsw of this checkout, made by
#            tools/publish-native.sh); this is how an operator runs the daemon
#   VSW_DLL  the fallback when VSW_BIN does not exist: `dotnet VSW_DLL` (default:
#            src/SharpSwitch.Cli/bin/Release/net10.0/vsw.dll; build it with `dotnet build src/SharpSwitch.Cli -c Release`),
#            run with the collector settings the native build bakes in (DOTNET_GCgen0size, DOTNET_GCRegionSize,
#            DOTNET_GCLatencyLevel)
#   KEEP_TIMES=DIR  also copy the raw per-command times (microseconds, one a line, port 1 first) to DIR
#
# Each ovs-vsctl invocation is timed on its own with bash $EPOCHREALTIME (no extra fork). Real ovs-vswitchd
# runs with --enable-dummy=override --disable-system, so every interface is a dummy and the host's network is
# never touched. Everything lives in one temp dir (unix sockets only), removed with every daemon on exit.
set -euo pipefail
export LC_ALL=C

N=${N:-1000}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
SCHEMA=${SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
VSCTL_TIMEOUT=${VSCTL_TIMEOUT:-120}

[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive integer" >&2; exit 2; }
source "$repo/bench/lib/vsw.sh"
require_tools ovsdb-server ovsdb-tool ovs-vsctl ovs-vswitchd

tmp=$(mktemp -d /tmp/ssb-vswd.XXXXXX)
pids=()
cleanup() {
    local pid i
    # Switches first, then the database servers.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export OVS_RUNDIR=$tmp OVS_DBDIR=$tmp OVS_LOGDIR=$tmp

wait_for_socket() { # path pid
    local i
    for ((i = 0; i < 600; i++)); do
        [[ -S $1 ]] && return 0
        kill -0 "$2" 2>/dev/null || { echo "process $2 died before creating $1" >&2; return 1; }
        sleep 0.1
    done
    echo "timed out waiting for $1" >&2
    return 1
}

start_ovsdb() { # dir
    ovsdb-tool create "$1/conf.db" "$SCHEMA"
    ovsdb-server "$1/conf.db" --remote="punix:$1/db.sock" --pidfile="$1/ovsdb-server.pid" \
        --unixctl="$1/ovsdb-server.ctl" --log-file="$1/ovsdb-server.log" --detach --no-chdir \
        2>"$1/ovsdb-server.stderr" || { cat "$1/ovsdb-server.stderr" >&2; exit 1; }
    local pid
    pid=$(cat "$1/ovsdb-server.pid")
    pids+=("$pid")
    wait_for_socket "$1/db.sock" "$pid"
    ovs-vsctl --db="unix:$1/db.sock" --timeout="$VSCTL_TIMEOUT" --no-wait init
}

mkdir "$tmp/real" "$tmp/ours"
start_ovsdb "$tmp/real"
start_ovsdb "$tmp/ours"

# --- real ovs-vswitchd ---
ovs-vswitchd "unix:$tmp/real/db.sock" --pidfile="$tmp/real/ovs-vswitchd.pid" --unixctl="$tmp/real/ovs-vswitchd.ctl" \
    --log-file="$tmp/real/ovs-vswitchd.log" --detach --no-chdir --enable-dummy=override --disable-system \
    2>"$tmp/real/ovs-vswitchd.stderr" || { cat "$tmp/real/ovs-vswitchd.stderr" >&2; exit 1; }
real_pid=$(cat "$tmp/real/ovs-vswitchd.pid")
pids+=("$real_pid")
wait_for_socket "$tmp/real/ovs-vswitchd.ctl" "$real_pid"

# --- vsw vswitchd (does not detach) ---
"${vsw[@]}" vswitchd "unix:$tmp/ours/db.sock" --pidfile="$tmp/ours/ovs-vswitchd.pid" \
    --unixctl="$tmp/ours/ovs-vswitchd.ctl" --log-file="$tmp/ours/ovs-vswitchd.log" --enable-dummy=override \
    >"$tmp/ours/vswitchd.stdout" 2>&1 &
ours_pid=$!
pids+=("$ours_pid")
wait_for_socket "$tmp/ours/ovs-vswitchd.ctl" "$ours_pid"

names=(real ours)
socks=("$tmp/real/db.sock" "$tmp/ours/db.sock")

# add-br waits for cur_cfg too: it proves each switch is up and connected before the measurement starts.
for s in 0 1; do
    ovs-vsctl --db="unix:${socks[s]}" --timeout="$VSCTL_TIMEOUT" add-br br0
    : >"$tmp/${names[s]}.times"
done

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# "anon+file+shmem kB": the part of VmRSS that is the heap and stacks, mapped files (binaries, libraries,
# the .NET runtime and assemblies), and shared memory
rss_split() { awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } /^RssShmem:/ { s = $2 } END { printf "%d+%d+%d", a, f, s }' "/proc/$1/status"; }
# CPU time (user + system, clock ticks) used so far by process $1: fields 14 and 15 of /proc/PID/stat,
# counted after the ")" that ends the command name.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
hz=$(getconf CLK_TCK)
rss_before=("$(rss_kb "$real_pid")" "$(rss_kb "$ours_pid")")

cpu_before=("$(cpu_ticks "$real_pid")" "$(cpu_ticks "$ours_pid")")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
wall_start=$EPOCHREALTIME
for ((i = 1; i <= N; i++)); do
    if ((i % 2)); then order=(0 1); else order=(1 0); fi
    for s in "${order[@]}"; do
        t0=$EPOCHREALTIME
        ovs-vsctl --db="unix:${socks[s]}" --timeout="$VSCTL_TIMEOUT" add-port br0 "p$i" -- set Interface "p$i" type=dummy
        t1=$EPOCHREALTIME
        echo $(( ${t1/./} - ${t0/./} )) >>"$tmp/${names[s]}.times"
    done
done
wall_end=$EPOCHREALTIME
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cpu_after=("$(cpu_ticks "$real_pid")" "$(cpu_ticks "$ours_pid")")
# CPU milliseconds the daemon spent per add-port (less sensitive to the machine's load than wall time)
cpu_ms() { awk -v a="${cpu_before[$1]}" -v b="${cpu_after[$1]}" -v hz="$hz" -v n="$N" 'BEGIN { printf "%.2f", (b - a) * 1000 / hz / n }'; }

# Sanity: every port is in the database and the switch gave the first and last ones an OpenFlow port number.
for s in 0 1; do
    db="--db=unix:${socks[s]}"
    got=$(ovs-vsctl "$db" list-ports br0 | wc -l)
    [[ $got == "$N" ]] || { echo "${names[s]}: expected $N ports, found $got" >&2; exit 1; }
    for p in p1 "p$N"; do
        ofport=$(ovs-vsctl "$db" get Interface "$p" ofport)
        ((ofport > 0)) || { echo "${names[s]}: $p has ofport $ofport" >&2; exit 1; }
    done
    kill -0 "${pids[s + 2]}" || { echo "${names[s]} switch died" >&2; exit 1; }
done
rss_after=("$(rss_kb "$real_pid")" "$(rss_kb "$ours_pid")")
split_after=("$(rss_split "$real_pid")" "$(rss_split "$ours_pid")")

# stats FILE -> "first median p90 mean total" in microseconds (nearest-rank percentiles over all N)
stats() {
    first=$(head -1 "$1")
    sort -n "$1" | awk -v first="$first" '{ v[NR] = $1; sum += $1 }
        END { m = int((NR + 1) / 2); p = int(0.9 * NR); if (p < 0.9 * NR) p++;
              printf "%d %d %d %d %d\n", first, v[m], v[p], sum / NR, sum }'
}
read -r r_first r_med r_p90 r_mean r_tot < <(stats "$tmp/real.times")
read -r o_first o_med o_p90 o_mean o_tot < <(stats "$tmp/ours.times")
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
# median of the last 10% of the ports, to show whether the cost grows with the number of ports
tail_med() { tail -n $(( (N + 9) / 10 )) "$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
r_tail=$(tail_med "$tmp/real.times")
o_tail=$(tail_med "$tmp/ours.times")

if [[ -n ${KEEP_TIMES:-} ]]; then mkdir -p "$KEEP_TIMES"; cp "$tmp/real.times" "$tmp/ours.times" "$KEEP_TIMES/"; fi

echo "ovs-vsctl add-port br0 pN -- set Interface pN type=dummy (waits for cur_cfg), N=$N per switch, alternating"
echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')  cores: $(nproc)  load average before: $load_before  after: $load_after"
echo "real: $(ovs-vswitchd --version | head -1)   ours: vsw vswitchd, $vsw_kind; both on $(ovsdb-server --version | head -1)"
printf '%-6s %10s %10s %10s %14s %10s %10s %13s %13s\n' switch first_ms median_ms p90_ms last10%_med_ms mean_ms total_s rss_0_kB rss_N_kB
for s in 0 1; do
    if ((s == 0)); then set -- "$r_first" "$r_med" "$r_p90" "$r_tail" "$r_mean" "$r_tot"; else set -- "$o_first" "$o_med" "$o_p90" "$o_tail" "$o_mean" "$o_tot"; fi
    printf '%-6s %10s %10s %10s %14s %10s %10s %13s %13s\n' "${names[s]}" "$(ms "$1")" "$(ms "$2")" "$(ms "$3")" "$(ms "$4")" \
        "$(ms "$5")" "$(awk -v u="$6" 'BEGIN { printf "%.2f", u / 1e6 }')" "${rss_before[s]}" "${rss_after[s]}"
done
echo "ratio ours/real: first $(ratio "$o_first" "$r_first")  median $(ratio "$o_med" "$r_med")  p90 $(ratio "$o_p90" "$r_p90")  last10% median $(ratio "$o_tail" "$r_tail")  total $(ratio "$o_tot" "$r_tot")  RSS $(ratio "${rss_after[1]}" "${rss_after[0]}")"
echo "switch CPU time per add-port (user+sys of the daemon during the loop): real $(cpu_ms 0) ms  ours $(cpu_ms 1) ms  ratio $(ratio "$(cpu_ms 1)" "$(cpu_ms 0)")"
echo "VmRSS after $N ports as anon+file+shmem kB: real ${split_after[0]}  ours ${split_after[1]}"
echo "wall time of the loop (both switches): $(awk -v a="${wall_start/./}" -v b="${wall_end/./}" 'BEGIN { printf "%.1f", (b - a) / 1e6 }') s"
