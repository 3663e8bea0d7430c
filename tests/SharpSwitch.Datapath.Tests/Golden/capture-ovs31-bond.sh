#!/bin/bash
R=/tmp/dpcap/brun; rm -rf $R; mkdir -p $R
export OVS_RUNDIR=$R OVS_DBDIR=$R OVS_LOGDIR=$R OVS_SYSCONFDIR=$R
ovsdb-tool create $R/conf.db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server $R/conf.db --remote=punix:$R/db.sock --pidfile=$R/ovsdb-server.pid --unixctl=$R/ovsdb-server.ctl --log-file=$R/ovsdb-server.log --detach --no-chdir
vs="ovs-vsctl --timeout=20 --db=unix:$R/db.sock"
$vs --no-wait init
ovs-vswitchd unix:$R/db.sock --enable-dummy=override --disable-system --pidfile=$R/ovs-vswitchd.pid --unixctl=$R/ovs-vswitchd.ctl --log-file=$R/ovs-vswitchd.log --detach --no-chdir
app="ovs-appctl -t $R/ovs-vswitchd.ctl"
$vs add-br br0 -- set bridge br0 datapath_type=netdev
$vs add-port br0 p1 -- set interface p1 type=dummy ofport_request=1
$vs add-port br0 p2 tag=10 -- set interface p2 type=dummy ofport_request=2
$vs add-bond br0 bond0 b1 b2 bond_mode=active-backup -- set interface b1 type=dummy ofport_request=5 options:tx_pcap=$R/b1.pcap -- set interface b2 type=dummy ofport_request=6 options:tx_pcap=$R/b2.pcap
sleep 1
$app bond/show bond0 | grep -E 'active member|^member'
udp='eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)'
$app netdev-dummy/receive p1 "eth(src=50:54:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),$udp"
$app netdev-dummy/receive p2 "eth(src=50:54:00:00:00:02,dst=ff:ff:ff:ff:ff:ff),$udp"
$app netdev-dummy/receive b1 "eth(src=50:54:00:00:00:05,dst=ff:ff:ff:ff:ff:ff),$udp"
$app netdev-dummy/receive b2 "eth(src=50:54:00:00:00:06,dst=ff:ff:ff:ff:ff:ff),$udp"
sleep 1
$app fdb/show br0
echo "### before failover"
for n in b1 b2; do tshark -r $R/$n.pcap -T fields -e eth.src -e eth.dst -e eth.type -e frame.len -e vlan.id 2>/dev/null | sed "s/^/$n /"; done
$app netdev-dummy/set-admin-state b1 down
sleep 1
$app bond/show bond0 | grep -E 'active member|^member'
echo "### after failover"
for n in b1 b2; do tshark -r $R/$n.pcap -T fields -e eth.src -e eth.dst -e eth.type -e frame.len -e vlan.id 2>/dev/null | sed "s/^/$n /"; done
$vs get interface b2 statistics
kill $(cat $R/ovs-vswitchd.pid) $(cat $R/ovsdb-server.pid)
