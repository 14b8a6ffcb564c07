package network

import (
	"fmt"
	"net/netip"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// The default VPC's block and its default subnets' size, as EC2 creates
// them: 172.31.0.0/16 cut into /20s, one per Availability Zone in order
// (172.31.0.0/20, 172.31.16.0/20, 172.31.32.0/20, …).
const (
	DefaultVPCCIDR         = "172.31.0.0/16"
	defaultSubnetPrefixLen = 20
	maxDefaultSubnets      = 1 << (defaultSubnetPrefixLen - 16)
)

// DefaultSubnetCIDR is the block of the default subnet of the index-th
// Availability Zone (0-based, at most 15).
func DefaultSubnetCIDR(index int) (netip.Prefix, error) {
	if index < 0 || index >= maxDefaultSubnets {
		return netip.Prefix{}, fmt.Errorf("default subnet %d: at most %d zones", index, maxDefaultSubnets)
	}
	base := netip.MustParsePrefix(DefaultVPCCIDR)
	return netip.PrefixFrom(nth(base, index<<(32-defaultSubnetPrefixLen)), defaultSubnetPrefixLen), nil
}

// DefaultVPC builds an account's default VPC and one default subnet for
// each zone in azs (in that order). newID makes resource IDs from a prefix
// (ids.New in production, a counter in tests).
func DefaultVPC(ownerID string, azs []string, newID func(prefix string) string) (VPC, []Subnet, error) {
	vpc := VPC{ID: newID(VPCIDPrefix), OwnerID: ownerID, CIDR: netip.MustParsePrefix(DefaultVPCCIDR), IsDefault: true}
	subnets := make([]Subnet, 0, len(azs))
	for i, az := range azs {
		cidr, err := DefaultSubnetCIDR(i)
		if err != nil {
			return VPC{}, nil, fmt.Errorf("default VPC for %s: %w", az, err)
		}
		subnets = append(subnets, Subnet{ID: newID(SubnetIDPrefix), VpcID: vpc.ID, AZ: az, CIDR: cidr, DefaultForAZ: true})
	}
	return vpc, subnets, nil
}

// FreeDefaultSubnetCIDR is the block CreateDefaultSubnet gives the default
// subnet of the index-th zone in the default VPC vpc: the zone's own /20
// when no subnet of the VPC overlaps it, else the first free /20 of
// 172.31.0.0/16. None free is InvalidSubnet.Conflict.
func FreeDefaultSubnetCIDR(vpc VPC, index int, siblings []Subnet) (netip.Prefix, error) {
	order := make([]int, 0, maxDefaultSubnets+1)
	if index >= 0 && index < maxDefaultSubnets {
		order = append(order, index)
	}
	for i := range maxDefaultSubnets {
		order = append(order, i)
	}
	for _, i := range order {
		p, err := DefaultSubnetCIDR(i)
		if err != nil {
			return netip.Prefix{}, err
		}
		if ValidateSubnetCIDR(vpc, p, siblings) == nil {
			return p, nil
		}
	}
	return netip.Prefix{}, ec2err.New(CodeInvalidSubnetConflict,
		"The default VPC %s has no free /%d block left for a default subnet", vpc.ID, defaultSubnetPrefixLen)
}
