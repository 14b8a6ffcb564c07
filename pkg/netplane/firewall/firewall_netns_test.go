package firewall

import (
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

func prefix(s string) []netip.Prefix { return []netip.Prefix{netip.MustParsePrefix(s)} }

func addrs(ss ...string) []netip.Addr {
	var as []netip.Addr
	for _, s := range ss {
		as = append(as, netip.MustParseAddr(s))
	}
	return as
}

// TestSecurityGroupsOnBridge drives a group's rules through the life of a
// security group and checks what the instances see: pings and TCP between
// two namespaces bridged in a third.
func TestSecurityGroupsOnBridge(t *testing.T) {
	l := newLab(t)
	a, b := l.guest("2"), l.guest("3")
	a.listen(t, "22")
	a.listen(t, "2222")
	f := l.firewall()
	if !b.ping(a.ip) || !b.dial(a.ip, "22") {
		t.Fatal("B cannot reach A before any rule")
	}

	sgA := NewGroup("sg-a")
	open := Group{ID: "sg-b", Ingress: []Rule{{Protocol: "-1", CIDRs: prefix("0.0.0.0/0")}}, Egress: AllTraffic()}
	desired := func() Desired {
		return Desired{
			Groups: []Group{sgA, open},
			Ports: []Port{
				{Tap: a.port, IP: netip.MustParseAddr(a.ip), MAC: a.mac, Groups: []string{"sg-a"}},
				{Tap: b.port, IP: netip.MustParseAddr(b.ip), MAC: b.mac, Groups: []string{"sg-b"}},
			},
			Members: map[string][]netip.Addr{"sg-a": addrs(a.ip), "sg-b": addrs(b.ip)},
		}
	}

	l.reconcile(f, desired())
	if b.ping(a.ip) {
		t.Error("no ingress: B pinged A")
	}
	if b.dial(a.ip, "22") {
		t.Error("no ingress: B reached A:22")
	}
	if !a.ping(b.ip) {
		t.Error("stateful: A's ping to B got no reply")
	}

	before := l.ruleset()
	l.reconcile(f, desired())
	if after := l.ruleset(); after != before {
		t.Errorf("second Reconcile changed the ruleset:\n%s\n---\n%s", before, after)
	}

	sgA.Ingress = []Rule{{Protocol: "icmp", FromPort: -1, ToPort: -1, CIDRs: prefix(b.ip + "/32")}}
	start := time.Now()
	l.reconcile(f, desired())
	if _, ok := eventually(time.Second, func() bool { return b.ping(a.ip) }); !ok {
		t.Fatal("icmp authorized from B's CIDR: B still cannot ping A")
	}
	t.Logf("icmp authorized: first answered ping %v after Reconcile began", time.Since(start))
	if b.dial(a.ip, "22") {
		t.Error("only icmp authorized: B reached A:22")
	}

	ssh := Rule{Protocol: "tcp", FromPort: 22, ToPort: 22, SourceGroups: []string{"sg-b"}}
	sgA.Ingress = append(sgA.Ingress, ssh)
	start = time.Now()
	l.reconcile(f, desired())
	if _, ok := eventually(time.Second, func() bool { return b.dial(a.ip, "22") }); !ok {
		t.Fatal("tcp 22 authorized from sg-b: B cannot reach A:22")
	}
	t.Logf("tcp 22 authorized: first connection %v after Reconcile began", time.Since(start))
	if b.dial(a.ip, "2222") {
		t.Error("only port 22 authorized: B reached A:2222")
	}

	d := desired()
	d.Members["sg-b"] = nil // B leaves sg-b's members
	l.reconcile(f, d)
	if b.dial(a.ip, "22") {
		t.Error("B no longer a member of sg-b: B reached A:22")
	}

	sgA.Ingress = sgA.Ingress[:1] // revoke tcp 22
	l.reconcile(f, desired())
	if b.dial(a.ip, "22") {
		t.Error("tcp 22 revoked: B reached A:22")
	}
	if !b.ping(a.ip) {
		t.Error("icmp still authorized: B cannot ping A")
	}
	sgA.Ingress = nil // revoke icmp
	l.reconcile(f, desired())
	if b.ping(a.ip) {
		t.Error("icmp revoked: B pinged A")
	}

	l.reconcile(f, Desired{})
	if tables := l.tables(); strings.Contains(tables, l.table) {
		t.Errorf("Reconcile(empty) left tables:\n%s", tables)
	}
	if !b.ping(a.ip) {
		t.Error("no firewall left: B cannot ping A")
	}
	l.reconcile(f, desired())
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if tables := l.tables(); strings.Contains(tables, l.table) {
		t.Errorf("Close left tables:\n%s", tables)
	}
}

// TestEgressRules: a group whose egress allows only tcp 22 to one address
// lets its instance reach that port and nothing else, though the peer
// accepts everything; authorizing and revoking egress reach the running
// instance.
func TestEgressRules(t *testing.T) {
	l := newLab(t)
	a, b := l.guest("2"), l.guest("3")
	b.listen(t, "22")
	b.listen(t, "80")
	f := l.firewall()
	sgA := Group{ID: "sg-a", Egress: []Rule{{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDRs: prefix(b.ip + "/32")}}}
	open := Group{ID: "sg-b", Ingress: []Rule{{Protocol: "-1", CIDRs: prefix("0.0.0.0/0")}}, Egress: AllTraffic()}
	desired := func() Desired {
		return Desired{Groups: []Group{sgA, open}, Ports: []Port{
			{Tap: a.port, IP: netip.MustParseAddr(a.ip), MAC: a.mac, Groups: []string{"sg-a"}},
			{Tap: b.port, IP: netip.MustParseAddr(b.ip), MAC: b.mac, Groups: []string{"sg-b"}},
		}}
	}
	l.reconcile(f, desired())
	if !a.dial(b.ip, "22") {
		t.Error("egress tcp 22 to B authorized: A cannot reach B:22")
	}
	if a.dial(b.ip, "80") {
		t.Error("only tcp 22 authorized out: A reached B:80")
	}
	if a.ping(b.ip) {
		t.Error("only tcp 22 authorized out: A pinged B")
	}
	if b.ping(a.ip) {
		t.Error("egress rules opened A's ingress: B pinged A")
	}

	sgA.Egress = append(sgA.Egress, Rule{Protocol: "icmp", FromPort: -1, ToPort: -1, CIDRs: prefix("10.231.7.0/24")})
	l.reconcile(f, desired())
	if _, ok := eventually(time.Second, func() bool { return a.ping(b.ip) }); !ok {
		t.Error("egress icmp authorized: A cannot ping B")
	}
	sgA.Egress = sgA.Egress[1:] // revoke tcp 22
	l.reconcile(f, desired())
	if a.dial(b.ip, "22") {
		t.Error("egress tcp 22 revoked: A reached B:22")
	}
}

// TestLockedDownAndSpoofing checks that a group allowing nothing at all
// still lets its instance get a DHCP lease from the host's dnsmasq and
// answer ARP, and that frames with a foreign source IP or MAC are dropped.
func TestLockedDownAndSpoofing(t *testing.T) {
	l := newLab(t)
	a, b, c := l.guest("2"), l.guest("3"), l.guest("4")
	l.dnsmasq()
	f := l.firewall()
	open := Group{ID: "sg-open", Ingress: []Rule{{Protocol: "-1", CIDRs: prefix("10.231.7.0/24")}}, Egress: AllTraffic()}
	port := func(g guest, group string) Port {
		return Port{Tap: g.port, IP: netip.MustParseAddr(g.ip), MAC: g.mac, Groups: []string{group}}
	}
	l.reconcile(f, Desired{
		Groups: []Group{{ID: "sg-locked"}, open},
		Ports:  []Port{port(a, "sg-locked"), port(b, "sg-open"), port(c, "sg-open")},
	})
	if a.ping(b.ip) {
		t.Error("no egress: A pinged B")
	}
	if !a.dhcp(t) {
		t.Error("locked-down A got no DHCP lease")
	}
	if err := exec.Command("ip", "netns", "exec", b.ns, "busybox", "arping", "-c", "1", "-w", "1", "-I", "eth0", a.ip).Run(); err != nil {
		t.Errorf("locked-down A does not answer ARP: %v", err)
	}

	if !c.ping(b.ip) {
		t.Fatal("C cannot ping B, which allows the subnet")
	}
	nptest.In(t, c.ns, "ip", "addr", "add", "10.231.7.9/24", "dev", "eth0")
	if exec.Command("ip", "netns", "exec", c.ns, "busybox", "ping", "-c", "1", "-W", "1", "-I", "10.231.7.9", b.ip).Run() == nil {
		t.Error("C pinged B from a spoofed source address")
	}
	// Posing as B towards the host (where the metadata service knows
	// callers by their source address) fails: C's gratuitous ARP does not
	// move the host's entry for B, and packets with B's address are dropped.
	if !c.ping("10.231.7.1") {
		t.Fatal("C cannot reach the host from its own address")
	}
	nptest.In(t, l.host, "busybox", "ping", "-c", "1", "-W", "1", b.ip) // the host learns B's MAC
	time.Sleep(1100 * time.Millisecond)                                 // past the ARP entry's locktime
	nptest.In(t, c.ns, "ip", "addr", "add", b.ip+"/32", "dev", "eth0")
	_ = exec.Command("ip", "netns", "exec", c.ns, "busybox", "arping", "-U", "-c", "2", "-I", "eth0", "-s", b.ip, b.ip).Run()
	if out, _ := exec.Command("ip", "netns", "exec", l.host, "ip", "neigh", "show", b.ip).Output(); !strings.Contains(string(out), b.mac) {
		t.Errorf("after C's gratuitous ARP for B's address the host has %q, want B's MAC %s", out, b.mac)
	}
	if err := c.sendTaggedGratuitousARP(b.ip); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if out, _ := exec.Command("ip", "netns", "exec", l.host, "ip", "neigh", "show", b.ip).Output(); !strings.Contains(string(out), b.mac) {
		t.Errorf("after C's VLAN-0-tagged gratuitous ARP for B's address the host has %q, want B's MAC %s", out, b.mac)
	}
	if exec.Command("ip", "netns", "exec", c.ns, "busybox", "ping", "-c", "1", "-W", "1", "-I", b.ip, "10.231.7.1").Run() == nil {
		t.Error("C reached the host with B's address")
	}
	nptest.In(t, c.ns, "ip", "addr", "del", b.ip+"/32", "dev", "eth0")
	nptest.In(t, c.ns, "ip", "link", "set", "eth0", "address", "02:00:0a:e7:07:99")
	if c.ping(b.ip) {
		t.Error("C pinged B from a spoofed MAC")
	}
}

// TestSourceDestCheckOff: a port with EC2's source/destination check off
// (a NAT or router instance) sends packets from an address that is not its
// own, which its peer answers through it; with the check on (the default,
// and again after turning it back on) the same packets are dropped. Its
// MAC stays checked either way.
func TestSourceDestCheckOff(t *testing.T) {
	l := newLab(t)
	b, c := l.guest("3"), l.guest("4")
	f := l.firewall()
	open := Group{ID: "sg-open", Ingress: []Rule{{Protocol: "-1", CIDRs: []netip.Prefix{
		netip.MustParsePrefix("10.231.7.0/24"), netip.MustParsePrefix("10.99.0.0/16")}}}, Egress: AllTraffic()}
	desired := func(anySource bool) Desired {
		return Desired{Groups: []Group{open}, Ports: []Port{
			{Tap: b.port, IP: netip.MustParseAddr(b.ip), MAC: b.mac, Groups: []string{"sg-open"}},
			{Tap: c.port, IP: netip.MustParseAddr(c.ip), MAC: c.mac, Groups: []string{"sg-open"}, AnySource: anySource}}}
	}
	// C forwards for 10.99.0.0/16: it holds an address there, B routes
	// that network through C, and C's ARP keeps its own address.
	nptest.In(t, c.ns, "sysctl", "-qw", "net.ipv4.conf.all.arp_announce=2", "net.ipv4.conf.eth0.arp_announce=2")
	nptest.In(t, c.ns, "ip", "addr", "add", "10.99.0.9/32", "dev", "eth0")
	nptest.In(t, b.ns, "ip", "route", "add", "10.99.0.0/16", "via", c.ip)
	fromOther := func() bool {
		return exec.Command("ip", "netns", "exec", c.ns, "busybox", "ping", "-c", "1", "-W", "1", "-I", "10.99.0.9", b.ip).Run() == nil
	}
	l.reconcile(f, desired(false))
	if !c.ping(b.ip) {
		t.Fatal("C cannot ping B from its own address")
	}
	if fromOther() {
		t.Error("check on: C pinged B from 10.99.0.9")
	}
	l.reconcile(f, desired(true))
	if _, ok := eventually(2*time.Second, fromOther); !ok {
		t.Error("check off: C cannot ping B from 10.99.0.9 (B routes 10.99.0.0/16 through C)")
	}
	nptest.In(t, c.ns, "ip", "link", "set", "eth0", "address", "02:00:0a:e7:07:99")
	if c.ping(b.ip) || fromOther() {
		t.Error("check off: C reached B from a spoofed MAC")
	}
	nptest.In(t, c.ns, "ip", "link", "set", "eth0", "address", c.mac)
	l.reconcile(f, desired(false))
	if fromOther() {
		t.Error("check back on: C pinged B from 10.99.0.9")
	}
}

// TestReconcileIsAtomic rebuilds the tables over and over while B (allowed)
// and C (not allowed) ping A every 10 ms: an atomic rebuild loses none of
// B's echoes and lets none of C's through.
func TestReconcileIsAtomic(t *testing.T) {
	l := newLab(t)
	a, b, c := l.guest("2"), l.guest("3"), l.guest("4")
	f := l.firewall()
	sgA := NewGroup("sg-a")
	sgA.Ingress = []Rule{{Protocol: "icmp", FromPort: 8, ToPort: -1, CIDRs: prefix(b.ip + "/32")}}
	port := func(g guest, group string) Port {
		return Port{Tap: g.port, IP: netip.MustParseAddr(g.ip), Groups: []string{group}}
	}
	d := Desired{
		Groups:  []Group{sgA, NewDefaultGroup("sg-b")},
		Ports:   []Port{port(a, "sg-a"), port(b, "sg-b"), port(c, "sg-b")},
		Members: map[string][]netip.Addr{"sg-a": addrs(a.ip), "sg-b": addrs(b.ip, c.ip)},
	}
	l.reconcile(f, d)
	allowed, denied := a.pingFlood(t, b), a.pingFlood(t, c)
	var slowest time.Duration
	for i := 0; i < 40; i++ {
		extra := Rule{Protocol: "tcp", FromPort: 1000 + i, ToPort: 1000 + i, SourceGroups: []string{"sg-b"}}
		d.Groups[0].Ingress = append(sgA.Ingress[:1:1], extra)
		start := time.Now()
		l.reconcile(f, d)
		slowest = max(slowest, time.Since(start))
		time.Sleep(50 * time.Millisecond)
	}
	if out := allowed(); !strings.Contains(out, " 0% packet loss") {
		t.Errorf("allowed B lost echoes during rebuilds:\n%s", out)
	}
	if out := denied(); !strings.Contains(out, " 100% packet loss") {
		t.Errorf("denied C got echoes through during rebuilds:\n%s", out)
	}
	t.Logf("40 rebuilds, slowest Reconcile %v", slowest)
}
