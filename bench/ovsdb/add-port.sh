#!/usr/bin/env bash
# Time `ovs-vsctl --no-wait add-port br0 pN` against the real ovsdb-server (OVS) and against
# `vsw ovsdb-server` (SharpSwitch), each on a fresh database, alternating between the two servers.
#
#   N=1000 bench/ovsdb/add-port.sh          # default N=1000; N=50 for a quick run
#
# Environment:
#   N        number of ports added to each server (default 1000)
#   VSW_BIN  the native vsw executable to run (default: artifacts/native/vsw of this checkout, made by
#            tools/publish-native.sh); this is how an operator runs the daemon
#   VSW_DLL  the fallback when VSW_BIN does not exist: `dotnet VSW_DLL` (default:
#            src/SharpSwitch.Cli/bin/Release/net10.0/vsw.dll; build it with `dotnet build src/SharpSwitch.Cli -c Release`),
#            run with the collector settings the native build bakes in (DOTNET_GCgen0size, DOTNET_GCRegionSize,
#            DOTNET_GCLatencyLevel)
#   KEEP_TIMES=DIR  also copy the raw per-command times (microseconds, one a line) to DIR
#   SETTLE   seconds to wait after the ports before measuring both servers' VmRSS a second time (default 3; 0: skip)
#
# Each ovs-vsctl invocation is timed on its own (bash $EPOCHREALTIME before and after, no extra fork), so a
# figure is the whole client round trip: process start, connect, get the schema, transact, exit. The order of
# the two servers swaps at every port so that drifting machine load hits both alike. Everything lives in one
# temp dir (unix sockets only) which is removed, with every daemon started here, on exit.
set -euo pipefail
export LC_ALL=C

N=${N:-1000}
SETTLE=${SETTLE:-3}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
SCHEMA=${SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}

[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive integer" >&2; exit 2; }
[[ $SETTLE =~ ^[0-9]+$ ]] || { echo "SETTLE must be a whole number of seconds" >&2; exit 2; }
source "$repo/bench/lib/vsw.sh"
require_tools ovsdb-server ovsdb-tool ovs-vsctl ovs-appctl

tmp=$(mktemp -d /tmp/ssb-ovsdb.XXXXXX)
pids=()
cleanup() {
    local pid i
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
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
        kill -0 "$2" 2>/dev/null || { echo "server $2 died before creating $1" >&2; return 1; }
        sleep 0.1
    done
    echo "timed out waiting for $1" >&2
    return 1
}

# --- real ovsdb-server ---
mkdir "$tmp/real" "$tmp/ours"
ovsdb-tool create "$tmp/real/conf.db" "$SCHEMA"
ovsdb-server "$tmp/real/conf.db" --remote="punix:$tmp/real/db.sock" --pidfile="$tmp/real/ovsdb-server.pid" \
    --unixctl="$tmp/real/ovsdb-server.ctl" --log-file="$tmp/real/ovsdb-server.log" --detach --no-chdir \
    2>"$tmp/real/stderr" || { cat "$tmp/real/stderr" >&2; exit 1; }
real_pid=$(cat "$tmp/real/ovsdb-server.pid")
pids+=("$real_pid")
wait_for_socket "$tmp/real/db.sock" "$real_pid"

# --- vsw ovsdb-server (does not detach) ---
"${vsw[@]}" ovsdb-server "$tmp/ours/conf.db" --remote="punix:$tmp/ours/db.sock" \
    --pidfile="$tmp/ours/ovsdb-server.pid" --unixctl="$tmp/ours/ovsdb-server.ctl" \
    --log-file="$tmp/ours/ovsdb-server.log" >"$tmp/ours/stdout" 2>&1 &
ours_pid=$!
pids+=("$ours_pid")
wait_for_socket "$tmp/ours/db.sock" "$ours_pid"

names=(real ours)
socks=("$tmp/real/db.sock" "$tmp/ours/db.sock")
srvpids=("$real_pid" "$ours_pid")

for s in 0 1; do
    ovs-vsctl --db="unix:${socks[s]}" --timeout=60 --no-wait init
    ovs-vsctl --db="unix:${socks[s]}" --timeout=60 --no-wait add-br br0
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
        ovs-vsctl --db="unix:${socks[s]}" --timeout=60 --no-wait add-port br0 "p$i"
        t1=$EPOCHREALTIME
        echo $(( ${t1/./} - ${t0/./} )) >>"$tmp/${names[s]}.times"
    done
done
wall_end=$EPOCHREALTIME
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cpu_after=("$(cpu_ticks "$real_pid")" "$(cpu_ticks "$ours_pid")")
# CPU milliseconds the daemon spent per add-port (less sensitive to the machine's load than wall time)
cpu_ms() { awk -v a="${cpu_before[$1]}" -v b="${cpu_after[$1]}" -v hz="$hz" -v n="$N" 'BEGIN { printf "%.2f", (b - a) * 1000 / hz / n }'; }

for s in 0 1; do
    got=$(ovs-vsctl --db="unix:${socks[s]}" --timeout=60 list-ports br0 | wc -l)
    [[ $got == "$N" ]] || { echo "${names[s]}: expected $N ports, found $got" >&2; exit 1; }
done
rss_after=("$(rss_kb "$real_pid")" "$(rss_kb "$ours_pid")")
split_after=("$(rss_split "$real_pid")" "$(rss_split "$ours_pid")")
memory_real=$(ovs-appctl -t "$tmp/real/ovsdb-server.ctl" memory/show | tr '\n' ' ')
memory_ours=$(ovs-appctl -t "$tmp/ours/ovsdb-server.ctl" memory/show | tr '\n' ' ')
# The same again for both servers after SETTLE seconds without requests: a server that gives memory back once
# it is idle shows it here, the immediate figure above stays the headline.
if ((SETTLE > 0)); then
    sleep "$SETTLE"
    rss_settled=("$(rss_kb "$real_pid")" "$(rss_kb "$ours_pid")")
    split_settled=("$(rss_split "$real_pid")" "$(rss_split "$ours_pid")")
fi

# stats FILE -> "median p90 mean total" in microseconds (nearest-rank percentiles)
stats() {
    sort -n "$1" | awk '{ v[NR] = $1; sum += $1 }
        END { m = int((NR + 1) / 2); p = int(0.9 * NR); if (p < 0.9 * NR) p++;
              printf "%d %d %d %d\n", v[m], v[p], sum / NR, sum }'
}
read -r r_med r_p90 r_mean r_tot < <(stats "$tmp/real.times")
read -r o_med o_p90 o_mean o_tot < <(stats "$tmp/ours.times")
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }

