package network

import (
	"net/netip"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

func TestValidateSecondaryCIDR(t *testing.T) {
	ten := VPC{ID: "vpc-1", CIDR: netip.MustParsePrefix("10.0.0.0/16")}
	full := ten
	for _, c := range []string{"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16"} {
		full.Secondary = append(full.Secondary, netip.MustParsePrefix(c))
	}
	public := VPC{ID: "vpc-2", CIDR: netip.MustParsePrefix("100.64.0.0/16")}
	for _, tc := range []struct {
		name string
		vpc  VPC
		cidr string
		code string // "" = accepted
	}{
		{"same private range", ten, "10.1.0.0/16", ""},
		{"public space", ten, "100.70.0.0/24", ""},
		{"other private range", ten, "192.168.0.0/24", CodeInvalidVpcRange},
		{"172.16/12 from 10/8", ten, "172.20.0.0/16", CodeInvalidVpcRange},
		{"overlaps the primary", ten, "10.0.128.0/17", CodeInvalidVpcRange},
		{"too large", ten, "10.0.0.0/8", CodeInvalidVpcRange},
		{"not a block", ten, "10.1.0.1/16", CodeInvalidParameterValue},
		{"quota", full, "10.9.0.0/16", ec2err.CidrLimitExceeded},
		{"public primary refuses private", public, "10.0.0.0/16", CodeInvalidVpcRange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ValidateSecondaryCIDR(tc.vpc, tc.cidr)
			if got := codeOf(err); got != tc.code {
				t.Fatalf("%s: code %q (%v), want %q", tc.cidr, got, err, tc.code)
			}
		})
	}
}

func TestSubnetInSecondaryBlock(t *testing.T) {
	v := VPC{ID: "vpc-1", CIDR: netip.MustParsePrefix("10.0.0.0/16"),
		Secondary: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}}
	if _, err := NewSubnet("subnet-1", v, "a", "10.1.2.0/24", nil); err != nil {
		t.Fatalf("subnet in the secondary block: %v", err)
	}
	if _, err := NewSubnet("subnet-2", v, "a", "10.2.0.0/24", nil); codeOf(err) != CodeInvalidSubnetRange {
		t.Fatalf("subnet outside every block: %v", err)
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return ec2err.Code(err)
}
