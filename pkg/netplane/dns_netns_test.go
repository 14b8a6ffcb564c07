package netplane_test

import (
	"net/netip"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// TestDHCPNamesTheVPCResolver: DHCP hands a subnet's guests their VPC's
// domain, and its DNS server (base + 2, here outside the subnet) as the
// resolver while DNS support is on; turned off, the lease names no
// resolver and still the domain. A VPC's DHCP option set replaces both
// and adds its NTP and NetBIOS name servers.
func TestDHCPNamesTheVPCResolver(t *testing.T) {
	nptest.RequireNetAdmin(t)
	ns := nptest.NetNS(t)
	p := newPlane(t, ns, netip.Addr{})
	subnet := netplane.Subnet{ID: "subnet-00000000000000dd5", CIDR: netip.MustParsePrefix("10.0.1.0/24"),
		NICs: []netplane.NIC{nic("i-0000000000000000a", "10.0.1.4")},
		DNS:  &netplane.DNS{Server: netip.MustParseAddr("10.0.0.2"), Domain: "lab-1.compute.internal", Support: true}}
	br := p.BridgeName(subnet.ID)
	tests := []struct {
		support bool
		want    string
	}{
		{true, "lab-1.compute.internal 10.0.0.2"},
		{false, "lab-1.compute.internal"},
	}
	for _, tt := range tests {
		subnet.DNS.Support = tt.support
		reconcile(t, p, subnet)
		if got := dhcpLease(t, ns, br, subnet.NICs[0].MAC, "$domain $dns"); got != tt.want {
			t.Errorf("support %v: lease domain and resolver %q, want %q", tt.support, got, tt.want)
		}
	}
	subnet.DNS.DHCP = &netplane.DHCPOptions{DomainName: "lab.example",
		DNSServers:     []netip.Addr{netip.MustParseAddr("10.0.1.53"), netip.MustParseAddr("10.0.0.2")},
		NTPServers:     []netip.Addr{netip.MustParseAddr("10.0.1.123")},
		NetBIOSServers: []netip.Addr{netip.MustParseAddr("10.0.1.139")}, NetBIOSNodeType: 2}
	reconcile(t, p, subnet)
	want := "lab.example|10.0.1.53 10.0.0.2|10.0.1.123|10.0.1.139"
	if got := dhcpLease(t, ns, br, subnet.NICs[0].MAC, "$domain|$dns|$ntpsrv|$wins"); got != want {
		t.Errorf("with an option set: lease %q, want %q", got, want)
	}
}