if [[ -n ${KEEP_TIMES:-} ]]; then mkdir -p "$KEEP_TIMES"; cp "$tmp/real.times" "$tmp/ours.times" "$KEEP_TIMES/"; fi

echo "ovs-vsctl --no-wait add-port br0 pN, N=$N per server, alternating (order swapped every port)"
echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')  cores: $(nproc)  load average before: $load_before  after: $load_after"
echo "real: $(ovsdb-server --version | head -1)   ours: vsw ovsdb-server, $vsw_kind"
printf '%-6s %12s %12s %12s %12s %14s %14s\n' server median_ms p90_ms mean_ms total_s rss_start_kB "rss_N_kB"
printf '%-6s %12s %12s %12s %12s %14s %14s\n' real "$(ms "$r_med")" "$(ms "$r_p90")" "$(ms "$r_mean")" \
    "$(awk -v u="$r_tot" 'BEGIN { printf "%.2f", u / 1e6 }')" "${rss_before[0]}" "${rss_after[0]}"
printf '%-6s %12s %12s %12s %12s %14s %14s\n' ours "$(ms "$o_med")" "$(ms "$o_p90")" "$(ms "$o_mean")" \
    "$(awk -v u="$o_tot" 'BEGIN { printf "%.2f", u / 1e6 }')" "${rss_before[1]}" "${rss_after[1]}"
echo "ratio ours/real: median $(ratio "$o_med" "$r_med")  p90 $(ratio "$o_p90" "$r_p90")  total $(ratio "$o_tot" "$r_tot")  RSS $(ratio "${rss_after[1]}" "${rss_after[0]}")"
echo "server CPU time per add-port (user+sys of the daemon during the loop): real $(cpu_ms 0) ms  ours $(cpu_ms 1) ms  ratio $(ratio "$(cpu_ms 1)" "$(cpu_ms 0)")"
echo "VmRSS after $N ports as anon+file+shmem kB: real ${split_after[0]}  ours ${split_after[1]}"
if ((SETTLE > 0)); then
    echo "VmRSS ${SETTLE} s later, no requests in between: real ${rss_settled[0]} kB (${split_settled[0]})  ours ${rss_settled[1]} kB (${split_settled[1]})  ratio $(ratio "${rss_settled[1]}" "${rss_settled[0]}")"
fi
echo "wall time of the loop (both servers): $(awk -v a="${wall_start/./}" -v b="${wall_end/./}" 'BEGIN { printf "%.1f", (b - a) / 1e6 }') s"
echo "memory/show after $N ports: real: $memory_real"
echo "                            ours: $memory_ours"
