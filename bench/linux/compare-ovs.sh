#!/usr/bin/env bash
# Real OVS 3.1 (userspace datapath) and SharpSwitch on the same topology, alternating, on real veth pairs:
#
#   host ns [hveth 192.0.2.20] ── veth ── [host1]  switch ns  [bond0: eno1 eno2] ══ veth ══ [up1 up2] upstream ns
#                                                                                          Linux bridge gw 192.0.2.1
#
# For each switch and repetition: iperf3 TCP throughput (1 and 4 streams), the 64-byte packet rate offered and
# delivered, the switch's CPU (percent of one core over the 1-stream TCP run and over the packet-rate run), and the
# failover gap and loss when the active member's carrier drops (ping every 1 ms from the host; the peer of the active
# member goes down). Prints every run and the medians.
#
# Packet rate: 64-byte frames (60 bytes + FCS; UDP with 18-byte payload, source port varying) from GEN_PROCS
# parallel senders in the host namespace: trafgen (Debian's netsniff-ng, packet-mmap TX ring, one fork per CPU) when
# installed, else GEN_PROCS iperf3 -u -l 18 -b 0 clients. Offered = hveth's TX packet counter, delivered = the RX
# packet counters of up1 + up2 in the upstream namespace, both per second over the same window. The frames go to the
# gateway's MAC but to an unassigned address (192.0.2.99), so the upstream namespace (forwarding off) drops them in
# IP input, as cheaply as it can, and the measurement is of the switch, not of the upstream stack.
#
# Both switches run under the same `taskset -c $SWITCH_CPUS nice -n $SWITCH_NICE` (every thread inherits it;
# default: CPU 1, nice 0). Set PIDSTAT_DIR to keep per-thread `pidstat -t` samples of the switch during the
# packet-rate runs there.
#
# Needs root, iperf3, ethtool, ping and Debian's openvswitch-switch (netsniff-ng and sysstat optional); everything
# lives in namespaces named sbench<PID>* and a private run directory, removed on exit.
#
# usage: bench/linux/compare-ovs.sh [REPETITIONS=5] [SECONDS=5]
#        env: SWITCH_CPUS=1 SWITCH_NICE=0 GEN_PROCS=2 PIDSTAT_DIR=
set -euo pipefail
REPS=${1:-5}
DURATION=${2:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VSW_DLL=${VSW_DLL:-$ROOT/src/SharpSwitch.Cli/bin/Release/net10.0/vsw.dll}
RUN=$(mktemp -d /tmp/sbench.XXXXXX)
P=sbench$$
HOST=${P}h SW=${P}s UP=${P}u
RESULTS=$RUN/results.tsv
SWITCH_CPUS=${SWITCH_CPUS:-1}
SWITCH_NICE=${SWITCH_NICE:-0}
GEN_PROCS=${GEN_PROCS:-2}
PIDSTAT_DIR=${PIDSTAT_DIR:-}
PIN="taskset -c $SWITCH_CPUS nice -n $SWITCH_NICE"
if [ -n "$PIDSTAT_DIR" ]; then mkdir -p "$PIDSTAT_DIR"; fi

for tool in iperf3 ethtool ping ovs-vswitchd ovsdb-server ovs-vsctl python3; do
    command -v $tool >/dev/null || { echo "compare-ovs: needs $tool" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "compare-ovs: needs root (namespaces, veth pairs)" >&2; exit 2; }
if [ ! -f "$VSW_DLL" ]; then
    dotnet build -c Release "$ROOT/src/SharpSwitch.Cli/SharpSwitch.Cli.csproj" -v q -nologo >/dev/null
fi

vs()  { ovs-vsctl --db=unix:$RUN/db.sock --timeout=30 "$@"; }
ac()  { ovs-appctl -t $RUN/ovs-vswitchd.ctl "$@"; }
nsx() { ip netns exec "$@"; }

teardown() {
    # Stop the daemons by the pids they wrote (the sockets alone say nothing about whether they still run).
    local pid
    for daemon in ovs-vswitchd ovsdb-server; do
        if [ -f $RUN/$daemon.pid ]; then
            pid=$(cat $RUN/$daemon.pid)
            kill $pid 2>/dev/null || true
            for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
            kill -9 $pid 2>/dev/null || true
        fi
    done
    if [ -n "${SWITCH_PID:-}" ]; then kill $SWITCH_PID 2>/dev/null || true; wait $SWITCH_PID 2>/dev/null || true; fi
    SWITCH_PID=
    # Whatever of ours still runs in our namespaces (a generator or iperf3 cut short by an interrupt).
    for ns in $HOST $SW $UP; do ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null || true; done
    for ns in $HOST $SW $UP; do ip netns del $ns 2>/dev/null || true; done
    rm -f $RUN/*.ctl $RUN/*.pid $RUN/db.sock $RUN/conf.db $RUN/.conf.db.~lock~
}
cleanup() { teardown; rm -rf "$RUN"; }
trap cleanup EXIT

setup() {  # $1 = ovs | sharpswitch
    for ns in $HOST $SW $UP; do
        ip netns add $ns
        ip -n $ns link set lo up
        nsx $ns sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6'
    done
    ip link add hveth netns $HOST type veth peer name host1 netns $SW
    for i in 1 2; do ip link add eno$i netns $SW type veth peer name up$i netns $UP; done
    for dev in host1 eno1 eno2; do ip -n $SW link set $dev up; done
    ip -n $UP link add gw type bridge
    for i in 1 2; do ip -n $UP link set up$i master gw; ip -n $UP link set up$i up; done
    ip -n $UP link set gw up; ip -n $UP addr add 192.0.2.1/24 dev gw
    ip -n $HOST link set hveth up; ip -n $HOST addr add 192.0.2.20/24 dev hveth
    # A userspace switch reads whole frames from packet sockets: checksum and segmentation offloads on the sending
    # stacks would hand it unfinished or 64 KB super-frames (OVS's documentation asks the same for veths).
    nsx $HOST ethtool -K hveth tx off tso off gso off >/dev/null 2>&1
    nsx $UP ethtool -K gw tx off tso off gso off >/dev/null 2>&1
    for i in 1 2; do nsx $UP ethtool -K up$i tx off tso off gso off >/dev/null 2>&1; done
    ovsdb-tool create $RUN/conf.db /usr/share/openvswitch/vswitch.ovsschema
    ovsdb-server $RUN/conf.db --remote=punix:$RUN/db.sock --pidfile=$RUN/ovsdb-server.pid --unixctl=$RUN/ovsdb-server.ctl \
        --log-file=$RUN/ovsdb-server.log --detach --no-chdir 2>/dev/null
    vs --no-wait init
    if [ "$1" = ovs ]; then
        nsx $SW $PIN env OVS_RUNDIR=$RUN OVS_DBDIR=$RUN OVS_LOGDIR=$RUN OVS_SYSCONFDIR=$RUN ovs-vswitchd unix:$RUN/db.sock \
            --pidfile=$RUN/ovs-vswitchd.pid --unixctl=$RUN/ovs-vswitchd.ctl --log-file=$RUN/ovs-vswitchd.log --detach --no-chdir 2>/dev/null
        SWITCH_PID=
    else
        nsx $SW $PIN dotnet "$VSW_DLL" vswitchd unix:$RUN/db.sock --pidfile=$RUN/ovs-vswitchd.pid --unixctl=$RUN/ovs-vswitchd.ctl \
            --log-file=$RUN/ovs-vswitchd.log -vconsole:off >$RUN/vsw.out 2>&1 &
        SWITCH_PID=$!
        for _ in $(seq 200); do [ -S $RUN/ovs-vswitchd.ctl ] && break; sleep 0.05; done
    fi
    vs add-br br0 -- set bridge br0 datapath_type=netdev -- add-bond br0 bond0 eno1 eno2 bond_mode=active-backup \
        -- add-port br0 host1
    for _ in $(seq 200); do nsx $HOST ping -c1 -W1 -q 192.0.2.1 >/dev/null 2>&1 && break; sleep 0.1; done
}

switch_pid() { cat $RUN/ovs-vswitchd.pid; }
cpu_ticks() { awk '{print $14+$15}' /proc/$1/stat; }

iperf_tcp() {  # $1 = streams; prints Gbit/s; writes the switch CPU (percent of one core) to $RUN/cpu
    local pid t0 t1 out
    pid=$(switch_pid)
    nsx $UP iperf3 -s -1 -D >/dev/null 2>&1; sleep 0.3
    t0=$(cpu_ticks $pid)
    out=$(nsx $HOST iperf3 -c 192.0.2.1 -t $DURATION -P $1 -J 2>/dev/null || true)
    t1=$(cpu_ticks $pid)
    python3 -c "print(round(($t1-$t0)/$(getconf CLK_TCK)/$DURATION*100))" >$RUN/cpu
    python3 -c "import json,sys; d=json.loads(sys.stdin.read() or '{}'); print(round(d.get('end',{}).get('sum_received',{}).get('bits_per_second',0)/1e9,3))" <<<"$out"
}

ctr() { nsx $1 cat /sys/class/net/$2/statistics/$3; }   # ns dev counter

pps() {  # prints "offered_pps delivered_pps switch_cpu_pct"
    local pid t0 t1 o0 o1 d0 d1 gw i gens=()
    pid=$(switch_pid)
    gw=$(nsx $UP cat /sys/class/net/gw/address)
    if ! command -v trafgen >/dev/null; then
        for i in $(seq $GEN_PROCS); do nsx $UP iperf3 -s -1 -D -p $((5300 + i)) >/dev/null 2>&1; done; sleep 0.3
    fi
    [ -n "$PIDSTAT_DIR" ] && command -v pidstat >/dev/null && \
        { pidstat -t -u -p $pid 1 $DURATION >"$PIDSTAT_DIR/$sw.$rep.pidstat" 2>&1 & }
    t0=$(cpu_ticks $pid); o0=$(ctr $HOST hveth tx_packets)
    d0=$(( $(ctr $UP up1 rx_packets) + $(ctr $UP up2 rx_packets) ))
    if command -v trafgen >/dev/null; then
        # One fork per CPU (trafgen pins fork i to CPU i); no tuning of socket memory or IRQ affinity.
        nsx $HOST timeout -s INT $DURATION trafgen --no-sock-mem -Q -C -P $GEN_PROCS -o hveth \
            "{ eth(da=$gw), ipv4(saddr=192.0.2.20, daddr=192.0.2.99), udp(sp=dinc(1024, 65000), dp=9), fill(0, 18) }" \
            >/dev/null 2>&1 || true
    else
        for i in $(seq $GEN_PROCS); do
            nsx $HOST iperf3 -c 192.0.2.1 -p $((5300 + i)) -u -l 18 -b 0 -t $DURATION >/dev/null 2>&1 & gens+=($!)
        done
        wait "${gens[@]}" || true
    fi
    t1=$(cpu_ticks $pid); o1=$(ctr $HOST hveth tx_packets)
    d1=$(( $(ctr $UP up1 rx_packets) + $(ctr $UP up2 rx_packets) ))
    wait 2>/dev/null || true
    python3 -c "print(round(($o1-$o0)/$DURATION), round(($d1-$d0)/$DURATION), round(($t1-$t0)/$(getconf CLK_TCK)/$DURATION*100))"
}

failover() {  # prints "gap_ms lost"
    ac bond/set-active-member bond0 eno1 >/dev/null
    sleep 0.5
    nsx $HOST ping -i 0.001 -c 3000 -W 1 -D 192.0.2.1 >$RUN/ping.txt 2>/dev/null &
    local ping=$!
    sleep 1
    ip -n $UP link set up1 down
    wait $ping || true
    ip -n $UP link set up1 up
    python3 - $RUN/ping.txt <<'PY'
import re, sys
times = [float(m.group(1)) for m in re.finditer(r"^\[(\d+\.\d+)\] .*icmp_seq=", open(sys.argv[1]).read(), re.M)]
tx = re.search(r"(\d+) packets transmitted, (\d+) received", open(sys.argv[1]).read())
gap = max((b - a for a, b in zip(times, times[1:])), default=0) * 1000
print(f"{gap:.1f} {int(tx.group(1)) - int(tx.group(2)) if tx else -1}")
PY
}

printf "switch\trep\ttcp1_gbps\ttcp4_gbps\tpps64_offered\tpps64_delivered\tcpu_tcp1_pct\tcpu_pps_pct\tfailover_gap_ms\tfailover_lost\tload1\n" >$RESULTS
for rep in $(seq $REPS); do
    for sw in ovs sharpswitch; do
        setup $sw
        tcp1=$(iperf_tcp 1); cpu=$(cat $RUN/cpu)
        tcp4=$(iperf_tcp 4)
        read -r offered delivered cpupps < <(pps)
        read -r gap lost < <(failover)
        load=$(cut -d' ' -f1 /proc/loadavg)
        printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" $sw $rep $tcp1 $tcp4 $offered $delivered $cpu $cpupps \
            $gap $lost $load | tee -a $RESULTS
        teardown
    done
done

python3 - $RESULTS <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
cols = ["tcp1_gbps", "tcp4_gbps", "pps64_offered", "pps64_delivered", "cpu_tcp1_pct", "cpu_pps_pct",
        "failover_gap_ms", "failover_lost", "load1"]
print("\nmedians over %d repetitions" % (len(rows) // 2))
print("switch        " + "  ".join(f"{c:>15}" for c in cols))
med = {}
for sw in ("ovs", "sharpswitch"):
    vals = [statistics.median(float(r[c]) for r in rows if r["switch"] == sw) for c in cols]
    med[sw] = dict(zip(cols, vals))
    print(f"{sw:<13} " + "  ".join(f"{v:>15g}" for v in vals))
o, s = med["ovs"], med["sharpswitch"]
ratio = lambda c: s[c] / o[c] if o[c] else float("inf")
print("\ntargets (SharpSwitch median vs OVS median):")
for c in ("tcp1_gbps", "tcp4_gbps", "pps64_delivered"):
    print(f"  {c:<16} {ratio(c):5.2f}x  {'met' if ratio(c) >= 1.5 else 'NOT met'} (>= 1.5x)")
for c in ("failover_gap_ms", "failover_lost"):
    print(f"  {c:<16} {s[c]:g} vs {o[c]:g}  {'met' if s[c] <= o[c] else 'NOT met'} (no more than OVS)")
PY
