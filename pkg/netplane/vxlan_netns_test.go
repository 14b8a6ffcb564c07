package netplane_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// TestVXLANAcrossHosts poses two hosts as namespaces joined by a veth
// underlay; each serves the same subnet with a bridge, VXLAN device and
// dnsmasq, and one endpoint namespace per host stands in for a guest. The
// endpoints reach each other only through the VXLAN.
func TestVXLANAcrossHosts(t *testing.T) {
	nptest.RequireNetAdmin(t)
	h1, h2 := nptest.NetNS(t), nptest.NetNS(t)
	r := rand.IntN(250) + 1
	vtep1, vtep2 := netip.MustParseAddr(fmt.Sprintf("10.77.%d.1", r)), netip.MustParseAddr(fmt.Sprintf("10.77.%d.2", r))
	nptest.Veth(t, h1, "under", vtep1.String()+"/24", h2, "under", vtep2.String()+"/24")
	p1, p2 := newPlane(t, h1, vtep1), newPlane(t, h2, vtep2)

	a, b := nic("i-00000000000000a01", "10.0.1.4"), nic("i-00000000000000b02", "10.0.1.5")
	a.Host, b.Host = vtep1, vtep2
	subnet := netplane.Subnet{ID: "subnet-00000000000000c03", CIDR: netip.MustParsePrefix("10.0.1.0/24"),
		VNI: uint32(1000 + r), Peers: []netip.Addr{vtep1, vtep2}, NICs: []netplane.NIC{a, b}}
	for _, p := range []*netplane.Plane{p1, p2} {
		if o := reconcile(t, p, subnet); len(o.Bridges) != 1 || len(o.VXLANs) != 1 || len(o.Dnsmasq) != 1 {
			t.Fatalf("after reconcile: %+v", o)
		}
	}
	e1 := endpoint(t, h1, p1.BridgeName(subnet.ID), a)
	endpoint(t, h2, p2.BridgeName(subnet.ID), b)

	fdb := nptest.In(t, h1, "bridge", "fdb", "show", "dev", p1.VXLANName(subnet.ID))
	for _, want := range []string{"00:00:00:00:00:00 dst " + vtep2.String(), b.MAC.String() + " dst " + vtep2.String()} {
		if !strings.Contains(fdb, want) {
			t.Errorf("h1 fdb lacks %q:\n%s", want, fdb)
		}
	}
	if out, err := ping(e1, "10.0.1.5"); err != nil {
		t.Fatalf("ping across the VXLAN failed: %v\n%s", err, out)
	}
	if got := dhcpClient(t, h2, p2.BridgeName(subnet.ID), a.MAC); got != "10.0.1.4 255.255.255.0 10.0.1.1" {
		t.Errorf("h2's dnsmasq gave a's MAC %q, want a's lease", got)
	}

	t.Run("terminated remote NIC leaves the fdb", func(t *testing.T) {
		subnet.NICs = []netplane.NIC{a}
		subnet.Peers = []netip.Addr{vtep1}
		reconcile(t, p1, subnet)
		fdb := nptest.In(t, h1, "bridge", "fdb", "show", "dev", p1.VXLANName(subnet.ID))
		if strings.Contains(fdb, "dst "+vtep2.String()) {
			t.Errorf("h1 still forwards to h2:\n%s", fdb)
		}
		if out, err := ping(e1, "10.0.1.5"); err == nil {
			t.Errorf("ping still crosses without fdb entries:\n%s", out)
		}
	})
}

// endpoint is a namespace with nic's MAC and address, cabled to br in ns.
func endpoint(t *testing.T, ns, br string, nic netplane.NIC) string {
	t.Helper()
	e := nptest.NetNS(t)
	nptest.Veth(t, ns, "ep0", "", e, "eth0", "")
	nptest.In(t, ns, "ip", "link", "set", "ep0", "master", br)
	nptest.In(t, e, "ip", "link", "set", "eth0", "address", nic.MAC.String())
	nptest.In(t, e, "ip", "addr", "add", nic.IP.String()+"/24", "dev", "eth0")
	return e
}
