package netplane_test

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// TestNATGateway poses a host whose public uplink is a veth to a "LAN"
// namespace and two private subnets of two VPCs that reuse 10.9.1.0/24,
// both routing to one NAT gateway address: each subnet's guests reach the
// LAN, which sees the gateway's address; nothing from the LAN reaches them
// (not through the gateway's address, not by their private addresses);
// the host serves nothing on the address; a subnet without the gateway
// stays closed; and taking the gateway away cuts the path and the address.
func TestNATGateway(t *testing.T) {
	nptest.RequireNetAdmin(t)
	host, lan := nptest.NetNS(t), nptest.NetNS(t)
	nptest.Veth(t, host, "up0", "198.51.100.2/24", lan, "lan0", "198.51.100.1/24")
	nptest.In(t, lan, "ip", "route", "add", "10.9.0.0/16", "via", "198.51.100.2")
	p, err := netplane.New(netplane.Config{Prefix: nptest.Prefix(t), StateDir: filepath.Join(hvtest.ScratchDir(t), "np"),
		NetNS: host, MetadataAddr: netip.MustParseAddr("169.254.169.254"), PublicUplink: "up0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reconcile(t, p); p.Close() })
	cidr, gw := netip.MustParsePrefix("10.9.1.0/24"), netip.MustParseAddr("198.51.100.30")
	a, c, d := nic("i-0000000000000a001", "10.9.1.10"), nic("i-0000000000000b001", "10.9.1.10"), nic("i-0000000000000c001", "10.9.1.11")
	subnets := []netplane.Subnet{
		{ID: "subnet-00000000000000a01", CIDR: cidr, NICs: []netplane.NIC{a}, NATGateway: gw},
		{ID: "subnet-00000000000000b01", CIDR: cidr, NICs: []netplane.NIC{c}, NATGateway: gw},
		{ID: "subnet-00000000000000c01", CIDR: netip.MustParsePrefix("10.9.2.0/24"), NICs: []netplane.NIC{d}},
	}
	d.IP = netip.MustParseAddr("10.9.2.11")
	subnets[2].NICs[0] = d
	reconcile(t, p, subnets...)
	g := map[string]string{}
	for _, s := range subnets {
		for _, n := range s.NICs {
			g[n.InstanceID] = guestNS(t, host, p.TapName(n.InstanceID, 0), n, s.CIDR)
			tcpServe(t, g[n.InstanceID], "0.0.0.0", n.InstanceID)
		}
	}
	reconcile(t, p, subnets...)
	tcpServe(t, lan, "198.51.100.1", "lan")
	tcpServe(t, host, "0.0.0.0", "host")

	t.Run("private guests reach the LAN as the gateway", func(t *testing.T) {
		wantTCP(t, g[a.InstanceID], "198.51.100.1", "lan from 198.51.100.30")
		wantTCP(t, g[c.InstanceID], "198.51.100.1", "lan from 198.51.100.30")
		mustPing(t, g[a.InstanceID], "198.51.100.1", true)
	})
	t.Run("the LAN reaches none of them", func(t *testing.T) {
		wantTCP(t, lan, "198.51.100.30", "") // the host serves nothing there either
		mustPing(t, lan, "198.51.100.30", false)
		wantTCP(t, lan, "10.9.1.10", "")
		mustPing(t, lan, "10.9.2.11", false)
		wantTCP(t, lan, "198.51.100.2", "host from 198.51.100.1")
	})
	t.Run("a subnet without the route stays closed", func(t *testing.T) {
		wantTCP(t, g[d.InstanceID], "198.51.100.1", "")
	})
	t.Run("taking the gateway away cuts the path", func(t *testing.T) {
		subnets[0].NATGateway, subnets[1].NATGateway = netip.Addr{}, netip.Addr{}
		reconcile(t, p, subnets...)
		wantTCP(t, g[a.InstanceID], "198.51.100.1", "")
		if held, err := p.HeldPublicAddrs(); err != nil || len(held) != 0 {
			t.Errorf("after the gateway left the uplink holds %v (%v)", held, err)
		}
	})
}
