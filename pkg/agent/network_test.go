package agent

import (
	"net/netip"
	"testing"

	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// TestPlaneSubnets: the SyncNetwork request maps 1:1 onto the data plane's
// subnets; without a local VTEP subnets are plain bridges (no VNI, peers or
// remote hosts); malformed addresses are refused.
func TestPlaneSubnets(t *testing.T) {
	req := &agentv1.SyncNetworkRequest{Subnets: []*agentv1.NetSubnet{{SubnetId: "subnet-1", Cidr: "172.31.0.0/20", Vni: 7,
		Peers: []string{"192.0.2.9"}, Nics: []*agentv1.NetNic{
			{InstanceId: "i-1", Mac: "02:00:00:00:00:01", Ip: "172.31.0.4", Hostname: "ip-172-31-0-4"},
			{InstanceId: "i-2", Mac: "02:00:00:00:00:02", Ip: "172.31.0.5", HostVtep: "192.0.2.9"}}}}}
	vtep := netip.MustParseAddr("192.0.2.8")
	for _, tc := range []struct {
		name       string
		vtep       netip.Addr
		vni, peers int
		remote     bool
	}{
		{"overlay", vtep, 7, 1, true},
		{"single host", netip.Addr{}, 0, 0, false},
	} {
		got, err := planeSubnets(req, tc.vtep)
		if err != nil || len(got) != 1 {
			t.Fatalf("%s: %v %v", tc.name, got, err)
		}
		s := got[0]
		if s.ID != "subnet-1" || s.CIDR.String() != "172.31.0.0/20" || int(s.VNI) != tc.vni || len(s.Peers) != tc.peers || len(s.NICs) != 2 {
			t.Errorf("%s: %+v", tc.name, s)
		}
		if s.NICs[0].MAC.String() != "02:00:00:00:00:01" || s.NICs[0].IP.String() != "172.31.0.4" || s.NICs[1].Host.IsValid() != tc.remote {
			t.Errorf("%s: NICs %+v", tc.name, s.NICs)
		}
	}
	for _, bad := range []*agentv1.NetSubnet{
		{SubnetId: "s", Cidr: "nonsense"},
		{SubnetId: "s", Cidr: "10.0.0.0/24", Nics: []*agentv1.NetNic{{InstanceId: "i", Mac: "zz", Ip: "10.0.0.4"}}},
		{SubnetId: "s", Cidr: "10.0.0.0/24", Nics: []*agentv1.NetNic{{InstanceId: "i", Mac: "02:00:00:00:00:01", Ip: "x"}}},
	} {
		if _, err := planeSubnets(&agentv1.SyncNetworkRequest{Subnets: []*agentv1.NetSubnet{bad}}, vtep); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
	if NetPrefix("ec2lab-") == NetPrefix("e2e1234-") || len(NetPrefix("x")) != 5 {
		t.Error("NetPrefix is not a distinct 5-character prefix")
	}
}

// TestDNSZones: a subnet's DNS server becomes the data plane's (server,
// domain, support) and its bridge's zone (names lower-cased, the VPC's
// blocks); subnets without one get neither; malformed input is refused.
func TestDNSZones(t *testing.T) {
	dns := &agentv1.NetDns{Support: true, Hostnames: true, Domain: "Lab-1.compute.internal", Server: "10.0.0.2",
		VpcCidrs: []string{"10.0.0.0/16", "100.64.0.0/24"},
		Hosts:    []*agentv1.NetDnsHost{{Name: "IP-10-0-1-4.lab-1.compute.internal.", Ip: "10.0.1.4"}}}
	req := &agentv1.SyncNetworkRequest{Subnets: []*agentv1.NetSubnet{
		{SubnetId: "subnet-1", Cidr: "10.0.1.0/24", Dns: dns},
		{SubnetId: "subnet-2", Cidr: "10.9.0.0/24"},
	}}
	bridgeOf := func(id string) string { return "br-" + id }
	zones, err := dnsZones(req, bridgeOf)
	if err != nil {
		t.Fatal(err)
	}
	z, ok := zones["br-subnet-1"]
	if len(zones) != 1 || !ok || !z.Support || !z.Hostnames || z.Domain != "lab-1.compute.internal" || len(z.CIDRs) != 2 ||
		z.Hosts["ip-10-0-1-4.lab-1.compute.internal"] != netip.MustParseAddr("10.0.1.4") {
		t.Errorf("zones %+v", zones)
	}
	subnets, err := planeSubnets(req, netip.Addr{})
	if err != nil {
		t.Fatal(err)
	}
	if d := subnets[0].DNS; d == nil || d.Server != netip.MustParseAddr("10.0.0.2") || !d.Support || d.Domain != dns.GetDomain() {
		t.Errorf("subnet-1 DNS %+v", d)
	}
	if subnets[1].DNS != nil {
		t.Errorf("subnet-2 has DNS %+v", subnets[1].DNS)
	}
	for _, bad := range []*agentv1.NetDns{
		{Server: "10.0.0.2", VpcCidrs: []string{"nonsense"}},
		{Server: "10.0.0.2", Hosts: []*agentv1.NetDnsHost{{Name: "a.lab-1.compute.internal", Ip: "x"}}},
		{Server: "10.0.0.2", Hosts: []*agentv1.NetDnsHost{{Ip: "10.0.1.4"}}},
	} {
		r := &agentv1.SyncNetworkRequest{Subnets: []*agentv1.NetSubnet{{SubnetId: "s", Cidr: "10.0.0.0/24", Dns: bad}}}
		if _, err := dnsZones(r, bridgeOf); err == nil {
			t.Errorf("dnsZones accepted %v", bad)
		}
	}
	r := &agentv1.SyncNetworkRequest{Subnets: []*agentv1.NetSubnet{{SubnetId: "s", Cidr: "10.0.0.0/24", Dns: &agentv1.NetDns{Server: "x"}}}}
	if _, err := planeSubnets(r, netip.Addr{}); err == nil {
		t.Error("planeSubnets accepted a bad DNS server")
	}
}

// TestDropUnheldPublicIPs: a recovered network keeps the public addresses
// the uplink still holds and drops the others (the host rebooted; the
// controller says again which are still this host's).
func TestDropUnheldPublicIPs(t *testing.T) {
	req := &agentv1.SyncNetworkRequest{Subnets: []*agentv1.NetSubnet{{SubnetId: "subnet-1", Cidr: "10.0.1.0/24", Nics: []*agentv1.NetNic{
		{InstanceId: "i-1", Ip: "10.0.1.4", PublicIp: "198.51.100.20"},
		{InstanceId: "i-2", Ip: "10.0.1.5", PublicIp: "198.51.100.21"},
		{InstanceId: "i-3", Ip: "10.0.1.6"}}}}}
	dropped := dropUnheldPublicIPs(req, []netip.Addr{netip.MustParseAddr("198.51.100.20")})
	if len(dropped) != 1 || dropped[0] != "198.51.100.21" {
		t.Errorf("dropped %v, want [198.51.100.21]", dropped)
	}
	nics := req.GetSubnets()[0].GetNics()
	if nics[0].GetPublicIp() != "198.51.100.20" || nics[1].GetPublicIp() != "" || nics[2].GetPublicIp() != "" {
		t.Errorf("after recovery: %v", nics)
	}
	if got := dropUnheldPublicIPs(req, nil); len(got) != 1 || nics[0].GetPublicIp() != "" {
		t.Errorf("nothing held: dropped %v, left %v", got, nics)
	}
	gw := &agentv1.SyncNetworkRequest{Subnets: []*agentv1.NetSubnet{
		{SubnetId: "subnet-2", Cidr: "10.0.2.0/24", NatGateway: "198.51.100.30"},
		{SubnetId: "subnet-3", Cidr: "10.0.3.0/24", NatGateway: "198.51.100.31"}}}
	if got := dropUnheldPublicIPs(gw, []netip.Addr{netip.MustParseAddr("198.51.100.30")}); len(got) != 1 || got[0] != "198.51.100.31" ||
		gw.GetSubnets()[0].GetNatGateway() != "198.51.100.30" || gw.GetSubnets()[1].GetNatGateway() != "" {
		t.Errorf("NAT gateways: dropped %v, left %v", got, gw.GetSubnets())
	}
}

// TestPlaneDHCP: a VPC's DHCP option set reaches the data plane whole;
// an address that does not parse is refused.
func TestPlaneDHCP(t *testing.T) {
	ns := &agentv1.NetSubnet{SubnetId: "subnet-1", Dns: &agentv1.NetDns{Server: "10.0.0.2", Domain: "lab-1.compute.internal",
		Dhcp: &agentv1.NetDhcpOptions{DomainName: "lab.example", DomainNameServers: []string{"10.0.0.53", "10.0.0.2"},
			NtpServers: []string{"10.0.0.123"}, NetbiosNameServers: []string{"10.0.0.139"}, NetbiosNodeType: 2}}}
	d, err := planeDNS(ns)
	if err != nil || d.DHCP == nil {
		t.Fatalf("planeDNS: %+v %v", d, err)
	}
	o := d.DHCP
	if o.DomainName != "lab.example" || len(o.DNSServers) != 2 || o.DNSServers[1] != netip.MustParseAddr("10.0.0.2") ||
		len(o.NTPServers) != 1 || len(o.NetBIOSServers) != 1 || o.NetBIOSNodeType != 2 {
		t.Errorf("DHCP options %+v", o)
	}
	ns.Dns.Dhcp.NtpServers = []string{"ntp.example"}
	if _, err := planeDNS(ns); err == nil {
		t.Error("an NTP server that is not an address was accepted")
	}
}
