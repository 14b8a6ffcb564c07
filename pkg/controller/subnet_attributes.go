package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// SubnetAttributeChange is one ModifySubnetAttribute call: Flags are the
// boolean attributes the request named (by EC2 parameter name) with their
// values; HostnameType is PrivateDnsHostnameTypeOnLaunch ("" when absent).
type SubnetAttributeChange struct {
	Flags        map[string]bool
	HostnameType string
	// Unsupported names a parameter that needs what ec2lab's subnets do
	// not have (customer-owned pools, LNI device indexes); "" when none.
	Unsupported string
}

// subnetFlagsOff are the boolean subnet attributes ec2lab's subnets hold
// at false, each with why: the only value they accept is false.
var subnetFlagsOff = map[string]string{
	"AssignIpv6AddressOnCreation":             "ec2lab subnets have no IPv6 blocks",
	"EnableDns64":                             "ec2lab subnets have no IPv6 blocks",
	"MapCustomerOwnedIpOnLaunch":              "ec2lab has no customer-owned address pools",
	"EnableResourceNameDnsARecordOnLaunch":    "instance hostnames are IP names (ip-name) only",
	"EnableResourceNameDnsAAAARecordOnLaunch": "ec2lab subnets have no IPv6 blocks",
	"DisableLniAtDeviceIndex":                 "ec2lab has no local network interfaces",
}

// ModifySubnetAttribute changes one attribute of the caller's subnet.
// MapPublicIpOnLaunch takes either value (publicips.go); the others stay at
// EC2's default, which is all ec2lab's subnets can honour: setting that
// value succeeds, any other answers why it cannot.
func (s *Service) ModifySubnetAttribute(ctx context.Context, subnetID string, c SubnetAttributeChange) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	named := len(c.Flags)
	if c.HostnameType != "" {
		named++
	}
	if c.Unsupported != "" {
		named++
	}
	switch {
	case named == 0:
		return ec2err.New(ec2err.MissingParameter, "The request must contain one attribute to modify")
	case named > 1:
		return ec2err.New(ec2err.InvalidParameterCombination, "Only one attribute can be modified at a time")
	}
	if _, _, err := s.ownSubnet(ctx, acct, subnetID); err != nil {
		return err
	}
	if c.Unsupported != "" {
		return ec2err.New(ec2err.UnsupportedOperation, "The parameter %s is not supported by ec2lab subnets", c.Unsupported)
	}
	switch c.HostnameType {
	case "", "ip-name":
	case "resource-name":
		return ec2err.New(ec2err.UnsupportedOperation,
			"PrivateDnsHostnameTypeOnLaunch resource-name is not supported: instance hostnames are IP names (ip-name)")
	default:
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter PrivateDnsHostnameTypeOnLaunch is invalid", c.HostnameType)
	}
	if v, ok := c.Flags[mapPublicIPOnLaunch]; ok {
		return s.setMapPublicIPOnLaunch(ctx, subnetID, v)
	}
	for name, v := range c.Flags {
		why, known := subnetFlagsOff[name]
		if !known {
			return ec2err.New(ec2err.InvalidParameterValue, "Unknown subnet attribute %s", name)
		}
		if v {
			return ec2err.New(ec2err.UnsupportedOperation, "%s true is not supported: %s", name, why)
		}
	}
	return nil
}

// mapPublicIPOnLaunch is the one boolean subnet attribute ec2lab changes.
const mapPublicIPOnLaunch = "MapPublicIpOnLaunch"

// setMapPublicIPOnLaunch records the subnet's MapPublicIpOnLaunch; it
// applies to later launches only, as in EC2.
func (s *Service) setMapPublicIPOnLaunch(ctx context.Context, id string, v bool) error {
	_, err := update(ctx, s.st, prefixSubnet+id, func(sn *Subnet) error {
		sn.MapPublicIPOnLaunch = v
		return nil
	})
	if err != nil {
		return fmt.Errorf("modify subnet %s: %w", id, err)
	}
	return nil
}
