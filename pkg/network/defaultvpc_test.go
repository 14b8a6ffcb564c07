package network

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

func TestDefaultVPC(t *testing.T) {
	n := 0
	newID := func(prefix string) string { n++; return fmt.Sprintf("%s-%017d", prefix, n) }
	vpc, subnets, err := DefaultVPC("123456789012", []string{"us-east-1a", "us-east-1b", "us-east-1c"}, newID)
	if err != nil {
		t.Fatal(err)
	}
	if vpc.CIDR.String() != "172.31.0.0/16" || !vpc.IsDefault || vpc.ID != "vpc-00000000000000001" || vpc.OwnerID != "123456789012" {
		t.Errorf("vpc = %+v", vpc)
	}
	want := []struct{ az, cidr string }{
		{"us-east-1a", "172.31.0.0/20"}, {"us-east-1b", "172.31.16.0/20"}, {"us-east-1c", "172.31.32.0/20"},
	}
	if len(subnets) != len(want) {
		t.Fatalf("%d subnets, want %d", len(subnets), len(want))
	}
	for i, s := range subnets {
		if s.AZ != want[i].az || s.CIDR.String() != want[i].cidr || !s.DefaultForAZ || s.VpcID != vpc.ID {
			t.Errorf("subnet %d = %+v, want %v", i, s, want[i])
		}
		// Every default subnet must also pass the CreateSubnet rules.
		if err := ValidateSubnetCIDR(vpc, s.CIDR, subnets[:i]); err != nil {
			t.Errorf("default subnet %s invalid: %v", s.CIDR, err)
		}
	}
	for _, tc := range []struct {
		i    int
		want string
	}{{0, "172.31.0.0/20"}, {5, "172.31.80.0/20"}, {15, "172.31.240.0/20"}, {16, ""}, {-1, ""}} {
		p, err := DefaultSubnetCIDR(tc.i)
		if (err != nil) != (tc.want == "") || (err == nil && p != netip.MustParsePrefix(tc.want)) {
			t.Errorf("DefaultSubnetCIDR(%d) = %v, %v; want %q", tc.i, p, err, tc.want)
		}
	}
}

func TestMAC(t *testing.T) {
	a := MAC("i-0123456789abcdef0", 0)
	if a.String() != MAC("i-0123456789abcdef0", 0).String() {
		t.Error("MAC is not deterministic")
	}
	if a[0] != 0x02 || len(a) != 6 {
		t.Errorf("MAC %s is not locally administered unicast 02:…", a)
	}
	seen := map[string]string{}
	for i := 0; i < 2000; i++ {
		for dev := 0; dev < 2; dev++ {
			id := fmt.Sprintf("i-%017x/%d", i, dev)
			m := MAC(fmt.Sprintf("i-%017x", i), dev).String()
			if prev, dup := seen[m]; dup {
				t.Fatalf("MAC collision %s: %s and %s", m, prev, id)
			}
			seen[m] = id
		}
	}
}

func TestPrivateDNSName(t *testing.T) {
	addr := netip.MustParseAddr("172.31.16.4")
	for _, tc := range []struct{ region, want string }{
		{"us-east-1", "ip-172-31-16-4.ec2.internal"},
		{"eu-west-1", "ip-172-31-16-4.eu-west-1.compute.internal"},
	} {
		if got := PrivateDNSName(addr, tc.region); got != tc.want {
			t.Errorf("PrivateDNSName(%s) = %s, want %s", tc.region, got, tc.want)
		}
	}
}

// TestFreeDefaultSubnetCIDR: the zone's own /20 when free, else the first
// free one, and a conflict when the VPC has none left.
func TestFreeDefaultSubnetCIDR(t *testing.T) {
	vpc := VPC{ID: "vpc-1", CIDR: netip.MustParsePrefix(DefaultVPCCIDR), IsDefault: true}
	sub := func(cidr string) Subnet { return Subnet{VpcID: "vpc-1", CIDR: netip.MustParsePrefix(cidr)} }
	var full []Subnet
	for i := range 16 {
		full = append(full, sub(fmt.Sprintf("172.31.%d.0/20", i*16)))
	}
	tests := []struct {
		name     string
		index    int
		siblings []Subnet
		want     string
	}{
		{"own block", 1, nil, "172.31.16.0/20"},
		{"own block taken by a smaller subnet", 1, []Subnet{sub("172.31.20.0/24")}, "172.31.0.0/20"},
		{"first free", 2, []Subnet{sub("172.31.0.0/20"), sub("172.31.32.0/19")}, "172.31.16.0/20"},
		{"subnets of another VPC do not count", 0, []Subnet{{VpcID: "vpc-2", CIDR: netip.MustParsePrefix("172.31.0.0/20")}}, "172.31.0.0/20"},
		{"zone beyond 16", 20, nil, "172.31.0.0/20"},
		{"none left", 0, full, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := FreeDefaultSubnetCIDR(vpc, tt.index, tt.siblings)
			if tt.want == "" {
				if e, ok := ec2err.As(err); !ok || e.Code != CodeInvalidSubnetConflict {
					t.Errorf("got %v, %v; want InvalidSubnet.Conflict", p, err)
				}
				return
			}
			if err != nil || p.String() != tt.want {
				t.Errorf("got %v, %v; want %s", p, err, tt.want)
			}
		})
	}
}
