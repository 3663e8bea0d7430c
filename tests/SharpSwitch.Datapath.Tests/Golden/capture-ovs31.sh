#!/bin/bash
set -x
R=/tmp/dpcap/run; rm -rf $R; mkdir -p $R
export OVS_RUNDIR=$R OVS_DBDIR=$R OVS_LOGDIR=$R OVS_SYSCONFDIR=$R OVS_PKGDATADIR=/usr/share/openvswitch
ovsdb-tool create $R/conf.db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server $R/conf.db --remote=punix:$R/db.sock --pidfile=$R/ovsdb-server.pid --unixctl=$R/ovsdb-server.ctl --log-file=$R/ovsdb-server.log --detach --no-chdir
vs="ovs-vsctl --timeout=20 --db=unix:$R/db.sock"
$vs --no-wait init
ovs-vswitchd unix:$R/db.sock --enable-dummy=override --disable-system --pidfile=$R/ovs-vswitchd.pid --unixctl=$R/ovs-vswitchd.ctl --log-file=$R/ovs-vswitchd.log --detach --no-chdir
app="ovs-appctl -t $R/ovs-vswitchd.ctl"
$vs add-br br0 -- set bridge br0 datapath_type=netdev
$vs add-port br0 p1 -- set interface p1 type=dummy ofport_request=1
$vs add-port br0 p2 tag=10 -- set interface p2 type=dummy ofport_request=2
$vs add-port br0 p3 trunks=10,20 -- set interface p3 type=dummy ofport_request=3
$vs add-bond br0 bond0 b1 b2 bond_mode=active-backup -- set interface b1 type=dummy ofport_request=5 -- set interface b2 type=dummy ofport_request=6
sleep 1
$app time/stop
$app bond/show bond0
A=$($app bond/show bond0 | sed -n 's/^active member: *//p' | head -1)
echo "active=$A"
ACT=$($app bond/show bond0 | awk '/^member /{m=$2; sub(":","",m)} /active member$/{print m}')
echo "ACT=$ACT"
$app netdev-dummy/receive p1 'in_port(1),eth(src=50:54:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)'
$app time/warp 2000
$app netdev-dummy/receive p2 'in_port(2),eth(src=50:54:00:00:00:02,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)'
$app time/warp 3000
$app netdev-dummy/receive p3 'in_port(3),eth(src=50:54:00:00:00:03,dst=ff:ff:ff:ff:ff:ff),eth_type(0x8100),vlan(vid=20,pcp=0),encap(eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2))'
$app netdev-dummy/receive br0 'in_port(65534),eth(src=50:54:00:00:00:04,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)'
$app netdev-dummy/receive $ACT "in_port(5),eth(src=50:54:00:00:00:05,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)"
$app time/warp 61000 1000
echo "### ovs-appctl fdb/show br0"
$app fdb/show br0; echo "rc=$?"
echo "### ovs-appctl fdb/stats-show br0"
$app fdb/stats-show br0; echo "rc=$?"
echo "### ovs-appctl fdb/show nosuch"
$app fdb/show nosuch; echo "rc=$?"
echo "### ovs-appctl dpif/show"
$app dpif/show
echo "### ovs-appctl fdb/flush br0"
$app fdb/flush br0; echo "rc=$?"
$app fdb/show br0
$vs list interface p1 | grep -E 'statistics|link_resets|ofport '
kill $(cat $R/ovs-vswitchd.pid) $(cat $R/ovsdb-server.pid)
