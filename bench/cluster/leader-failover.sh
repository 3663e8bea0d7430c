#!/usr/bin/env bash
# Leader failover as the switch sees it: the time from killing the leader of a 3-server OVSDB Raft cluster
# (SIGKILL) to the next configuration change being committed AND applied by the switch. The change is
# `ovs-vsctl --db=<all three remotes> set port bond-mgt bond_updelay=<round>`, started right after the kill and
# run WITHOUT --no-wait, so it returns only when the switch has written cur_cfg for it. The time therefore covers
# the Raft election (election timer 1 s), the client finding the new leader, the commit, and the switch finding
# the new leader, resynchronising, applying next_cfg and writing cur_cfg. After each round the killed server is
# started again and rejoins before the next round; the reported figure is the median of R rounds.
#
#   bench/cluster/leader-failover.sh                 # SharpSwitch's vsw vswitchd, R=10
#   SWITCH=real bench/cluster/leader-failover.sh     # real ovs-vswitchd 3.1 in the same setup, for comparison
#
# Environment:
#   R        rounds (default 10)
#   SWITCH   ours (vsw vswitchd) or real (ovs-vswitchd --enable-dummy=override --disable-system)
#   CLIENT   ovs (the real ovs-vsctl, default) or vsw (vsw vsctl) makes the change in each round
#   VSW_BIN / VSW_DLL  as in bench/vswitchd/add-port-latency.sh: the native vsw, else `dotnet VSW_DLL`
#            (default src/SharpSwitch.Cli/bin/Release/net10.0/vsw.dll; `dotnet build src/SharpSwitch.Cli -c Release`)
#   KEEP_LOGS=DIR  copy the servers' and the switch's logs and the raw times (microseconds) to DIR
#
# Everything lives in one temp dir (unix sockets only: Raft, clients and control sockets) and every daemon is
# killed on exit. The switch uses dummy interfaces, so the host's network is never touched.
set -euo pipefail
export LC_ALL=C

