package network

import (
	"net/netip"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

func code(err error) string {
	if err == nil {
		return ""
	}
	return ec2err.Code(err)
}

func TestNewVPC(t *testing.T) {
	for _, tc := range []struct {
		cidr, code string
	}{
		{"10.0.0.0/16", ""},
		{"172.31.0.0/16", ""},
		{"192.168.1.0/28", ""},
		{"100.64.0.0/20", ""},
		{"10.0.0.0/8", CodeInvalidVpcRange},
		{"10.0.0.0/15", CodeInvalidVpcRange},
		{"10.0.0.0/29", CodeInvalidVpcRange},
		{"127.0.0.0/16", CodeInvalidVpcRange},
		{"169.254.0.0/16", CodeInvalidVpcRange},
		{"224.0.0.0/16", CodeInvalidVpcRange},
		{"10.0.0.1/16", CodeInvalidParameterValue},
		{"10.0.0.0", CodeInvalidParameterValue},
		{"fd00::/56", CodeInvalidParameterValue},
		{"bogus", CodeInvalidParameterValue},
	} {
		vpc, err := NewVPC("vpc-1", "123456789012", tc.cidr)
		if code(err) != tc.code {
			t.Errorf("NewVPC(%s) error %v, want code %q", tc.cidr, err, tc.code)
		}
		if err == nil && vpc.CIDR.String() != tc.cidr {
			t.Errorf("NewVPC(%s).CIDR = %s", tc.cidr, vpc.CIDR)
		}
	}
}

func TestNewSubnet(t *testing.T) {
	vpc, err := NewVPC("vpc-1", "123456789012", "10.0.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	siblings := []Subnet{
		{ID: "subnet-a", VpcID: "vpc-1", CIDR: netip.MustParsePrefix("10.0.0.0/24")},
		{ID: "subnet-b", VpcID: "vpc-1", CIDR: netip.MustParsePrefix("10.0.16.0/20")},
		{ID: "subnet-x", VpcID: "vpc-other", CIDR: netip.MustParsePrefix("10.0.1.0/24")},
	}
	for _, tc := range []struct {
		cidr, code string
	}{
		{"10.0.1.0/24", ""}, // overlaps only another VPC's subnet
		{"10.0.2.0/28", ""},
		{"10.0.0.0/16", CodeInvalidSubnetConflict}, // whole VPC: overlaps a
		{"10.0.0.128/25", CodeInvalidSubnetConflict},
		{"10.0.20.0/24", CodeInvalidSubnetConflict},
		{"10.1.0.0/24", CodeInvalidSubnetRange},
		{"10.0.255.240/29", CodeInvalidSubnetRange},
		{"10.0.0.0/15", CodeInvalidSubnetRange},
		{"10.0.3.1/24", CodeInvalidParameterValue},
	} {
		s, err := NewSubnet("subnet-new", vpc, "us-east-1a", tc.cidr, siblings)
		if code(err) != tc.code {
			t.Errorf("NewSubnet(%s) error %v, want code %q", tc.cidr, err, tc.code)
		}
		if err == nil && (s.VpcID != "vpc-1" || s.AZ != "us-east-1a" || s.CIDR.String() != tc.cidr) {
			t.Errorf("NewSubnet(%s) = %+v", tc.cidr, s)
		}
	}
}

func TestReservedAddresses(t *testing.T) {
	p := netip.MustParsePrefix("10.0.1.0/24")
	for _, tc := range []struct {
		addr     string
		reserved bool
	}{
		{"10.0.1.0", true}, {"10.0.1.1", true}, {"10.0.1.2", true}, {"10.0.1.3", true},
		{"10.0.1.4", false}, {"10.0.1.254", false}, {"10.0.1.255", true},
		{"10.0.2.4", false}, // outside: not this subnet's to reserve
	} {
		if got := Reserved(p, netip.MustParseAddr(tc.addr)); got != tc.reserved {
			t.Errorf("Reserved(%s) = %v, want %v", tc.addr, got, tc.reserved)
		}
	}
	for _, tc := range []struct {
		cidr, gw, dns, first, last, bcast, mask string
		usable                                  int
	}{
		{"10.0.1.0/24", "10.0.1.1", "10.0.1.2", "10.0.1.4", "10.0.1.254", "10.0.1.255", "255.255.255.0", 251},
		{"172.31.16.0/20", "172.31.16.1", "172.31.16.2", "172.31.16.4", "172.31.31.254", "172.31.31.255", "255.255.240.0", 4091},
		{"192.168.0.16/28", "192.168.0.17", "192.168.0.18", "192.168.0.20", "192.168.0.30", "192.168.0.31", "255.255.255.240", 11},
	} {
		p := netip.MustParsePrefix(tc.cidr)
		got := []string{Gateway(p).String(), DNSServer(p).String(), FirstUsable(p).String(), LastUsable(p).String(), Broadcast(p).String(), Netmask(p).String()}
		want := []string{tc.gw, tc.dns, tc.first, tc.last, tc.bcast, tc.mask}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: got %v, want %v", tc.cidr, got, want)
				break
			}
		}
		if Usable(p) != tc.usable {
			t.Errorf("Usable(%s) = %d, want %d", tc.cidr, Usable(p), tc.usable)
		}
	}
}
