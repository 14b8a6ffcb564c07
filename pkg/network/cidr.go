package network

import (
	"net/netip"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// ParseCIDR parses an IPv4 CIDR block whose host bits are zero
// (10.0.0.0/16, not 10.0.0.1/16), as EC2 requires.
func ParseCIDR(cidr string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() || p.Masked() != p {
		return netip.Prefix{}, ec2err.New(CodeInvalidParameterValue,
			"Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", cidr)
	}
	return p, nil
}

// ValidateVPCCIDR checks a VPC block: a netmask from /16 to /28, and not in
// a range that can never be a VPC (this network, loopback, link-local,
// multicast and reserved space).
func ValidateVPCCIDR(p netip.Prefix) error {
	if p.Bits() < minPrefixLen || p.Bits() > maxPrefixLen || forbidden(p) {
		return ec2err.New(CodeInvalidVpcRange, "The CIDR '%s' is invalid.", p)
	}
	return nil
}

var forbiddenBlocks = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("224.0.0.0/3"), // multicast and reserved up to 255.255.255.255
}

func forbidden(p netip.Prefix) bool {
	for _, f := range forbiddenBlocks {
		if f.Overlaps(p) {
			return true
		}
	}
	return false
}

// ValidateSubnetCIDR checks a subnet block against its VPC's blocks and the
// VPC's other subnets.
func ValidateSubnetCIDR(vpc VPC, p netip.Prefix, siblings []Subnet) error {
	inside := false
	for _, b := range vpc.Blocks() {
		inside = inside || Contains(b, p)
	}
	if p.Bits() < minPrefixLen || p.Bits() > maxPrefixLen || !inside {
		return ec2err.New(CodeInvalidSubnetRange, "The CIDR '%s' is invalid.", p)
	}
	for _, s := range siblings {
		if s.VpcID == vpc.ID && s.CIDR.Overlaps(p) {
			return ec2err.New(CodeInvalidSubnetConflict, "The CIDR '%s' conflicts with another subnet", p)
		}
	}
	return nil
}

// Contains reports whether inner lies entirely inside outer.
func Contains(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}
