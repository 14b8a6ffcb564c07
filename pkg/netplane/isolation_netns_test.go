package netplane_test

import (
	"context"
	"maps"
	"net"
	"net/netip"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/netplane/firewall"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// TestOverlappingVPCsIsolated poses a host (a namespace) serving two VPCs
// that reuse 10.9.1.0/24, plus a second subnet of the first VPC, with
// security groups on. Guests are namespaces cabled to the bridges through
// ports named as the Plane's taps. Same-subnet traffic flows; nothing
// crosses between the VPCs, to the other bridges' host addresses or
// through the host even when it forwards; and a flow in one VPC never
// opens the firewall for the identical 5-tuple in the other (each bridge
// has its own conntrack zone).
func TestOverlappingVPCsIsolated(t *testing.T) {
	nptest.RequireNetAdmin(t)
	host := nptest.NetNS(t)
	p, err := netplane.New(netplane.Config{Prefix: nptest.Prefix(t), StateDir: filepath.Join(hvtest.ScratchDir(t), "np"),
		NetNS: host, MetadataAddr: netip.MustParseAddr("169.254.169.254")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reconcile(t, p); p.Close() })
	a1, a2, a3 := nic("i-0000000000000a001", "10.9.1.10"), nic("i-0000000000000a002", "10.9.1.20"), nic("i-0000000000000a003", "10.9.1.40")
	b1, b2 := nic("i-0000000000000b001", "10.9.1.10"), nic("i-0000000000000b002", "10.9.1.20")
	c1 := nic("i-0000000000000c001", "10.9.2.10")
	cidr := netip.MustParsePrefix("10.9.1.0/24")
	subnets := []netplane.Subnet{
		{ID: "subnet-00000000000000a01", CIDR: cidr, NICs: []netplane.NIC{a1, a2, a3}},
		{ID: "subnet-00000000000000b01", CIDR: cidr, NICs: []netplane.NIC{b1, b2}},
		{ID: "subnet-00000000000000a02", CIDR: netip.MustParsePrefix("10.9.2.0/24"), NICs: []netplane.NIC{c1}},
	}
	reconcile(t, p, subnets...)
	g := map[string]string{} // instance → guest namespace
	for _, s := range subnets {
		for _, n := range s.NICs {
			g[n.InstanceID] = guestNS(t, host, p.TapName(n.InstanceID, 0), n, s.CIDR)
		}
	}
	o := reconcile(t, p, subnets...) // puts the ports on their bridges
	checkZones(t, p, o, subnets)
	restarted, err := netplane.New(p.Config()) // an agent restart keeps the zones
	if err != nil {
		t.Fatal(err)
	}
	if again := reconcile(t, restarted, subnets...); !maps.Equal(again.Zones, o.Zones) {
		t.Errorf("zones after a restart %v, were %v", again.Zones, o.Zones)
	}
	restarted.Close()
	fw := openFirewall(t, p, host, subnets, b1.InstanceID)

	t.Run("same subnet reaches, other VPC does not", func(t *testing.T) {
		mustPing(t, g[a1.InstanceID], "10.9.1.20", true)
		mustPing(t, g[b1.InstanceID], "10.9.1.20", true)
		mustPing(t, g[b1.InstanceID], "10.9.1.1", true)   // its gateway
		mustPing(t, g[b1.InstanceID], "10.9.1.40", false) // a3 exists only in VPC A
		mustPing(t, g[b1.InstanceID], "10.9.2.1", false)  // another bridge's host address
		mustPing(t, g[a1.InstanceID], "169.254.169.254", true)
	})
	t.Run("no routing between subnets even when the host forwards", func(t *testing.T) {
		nptest.In(t, host, "sysctl", "-qw", "net.ipv4.ip_forward=1") // turns every interface's forwarding on
		reconcile(t, p, subnets...)                                  // and the Plane its bridges' off again
		for _, s := range subnets {
			key := "net.ipv4.conf." + p.BridgeName(s.ID) + ".forwarding"
			if got := strings.TrimSpace(nptest.In(t, host, "sysctl", "-n", key)); got != "0" {
				t.Errorf("%s = %s, want 0", key, got)
			}
		}
		mustPing(t, g[b1.InstanceID], "10.9.2.10", false)
		mustPing(t, g[a1.InstanceID], "10.9.2.10", false)
	})
	t.Run("one VPC's flow does not open the other's", func(t *testing.T) {
		sockA1, sockA2 := udpIn(t, g[a1.InstanceID], "10.9.1.10:5000"), udpIn(t, g[a2.InstanceID], "10.9.1.20:5001")
		sockB1, sockB2 := udpIn(t, g[b1.InstanceID], "10.9.1.10:5000"), udpIn(t, g[b2.InstanceID], "10.9.1.20:5001")
		send(t, sockA1, "10.9.1.20:5001", "a1 to a2")
		if got := recv(sockA2); got != "a1 to a2" {
			t.Fatalf("a2 got %q from a1", got)
		}
		// The same tuple backwards in VPC B: not a reply there, and b1's
		// group has no ingress rule.
		send(t, sockB2, "10.9.1.10:5000", "b2 to b1")
		if got := recv(sockB1); got != "" {
			t.Errorf("b1 (no ingress) got %q: VPC A's flow let it through", got)
		}
		send(t, sockB1, "10.9.1.20:5001", "b1 to b2")
		if got := recv(sockB2); got != "b1 to b2" {
			t.Fatalf("b2 got %q from b1", got)
		}
		send(t, sockB2, "10.9.1.10:5000", "b2 answers b1")
		if got := recv(sockB1); got != "b2 answers b1" {
			t.Errorf("b1 got %q, want b2's reply to its own flow", got)
		}
		checkFlowZones(t, host, o.Zones[p.BridgeName(subnets[0].ID)], o.Zones[p.BridgeName(subnets[1].ID)])
	})

	if err := fw.Reconcile(context.Background(), firewall.Desired{}); err != nil {
		t.Error(err)
	}
	if o := reconcile(t, p); !o.Empty() {
		t.Errorf("after teardown: %+v", o)
	}
}

// guestNS is a namespace with nic's MAC and address on eth0 and a default
// route via the gateway, cabled to the host namespace by port.
func guestNS(t *testing.T, host, port string, n netplane.NIC, cidr netip.Prefix) string {
	t.Helper()
	ns := nptest.NetNS(t)
	nptest.Veth(t, host, port, "", ns, "eth0", "")
	nptest.In(t, ns, "ip", "link", "set", "eth0", "address", n.MAC.String())
	nptest.In(t, ns, "ip", "addr", "add", netip.PrefixFrom(n.IP, cidr.Bits()).String(), "dev", "eth0")
	nptest.In(t, ns, "ip", "route", "add", "default", "via", cidr.Masked().Addr().Next().String())
	return ns
}

// checkZones: every bridge has its own nonzero zone, the edge table is in.
func checkZones(t *testing.T, p *netplane.Plane, o netplane.Observed, subnets []netplane.Subnet) {
	t.Helper()
	var zones []uint16
	for _, s := range subnets {
		zones = append(zones, o.Zones[p.BridgeName(s.ID)])
	}
	slices.Sort(zones)
	if zones[0] == 0 || len(slices.Compact(zones)) != len(subnets) || !o.Edge || len(o.Routes) != len(subnets) {
		t.Fatalf("zones %v, edge %v, routes %v: want %d distinct zones, the edge table and a return route each",
			o.Zones, o.Edge, o.Routes, len(subnets))
	}
}

// openFirewall enforces security groups on every port: all open but
// closed's, which allows no ingress.
func openFirewall(t *testing.T, p *netplane.Plane, host string, subnets []netplane.Subnet, closed string) *firewall.Firewall {
	t.Helper()
	fw, err := firewall.New(firewall.Config{TableName: "ec2lab_" + p.Config().Prefix, NetNS: host})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fw.Close() })
	open := firewall.NewGroup("sg-open")
	open.Ingress = firewall.AllTraffic()
	d := firewall.Desired{Groups: []firewall.Group{open, firewall.NewGroup("sg-closed")}}
	for _, s := range subnets {
		for _, n := range s.NICs {
			port := firewall.Port{Tap: p.TapName(n.InstanceID, 0), IP: n.IP, MAC: n.MAC.String(), Groups: []string{"sg-open"}}
			if n.InstanceID == closed {
				port.Groups = []string{"sg-closed"}
			}
			d.Ports = append(d.Ports, port)
		}
	}
	if err := fw.Reconcile(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return fw
}

