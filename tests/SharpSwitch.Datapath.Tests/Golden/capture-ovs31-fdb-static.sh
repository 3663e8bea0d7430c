#!/bin/bash
R=/tmp/dpcap/srun; rm -rf $R; mkdir -p $R
export OVS_RUNDIR=$R OVS_DBDIR=$R OVS_LOGDIR=$R OVS_SYSCONFDIR=$R
ovsdb-tool create $R/conf.db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server $R/conf.db --remote=punix:$R/db.sock --pidfile=$R/ovsdb-server.pid --unixctl=$R/ovsdb-server.ctl --log-file=$R/ovsdb-server.log --detach --no-chdir
vs="ovs-vsctl --timeout=20 --db=unix:$R/db.sock"
$vs --no-wait init
ovs-vswitchd unix:$R/db.sock --enable-dummy=override --disable-system --pidfile=$R/ovs-vswitchd.pid --unixctl=$R/ovs-vswitchd.ctl --log-file=$R/ovs-vswitchd.log --detach --no-chdir
app="ovs-appctl -t $R/ovs-vswitchd.ctl"
$vs add-br br0 -- set bridge br0 datapath_type=netdev
$vs add-port br0 p1 -- set interface p1 type=dummy ofport_request=1
$vs add-port br0 p2 -- set interface p2 type=dummy ofport_request=2
sleep 1
$app time/stop >/dev/null
udp='eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)'
$app netdev-dummy/receive p2 "eth(src=50:54:00:00:00:02,dst=ff:ff:ff:ff:ff:ff),$udp"
$app time/warp 3000 >/dev/null
run() { echo "### ovs-appctl $*"; $app "$@"; echo "rc=$?"; }
run fdb/add br0 p1 0 50:54:00:00:00:09
run fdb/add br0 p2 0 50:54:00:00:00:09
run fdb/add br0 p1 0 50:54:00:00:00:02
run fdb/add br0 p1 10 50:54:00:00:00:0a
run fdb/add br0 p1 0 zz:54:00:00:00:0a
run fdb/add br0 nosuch 0 50:54:00:00:00:0b
run fdb/add nobr p1 0 50:54:00:00:00:0b
run fdb/show br0
run fdb/stats-show br0
run fdb/flush br0
run fdb/show br0
run fdb/del br0 0 50:54:00:00:00:09
run fdb/del br0 0 50:54:00:00:00:09
run fdb/del br0 0 bad
run fdb/show br0
kill $(cat $R/ovs-vswitchd.pid) $(cat $R/ovsdb-server.pid)
