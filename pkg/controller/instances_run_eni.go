package controller

import (
	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// InterfaceSpec is one of RunInstances' NetworkInterface.N. ec2lab makes
// the primary interface (DeviceIndex 0) of each instance from it, as from
// the instance-level SubnetId, SecurityGroupId.N and PrivateIpAddress; what
// it cannot do yet (a second interface, an existing one, IPv6 or carrier
// addresses, secondary addresses, prefixes) is refused.
// AssociatePublicIpAddress gives the instance a public IPv4 address of the
// region's pool (publicips.go).
type InterfaceSpec struct {
	DeviceIndex         *int
	NetworkInterfaceID  string
	SubnetID            string
	GroupIDs            []string
	PrivateIP           string
	PrivateIPs          []PrivateIPSpec // PrivateIpAddresses.N
	SecondaryIPCount    int
	Description         string
	DeleteOnTermination *bool
	AssociatePublicIP   *bool
	AssociateCarrierIP  *bool
	IPv6AddressCount    int
	IPv6Addresses       []string
	IPv4PrefixCount     int
	IPv6PrefixCount     int
	IPv4Prefixes        []string
	IPv6Prefixes        []string
	InterfaceType       string
	NetworkCardIndex    int
}

// PrivateIPSpec is one of an interface's PrivateIpAddresses.N.
type PrivateIPSpec struct {
	Address string
	Primary bool
}

// applyInterfaces checks the request's NetworkInterface.N and maps the
// primary one onto the instance-level network parameters (the request's
// ClientToken hash is taken before).
func (req *RunRequest) applyInterfaces() error {
	if len(req.NetworkInterfaces) == 0 {
		return nil
	}
	if err := req.checkInterfaceCombination(); err != nil {
		return err
	}
	if len(req.NetworkInterfaces) > 1 {
		return ec2err.New(ec2err.UnsupportedOperation,
			"ec2lab launches an instance with one network interface (its primary, DeviceIndex 0); %d were given", len(req.NetworkInterfaces))
	}
	spec := req.NetworkInterfaces[0]
	if err := spec.check(); err != nil {
		return err
	}
	ip, err := spec.primaryIP()
	if err != nil {
		return err
	}
	req.SubnetID, req.SecurityGroupIDs, req.PrivateIP = spec.SubnetID, spec.GroupIDs, ip
	if spec.AssociatePublicIP != nil { // else a launch template's, or the subnet's default
		req.associatePublicIP = spec.AssociatePublicIP
	}
	return nil
}

// checkInterfaceCombination refuses instance-level network parameters
// next to network interfaces, as EC2 does.
func (req *RunRequest) checkInterfaceCombination() error {
	switch {
	case req.SubnetID != "":
		return ec2err.New(ec2err.InvalidParameterCombination,
			"Network interfaces and an instance-level subnet ID may not be specified on the same request")
	case len(req.SecurityGroupIDs) > 0:
		return ec2err.New(ec2err.InvalidParameterCombination,
			"Network interfaces and an instance-level security groups may not be specified on the same request")
	case req.PrivateIP != "":
		return ec2err.New(ec2err.InvalidParameterCombination,
			"Network interfaces and an instance-level private IP address should not be specified on the same request")
	}
	return nil
}

// check refuses what a new primary interface cannot have in ec2lab.
func (spec InterfaceSpec) check() error {
	if spec.DeviceIndex == nil {
		return ec2err.New(ec2err.InvalidParameterValue, "Each network interface requires a device index.")
	}
	if *spec.DeviceIndex != primaryDeviceIndex {
		return ec2err.New(ec2err.InvalidParameterValue,
			"The primary network interface (DeviceIndex 0) must be specified; got DeviceIndex %d only", *spec.DeviceIndex)
	}
	if spec.NetworkInterfaceID != "" {
		if spec.SubnetID != "" || len(spec.GroupIDs) > 0 || spec.PrivateIP != "" || spec.DeleteOnTermination != nil {
			return ec2err.New(ec2err.InvalidParameterCombination,
				"A network interface may not specify both a network interface ID and a subnet, security groups, private IP address or delete on termination")
		}
		return unsupported("launching with an existing network interface (%s)", spec.NetworkInterfaceID)
	}
	if spec.DeleteOnTermination != nil && !*spec.DeleteOnTermination {
		return unsupported("keeping an instance's primary network interface after termination (DeleteOnTermination false)")
	}
	return spec.checkAddressing()
}

// checkAddressing refuses the address kinds ec2lab does not give.
func (spec InterfaceSpec) checkAddressing() error {
	switch {
	case spec.AssociateCarrierIP != nil && *spec.AssociateCarrierIP:
		return unsupported("carrier IP addresses (AssociateCarrierIpAddress)")
	case spec.IPv6AddressCount > 0 || len(spec.IPv6Addresses) > 0:
		return unsupported("IPv6 addresses (Ipv6AddressCount, Ipv6Addresses)")
	case spec.SecondaryIPCount > 0:
		return unsupported("secondary private IPv4 addresses (SecondaryPrivateIpAddressCount)")
	case spec.IPv4PrefixCount > 0 || spec.IPv6PrefixCount > 0 || len(spec.IPv4Prefixes) > 0 || len(spec.IPv6Prefixes) > 0:
		return unsupported("prefix delegation (Ipv4Prefix, Ipv6Prefix)")
	case spec.InterfaceType != "" && spec.InterfaceType != ENITypeInterface:
		return unsupported("network interfaces of type %s", spec.InterfaceType)
	case spec.NetworkCardIndex != 0:
		return unsupported("network card index %d", spec.NetworkCardIndex)
	}
	return nil
}

// primaryIP is the primary private address the spec asks for ("" for the
// subnet's next free one): PrivateIpAddress, or the one PrivateIpAddresses
// entry marked primary.
func (spec InterfaceSpec) primaryIP() (string, error) {
	ip := spec.PrivateIP
	for _, p := range spec.PrivateIPs {
		if !p.Primary {
			return "", unsupported("secondary private IPv4 addresses (PrivateIpAddresses with Primary false)")
		}
		if ip != "" && ip != p.Address {
			return "", ec2err.New(ec2err.InvalidParameterValue,
				"The primary private IP address %s in PrivateIpAddresses differs from PrivateIpAddress %s", p.Address, ip)
		}
		ip = p.Address
	}
	return ip, nil
}

// interfaceDescription is the description given to the primary interface.
func (req RunRequest) interfaceDescription() string {
	if len(req.NetworkInterfaces) == 0 {
		return ""
	}
	return req.NetworkInterfaces[0].Description
}

// unsupported is ec2lab's answer to a parameter it does not implement.
func unsupported(format string, args ...any) error {
	return ec2err.New(ec2err.UnsupportedOperation, "ec2lab does not support "+format, args...)
}