func mustPing(t *testing.T, ns, addr string, ok bool) {
	t.Helper()
	if out, err := ping(ns, addr); (err == nil) != ok {
		t.Errorf("ping %s from %s: %v, want success %v\n%s", addr, ns, err, ok, out)
	}
}

// udpIn opens a UDP socket bound to addr inside namespace ns.
func udpIn(t *testing.T, ns, addr string) *net.UDPConn {
	t.Helper()
	h, err := netns.GetFromName(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	type result struct {
		c   *net.UDPConn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits in ns
		if err := netns.Set(h); err != nil {
			ch <- result{err: err}
			return
		}
		c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr)))
		ch <- result{c, err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatalf("udp socket %s in %s: %v", addr, ns, r.err)
	}
	t.Cleanup(func() { r.c.Close() })
	return r.c
}

func send(t *testing.T, c *net.UDPConn, to, msg string) {
	t.Helper()
	if _, err := c.WriteToUDPAddrPort([]byte(msg), netip.MustParseAddrPort(to)); err != nil {
		t.Fatalf("send %q to %s: %v", msg, to, err)
	}
}

// recv returns the next datagram within 1.5 s, or "".
func recv(c *net.UDPConn) string {
	c.SetReadDeadline(time.Now().Add(1500 * time.Millisecond))
	b := make([]byte, 100)
	n, _, err := c.ReadFromUDP(b)
	if err != nil {
		return ""
	}
	return string(b[:n])
}

// checkFlowZones: the host tracks the 10.9.1.10:5000 ↔ 10.9.1.20:5001 flow
// twice, once in each VPC's zone.
func checkFlowZones(t *testing.T, host string, za, zb uint16) {
	t.Helper()
	flows, err := handle(t, host).ConntrackTableList(netlink.ConntrackTable, unix.AF_INET)
	if err != nil {
		t.Fatal(err)
	}
	var zones []uint16
	var seen []string
	for _, f := range flows {
		if f.Forward.Protocol == unix.IPPROTO_UDP && (f.Forward.SrcPort == 5000 || f.Forward.DstPort == 5000) {
			zones = append(zones, f.Zone)
			seen = append(seen, f.String())
		}
	}
	slices.Sort(zones)
	want := []uint16{min(za, zb), max(za, zb)}
	if !slices.Equal(zones, want) {
		t.Errorf("flow tracked in zones %v, want %v:\n%s", zones, want, strings.Join(seen, "\n"))
	}
}
