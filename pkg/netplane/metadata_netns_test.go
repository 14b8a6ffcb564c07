package netplane_test

import (
	"net/netip"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vishvananda/netlink"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// TestMetadataAddr: with Config.MetadataAddr every bridge carries the
// gateway and 169.254.169.254/32, a bridge of a subnet with a DNS server
// also Config.DNSAddr and the server's address, a removed metadata address
// comes back, and stray addresses still go.
func TestMetadataAddr(t *testing.T) {
	nptest.RequireNetAdmin(t)
	ns := nptest.NetNS(t)
	p, err := netplane.New(netplane.Config{Prefix: nptest.Prefix(t), StateDir: filepath.Join(hvtest.ScratchDir(t), "np"),
		NetNS: ns, MetadataAddr: netip.MustParseAddr("169.254.169.254"), DNSAddr: netip.MustParseAddr("169.254.169.253")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reconcile(t, p); p.Close() })
	h := handle(t, ns)
	subnets := []netplane.Subnet{
		{ID: "subnet-0000000000000000a", CIDR: netip.MustParsePrefix("10.0.1.0/24")},
		{ID: "subnet-0000000000000000b", CIDR: netip.MustParsePrefix("10.0.2.0/24"),
			DNS: &netplane.DNS{Server: netip.MustParseAddr("10.0.0.2"), Domain: "lab-1.compute.internal"}},
	}
	want := map[string][]string{
		p.BridgeName(subnets[0].ID): {"10.0.1.1/24", "169.254.169.254/32"},
		p.BridgeName(subnets[1].ID): {"10.0.0.2/32", "10.0.2.1/24", "169.254.169.253/32", "169.254.169.254/32"},
	}
	check := func(step string) {
		t.Helper()
		for br, addrs := range want {
			if got := bridgeAddrs(t, h, br); !slices.Equal(got, addrs) {
				t.Errorf("%s: %s addresses %v, want %v", step, br, got, addrs)
			}
		}
	}
	reconcile(t, p, subnets...)
	check("first reconcile")

	br := p.BridgeName(subnets[0].ID)
	nptest.In(t, ns, "ip", "addr", "del", "169.254.169.254/32", "dev", br)
	nptest.In(t, ns, "ip", "addr", "add", "10.0.1.200/24", "dev", br)
	reconcile(t, p, subnets...)
	check("after removing the metadata address and adding a stray")

	if _, err := netplane.New(netplane.Config{Prefix: "x", MetadataAddr: netip.MustParseAddr("fd00::1")}); err == nil {
		t.Error("New accepted an IPv6 metadata address")
	}
}

// bridgeAddrs lists br's IPv4 addresses, sorted.
func bridgeAddrs(t *testing.T, h *netlink.Handle, br string) []string {
	t.Helper()
	link, err := h.LinkByName(br)
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := h.AddrList(link, netlink.FAMILY_V4)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range addrs {
		out = append(out, a.IPNet.String())
	}
	slices.Sort(out)
	return out
}
