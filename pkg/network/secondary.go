package network

import (
	"net/netip"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// MaxVPCBlocks is EC2's default quota of IPv4 blocks per VPC, the primary
// included.
const MaxVPCBlocks = 5

// The private ranges of RFC 1918: a VPC whose primary block lies in one of
// them may add secondary blocks from that range or from public space only.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
}

// ValidateSecondaryCIDR checks a block AssociateVpcCidrBlock adds to vpc as
// EC2 does: a valid VPC block, no overlap with the VPC's blocks, the quota,
// and EC2's restriction to the primary block's private range.
func ValidateSecondaryCIDR(vpc VPC, cidr string) (netip.Prefix, error) {
	p, err := ParseCIDR(cidr)
	if err != nil {
		return netip.Prefix{}, err
	}
	if err := ValidateVPCCIDR(p); err != nil {
		return netip.Prefix{}, err
	}
	blocks := vpc.Blocks()
	if len(blocks) >= MaxVPCBlocks {
		return netip.Prefix{}, ec2err.New(ec2err.CidrLimitExceeded,
			"This network '%s' has met its maximum number of allowed CIDRs: %d", vpc.ID, MaxVPCBlocks)
	}
	for _, b := range blocks {
		if b.Overlaps(p) {
			return netip.Prefix{}, ec2err.New(CodeInvalidVpcRange,
				"The CIDR '%s' conflicts with another subnet", p)
		}
	}
	if restricted(vpc.CIDR, p) {
		return netip.Prefix{}, ec2err.New(CodeInvalidVpcRange, "The CIDR '%s' is restricted. Use a CIDR "+
			"from the same private address range as the current VPC CIDR, or use a publicly-routable CIDR.", p)
	}
	return p, nil
}

// restricted reports whether p lies in a private range other than the one
// of primary (every private range, when primary is public).
func restricted(primary, p netip.Prefix) bool {
	for _, r := range privateRanges {
		if r.Overlaps(p) && !Contains(r, primary) {
			return true
		}
	}
	return false
}
