// Package network owns the pure rules of ec2lab's virtual networks: VPC and
// subnet CIDR validation as EC2 applies it, the addresses EC2 reserves in
// every subnet, private IPv4 address management (IPAM), the default VPC with
// one default subnet per Availability Zone, and deterministic NIC MAC
// addresses and private DNS names. It does no I/O; the controller stores
// what it returns and the host data plane (pkg/netplane) realizes it.
package network

import (
	"net/netip"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// ID prefixes of the resources this package models.
const (
	VPCIDPrefix    = "vpc"
	SubnetIDPrefix = "subnet"
)

// EC2 error codes for networking requests.
const (
	CodeInvalidVpcRange       = "InvalidVpc.Range"
	CodeInvalidSubnetRange    = "InvalidSubnet.Range"
	CodeInvalidSubnetConflict = "InvalidSubnet.Conflict"
	CodeInvalidIPAddressInUse = "InvalidIPAddress.InUse"
	CodeInsufficientFreeAddrs = "InsufficientFreeAddressesInSubnet"
	CodeInvalidParameterValue = ec2err.InvalidParameterValue
)

// Block sizes EC2 accepts for VPCs and subnets, and how many addresses it
// reserves at the start and at the end of every subnet.
const (
	minPrefixLen, maxPrefixLen   = 16, 28
	reservedAtStart, reservedEnd = 4, 1
)

// VPC is a virtual private cloud: an IPv4 CIDR block owned by one account,
// and the secondary blocks associated with it later.
type VPC struct {
	ID        string
	OwnerID   string
	CIDR      netip.Prefix
	Secondary []netip.Prefix
	IsDefault bool
}

// Blocks are all the VPC's IPv4 blocks, the primary first.
func (v VPC) Blocks() []netip.Prefix {
	return append([]netip.Prefix{v.CIDR}, v.Secondary...)
}

// Subnet is a range of a VPC's CIDR block in one Availability Zone.
type Subnet struct {
	ID           string
	VpcID        string
	AZ           string
	CIDR         netip.Prefix
	DefaultForAZ bool
}

// NewVPC validates cidr as CreateVpc does and returns the VPC.
func NewVPC(id, ownerID, cidr string) (VPC, error) {
	p, err := ParseCIDR(cidr)
	if err != nil {
		return VPC{}, err
	}
	if err := ValidateVPCCIDR(p); err != nil {
		return VPC{}, err
	}
	return VPC{ID: id, OwnerID: ownerID, CIDR: p}, nil
}

// NewSubnet validates cidr as CreateSubnet does (inside vpc, sized /16 to
// /28, overlapping none of siblings, the VPC's other subnets) and returns
// the subnet.
func NewSubnet(id string, vpc VPC, az, cidr string, siblings []Subnet) (Subnet, error) {
	p, err := ParseCIDR(cidr)
	if err != nil {
		return Subnet{}, err
	}
	if err := ValidateSubnetCIDR(vpc, p, siblings); err != nil {
		return Subnet{}, err
	}
	return Subnet{ID: id, VpcID: vpc.ID, AZ: az, CIDR: p}, nil
}
