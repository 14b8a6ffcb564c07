package firewall

import (
	"net/netip"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// TestTwoFirewallsOnOneHost: two agents on one host each govern their own
// bridge with their own table, and their port marks use the same port
// IDs. Each one's groups hold with the other's table present, also when
// the other's table is stale (its guests gone without a cleanup).
func TestTwoFirewallsOnOneHost(t *testing.T) {
	l := newLab(t)
	a, b := l.agentBridge("xa", "10.231.9"), l.agentBridge("xb", "10.231.10")
	a1, a2 := l.guestOnBridge("xa", "10.231.9", "2"), l.guestOnBridge("xa", "10.231.9", "3")
	b1, b2 := l.guestOnBridge("xb", "10.231.10", "4"), l.guestOnBridge("xb", "10.231.10", "5")
	locked := func(x, y guest) Desired { // x in a group without ingress, y open
		return Desired{
			Groups: []Group{NewGroup("sg-locked"), {ID: "sg-open", Ingress: []Rule{{Protocol: "-1", CIDRs: prefix("0.0.0.0/0")}}, Egress: AllTraffic()}},
			Ports: []Port{
				{Tap: x.port, IP: netip.MustParseAddr(x.ip), MAC: x.mac, Groups: []string{"sg-locked"}},
				{Tap: y.port, IP: netip.MustParseAddr(y.ip), MAC: y.mac, Groups: []string{"sg-open"}},
			},
		}
	}
	l.reconcile(a, locked(a1, a2)) // port IDs 1 and 2 on xab0
	l.reconcile(b, locked(b1, b2)) // the same IDs on xbb0
	for _, tc := range []struct {
		name     string
		from, to guest
		want     bool
	}{
		{"agent a: into its locked guest", a2, a1, false},
		{"agent a: into its open guest", a1, a2, true},
		{"agent b: into its locked guest", b2, b1, false},
		{"agent b: into its open guest", b1, b2, true},
	} {
		if got := tc.from.ping(tc.to.ip); got != tc.want {
			t.Errorf("%s: ping answered %v, want %v", tc.name, got, tc.want)
		}
	}
	// Agent b's guests go away and its table stays (a crash).
	nptest.In(t, l.host, "ip", "link", "del", b1.port)
	nptest.In(t, l.host, "ip", "link", "del", b2.port)
	if a2.ping(a1.ip) {
		t.Error("with agent b's stale table: a2 pinged locked a1")
	}
	if !a1.ping(a2.ip) {
		t.Error("with agent b's stale table: a1 cannot ping open a2")
	}
}

// agentBridge makes bridge <prefix>b0 with <net>.1/24 in the lab's host
// namespace and a Firewall governing devices named <prefix>….
func (l *lab) agentBridge(prefix, net string) *Firewall {
	t := l.t
	t.Helper()
	br := prefix + "b0"
	nptest.In(t, l.host, "ip", "link", "add", br, "type", "bridge")
	nptest.In(t, l.host, "ip", "addr", "add", net+".1/24", "dev", br)
	nptest.In(t, l.host, "ip", "link", "set", br, "up")
	f, err := New(Config{TableName: l.table + prefix, NetNS: l.host, DevicePrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// guestOnBridge adds an instance with address <net>.<n>/24 on port
// <prefix>t<n> of bridge <prefix>b0.
func (l *lab) guestOnBridge(prefix, net, n string) guest {
	t := l.t
	t.Helper()
	g := guest{ns: nptest.NetNS(t), port: prefix + "t" + n, ip: net + "." + n, mac: "02:00:0a:e7:09:0" + n}
	nptest.Veth(t, l.host, g.port, "", g.ns, "eth0", g.ip+"/24")
	nptest.In(t, g.ns, "ip", "link", "set", "eth0", "address", g.mac)
	nptest.In(t, l.host, "ip", "link", "set", g.port, "master", prefix+"b0")
	return g
}
