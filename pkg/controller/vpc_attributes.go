package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// The VPC attributes of DescribeVpcAttribute and ModifyVpcAttribute.
const (
	VPCAttrDNSSupport          = "enableDnsSupport"
	VPCAttrDNSHostnames        = "enableDnsHostnames"
	VPCAttrAddressUsageMetrics = "enableNetworkAddressUsageMetrics"
)

// DNSSupportEnabled reports whether the VPC's DHCP servers also answer DNS
// for its instances' names (EC2's default: on).
func (v VPC) DNSSupportEnabled() bool { return v.DNSSupport == nil || *v.DNSSupport }

// DNSHostnamesEnabled reports whether instances get DNS hostnames (EC2's
// default: on in the default VPC only).
func (v VPC) DNSHostnamesEnabled() bool {
	if v.DNSHostnames == nil {
		return v.IsDefault
	}
	return *v.DNSHostnames
}

// attribute is the value of one VPC attribute; ok is false for a name EC2
// does not have.
func (v VPC) attribute(name string) (value, ok bool) {
	switch name {
	case VPCAttrDNSSupport:
		return v.DNSSupportEnabled(), true
	case VPCAttrDNSHostnames:
		return v.DNSHostnamesEnabled(), true
	case VPCAttrAddressUsageMetrics:
		return v.AddressUsageMetrics, true
	}
	return false, false
}

// DescribeVpcAttribute answers one attribute of the caller's VPC.
func (s *Service) DescribeVpcAttribute(ctx context.Context, vpcID, attr string) (bool, error) {
	acct, err := account(ctx)
	if err != nil {
		return false, err
	}
	if attr == "" {
		return false, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter Attribute")
	}
	v, _, err := s.ownVPC(ctx, acct, vpcID)
	if err != nil {
		return false, err
	}
	val, ok := v.attribute(attr)
	if !ok {
		return false, ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. Unknown attribute.", attr)
	}
	return val, nil
}

// VPCAttributeChange is one ModifyVpcAttribute call: the attributes the
// request named (nil: not named). EC2 takes exactly one per call.
type VPCAttributeChange struct {
	DNSSupport, DNSHostnames, AddressUsageMetrics *bool
}

// ModifyVpcAttribute changes one attribute of the caller's VPC; the DNS
// and DHCP servers of its subnets follow DNS support on the network sync
// it kicks (desiredNetwork).
func (s *Service) ModifyVpcAttribute(ctx context.Context, vpcID string, c VPCAttributeChange) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	named := 0
	for _, p := range []*bool{c.DNSSupport, c.DNSHostnames, c.AddressUsageMetrics} {
		if p != nil {
			named++
		}
	}
	switch {
	case named == 0:
		return ec2err.New(ec2err.MissingParameter,
			"The request must contain one of the parameters EnableDnsSupport, EnableDnsHostnames or EnableNetworkAddressUsageMetrics")
	case named > 1:
		return ec2err.New(ec2err.InvalidParameterCombination, "Fields for multiple attribute types specified: only one attribute can be modified at a time")
	}
	v, rev, err := s.ownVPC(ctx, acct, vpcID)
	if err != nil {
		return err
	}
	if c.DNSHostnames != nil && *c.DNSHostnames && !v.DNSSupportEnabled() {
		return ec2err.New(ec2err.InvalidParameterValue,
			"Cannot enable DNS hostnames for %s: DNS support (enableDnsSupport) is disabled", v.ID)
	}
	switch {
	case c.DNSSupport != nil:
		v.DNSSupport = c.DNSSupport
	case c.DNSHostnames != nil:
		v.DNSHostnames = c.DNSHostnames
	default:
		v.AddressUsageMetrics = *c.AddressUsageMetrics
	}
	if err := s.putVPC(ctx, v, rev); err != nil {
		return err
	}
	s.Kick()
	s.log.Info("vpc attribute modified", "vpc", v.ID, "dns_support", v.DNSSupportEnabled(),
		"dns_hostnames", v.DNSHostnamesEnabled(), "address_usage_metrics", v.AddressUsageMetrics)
	return nil
}