R=${R:-10}
SWITCH=${SWITCH:-ours}
CLIENT=${CLIENT:-ovs}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
VSW_BIN=${VSW_BIN:-$repo/artifacts/native/vsw}
VSW_DLL=${VSW_DLL:-$repo/src/SharpSwitch.Cli/bin/Release/net10.0/vsw.dll}
SCHEMA=${SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
T=${VSCTL_TIMEOUT:-120}

[[ $R =~ ^[1-9][0-9]*$ ]] || { echo "R must be a positive integer" >&2; exit 2; }
[[ $SWITCH == ours || $SWITCH == real ]] || { echo "SWITCH must be ours or real" >&2; exit 2; }
[[ $CLIENT == ovs || $CLIENT == vsw ]] || { echo "CLIENT must be ovs or vsw" >&2; exit 2; }
for tool in ovsdb-server ovsdb-tool ovs-vsctl ovs-appctl; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
if [[ $SWITCH == ours || $CLIENT == vsw ]]; then
    if [[ -x $VSW_BIN ]]; then
        vsw=("$VSW_BIN"); kind="vsw vswitchd, native $VSW_BIN"
    else
        [[ -f $VSW_DLL ]] || { echo "missing $VSW_BIN and $VSW_DLL (dotnet build src/SharpSwitch.Cli -c Release)" >&2; exit 2; }
        vsw=(dotnet "$VSW_DLL"); kind="vsw vswitchd, dotnet $VSW_DLL"
    fi
fi
if [[ $SWITCH == real ]]; then
    command -v ovs-vswitchd >/dev/null || { echo "missing ovs-vswitchd" >&2; exit 2; }
    kind="$(ovs-vswitchd --version | head -1)"
fi
if [[ $CLIENT == vsw ]]; then client=("${vsw[@]}" vsctl); else client=(ovs-vsctl); fi
kind="$kind; client: ${client[*]}"

tmp=$(mktemp -d /tmp/ssb-clu.XXXXXX)
switch_pid=
cleanup() {
    local i pid
    [[ -n $switch_pid ]] && kill -KILL "$switch_pid" 2>/dev/null || true
    [[ -n ${KEEP_LOGS:-} ]] && mkdir -p "$KEEP_LOGS" && cp "$tmp"/*.log "$tmp/times" "$KEEP_LOGS/" 2>/dev/null || true
    for i in 1 2 3; do
        pid=$(cat "$tmp/s$i.pid" 2>/dev/null) || continue
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export OVS_RUNDIR=$tmp OVS_DBDIR=$tmp OVS_LOGDIR=$tmp

remotes="unix:$tmp/db1.sock,unix:$tmp/db2.sock,unix:$tmp/db3.sock"

start_server() { # 1..3
    ovsdb-server "$tmp/s$1.db" --remote="punix:$tmp/db$1.sock" --pidfile="$tmp/s$1.pid" --unixctl="$tmp/s$1.ctl" \
        --log-file="$tmp/s$1.log" --detach --no-chdir 2>>"$tmp/s$1.stderr"
}
status() { ovs-appctl -t "$tmp/s$1.ctl" cluster/status Open_vSwitch 2>/dev/null || true; }
leader() {
    local i
    for i in 1 2 3; do
        if status "$i" | grep -q '^Role: leader$'; then echo "$i"; return 0; fi
    done
    return 1
}
# Waits until there is a leader and all three servers are full members again.
wait_cluster() {
    local i n
    for ((n = 0; n < 1200; n++)); do
        if leader >/dev/null; then
            local ok=1
            for i in 1 2 3; do status "$i" | grep -q '^Status: cluster member$' || ok=0; done
            ((ok)) && return 0
        fi
        sleep 0.1
    done
    echo "cluster did not settle" >&2
    return 1
}

ovsdb-tool create-cluster "$tmp/s1.db" "$SCHEMA" "unix:$tmp/r1.raft" 2>/dev/null
for i in 2 3; do ovsdb-tool join-cluster "$tmp/s$i.db" Open_vSwitch "unix:$tmp/r$i.raft" "unix:$tmp/r1.raft"; done
for i in 1 2 3; do start_server "$i"; done
wait_cluster
ovs-vsctl --db="$remotes" --timeout="$T" --no-wait init

if [[ $SWITCH == ours ]]; then
    "${vsw[@]}" vswitchd "$remotes" --unixctl="$tmp/vswitchd.ctl" --log-file="$tmp/vswitchd.log" --enable-dummy=override \
        >"$tmp/vswitchd.stdout" 2>&1 &
    switch_pid=$!
else
    ovs-vswitchd "$remotes" --pidfile="$tmp/vswitchd.pid" --unixctl="$tmp/vswitchd.ctl" --log-file="$tmp/vswitchd.log" \
        --detach --no-chdir --enable-dummy=override --disable-system
    switch_pid=$(cat "$tmp/vswitchd.pid")
fi

# The operator's bond; waiting for cur_cfg proves the switch is up and following the cluster.
ovs-vsctl --db="$remotes" --timeout="$T" add-br ovsbr-mgt -- add-bond ovsbr-mgt bond-mgt eno1 eno2 \
    -- set port bond-mgt other_config:bond-primary=eno1
base=$(ovs-vsctl --db="$remotes" --timeout="$T" get Open_vSwitch . next_cfg)

: >"$tmp/times"
for ((round = 1; round <= R; round++)); do
    wait_cluster
    l=$(leader)
    pid=$(cat "$tmp/s$l.pid")
    t0=$EPOCHREALTIME
    kill -KILL "$pid"
    # --retry: without it the real ovs-vsctl gives up at once when the remote it happens to pick first is the
    # dead one ("database connection failed (Connection refused)") instead of trying the others.
    "${client[@]}" --db="$remotes" --timeout="$T" --retry set port bond-mgt "bond_updelay=$round"
    t1=$EPOCHREALTIME
    us=$(( ${t1/./} - ${t0/./} ))
    echo "$us" >>"$tmp/times"
    printf 'round %2d: killed server %d (leader), change applied after %d ms\n' "$round" "$l" $((us / 1000)) >&2
    start_server "$l"
done
wait_cluster

# Sanity: every round's change was applied exactly once (next_cfg moved by R, cur_cfg caught up) and the switch
# shows the last one.
read -r next cur < <(ovs-vsctl --db="$remotes" --timeout="$T" get Open_vSwitch . next_cfg cur_cfg | paste -sd' ')
[[ $next == $((base + R)) && $cur == "$next" ]] || { echo "next_cfg $next cur_cfg $cur, expected $((base + R)) for both" >&2; exit 1; }
ovs-appctl -t "$tmp/vswitchd.ctl" bond/show bond-mgt | grep -q "^updelay: $R ms$" || { echo "switch did not apply the last change" >&2; exit 1; }

sort -n "$tmp/times" | awk -v n="$R" -v kind="$kind" '{ v[NR] = $1 }
    END { m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2;
          printf "leader killed -> next change applied by the switch (cur_cfg): median %.0f ms, min %.0f ms, max %.0f ms over %d rounds\n", m / 1000, v[1] / 1000, v[n] / 1000, n
          printf "switch: %s\n", kind }'
if [[ $SWITCH == ours ]]; then
    # The switch's own share, from its log: each "connection lost" to the next "-> active" of its IDL.
    grep -E '\|reconnect\|INFO\|.*(active -> connecting \(connection lost|checking -> active)' "$tmp/vswitchd.log" \
        | awk '{ split($0, f, "|"); t = f[1]; sub(/Z$/, "", t); split(t, hms, "T"); split(hms[2], p, ":");
                 s = p[1] * 3600 + p[2] * 60 + p[3];
                 if ($0 ~ /connection lost/) { lost = s } else if (lost != "") { print int((s - lost) * 1000); lost = "" } }' \
        | sort -n | awk '{ v[NR] = $1 } END { if (NR) { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
              printf "switch alone (its IDL: connection lost -> following the new leader): median %d ms, min %d ms, max %d ms over %d failovers\n", m, v[1], v[NR], NR } }'
fi
echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')  cores: $(nproc)  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
