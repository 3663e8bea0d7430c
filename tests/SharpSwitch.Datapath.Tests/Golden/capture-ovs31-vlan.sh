#!/bin/bash
R=/tmp/dpcap/vrun; rm -rf $R; mkdir -p $R
export OVS_RUNDIR=$R OVS_DBDIR=$R OVS_LOGDIR=$R OVS_SYSCONFDIR=$R
ovsdb-tool create $R/conf.db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server $R/conf.db --remote=punix:$R/db.sock --pidfile=$R/ovsdb-server.pid --unixctl=$R/ovsdb-server.ctl --log-file=$R/ovsdb-server.log --detach --no-chdir
vs="ovs-vsctl --timeout=20 --db=unix:$R/db.sock"
$vs --no-wait init
ovs-vswitchd unix:$R/db.sock --enable-dummy=override --disable-system --pidfile=$R/ovs-vswitchd.pid --unixctl=$R/ovs-vswitchd.ctl --log-file=$R/ovs-vswitchd.log --detach --no-chdir
app="ovs-appctl -t $R/ovs-vswitchd.ctl"
$vs add-br br0 -- set bridge br0 datapath_type=netdev
i=0
for spec in "p1 tag=10" "p2" "p3 tag=10 trunks=20 vlan_mode=native-untagged" "p4 tag=0" "p5 tag=10 vlan_mode=native-tagged" "p6 trunks=10"; do
  set -- $spec; n=$1; shift; i=$((i+1))
  $vs add-port br0 $n "$@" -- set interface $n type=dummy ofport_request=$i options:tx_pcap=$R/$n.pcap
done
sleep 1
udp='eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)'
$app netdev-dummy/receive p1 "eth(src=50:54:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),$udp"
$app netdev-dummy/receive p4 "eth(src=50:54:00:00:00:04,dst=ff:ff:ff:ff:ff:ff),eth_type(0x8100),vlan(vid=0,pcp=3),encap($udp)"
$app netdev-dummy/receive p2 "eth(src=50:54:00:00:00:02,dst=ff:ff:ff:ff:ff:ff),eth_type(0x8100),vlan(vid=20,pcp=5),encap($udp)"
$app netdev-dummy/receive p2 "eth(src=50:54:00:00:00:22,dst=ff:ff:ff:ff:ff:ff),$udp"
$app netdev-dummy/receive p6 "eth(src=50:54:00:00:00:06,dst=ff:ff:ff:ff:ff:ff),$udp"
$app netdev-dummy/receive p5 "eth(src=50:54:00:00:00:05,dst=ff:ff:ff:ff:ff:ff),$udp"
$app netdev-dummy/receive p3 "eth(src=50:54:00:00:00:03,dst=ff:ff:ff:ff:ff:ff),eth_type(0x8100),vlan(vid=10,pcp=0),encap($udp)"
sleep 1
$app fdb/show br0
for n in p1 p2 p3 p4 p5 p6; do
  tshark -r $R/$n.pcap -T fields -e eth.src -e frame.len -e vlan.id -e vlan.priority 2>/dev/null | sed "s/^/$n /"
done
kill $(cat $R/ovs-vswitchd.pid) $(cat $R/ovsdb-server.pid)
