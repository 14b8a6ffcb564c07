package ctl

import (
	"errors"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// eniSpecMembers are the members of an InstanceNetworkInterfaceSpecification
// ec2ctl sends (botocore's names); ec2d refuses what it cannot do.
var eniSpecMembers = []string{"AssociatePublicIpAddress", "DeleteOnTermination", "Description", "DeviceIndex", "Groups",
	"Ipv6AddressCount", "Ipv6Addresses", "NetworkInterfaceId", "PrivateIpAddress", "PrivateIpAddresses",
	"SecondaryPrivateIpAddressCount", "SubnetId", "AssociateCarrierIpAddress", "InterfaceType", "NetworkCardIndex",
	"Ipv4Prefixes", "Ipv4PrefixCount", "Ipv6Prefixes", "Ipv6PrefixCount"}

// parseNetworkInterfaces reads run-instances --network-interfaces
// (shorthand or JSON, like the AWS CLI).
func parseNetworkInterfaces(raws []string) ([]*pb.InstanceNetworkInterfaceSpecification, error) {
	ms, err := structList("network-interfaces", raws)
	if err != nil {
		return nil, err
	}
	var out []*pb.InstanceNetworkInterfaceSpecification
	for _, m := range ms {
		spec, err := toInterfaceSpec(m)
		if err != nil {
			return nil, err
		}
		out = append(out, spec)
	}
	return out, nil
}

func toInterfaceSpec(m map[string]any) (*pb.InstanceNetworkInterfaceSpecification, error) {
	f := newFields("InstanceNetworkInterfaceSpecification", m, eniSpecMembers...)
	s := &pb.InstanceNetworkInterfaceSpecification{DeviceIndex: f.int32Ptr("DeviceIndex"), SubnetId: f.str("SubnetId"),
		Groups: f.strings("Groups"), PrivateIpAddress: f.str("PrivateIpAddress"), Description: f.str("Description"),
		SecondaryPrivateIpAddressCount: f.int32("SecondaryPrivateIpAddressCount"),
		DeleteOnTermination:            f.boolPtr("DeleteOnTermination"), AssociatePublicIpAddress: f.boolPtr("AssociatePublicIpAddress"),
		NetworkInterfaceId: f.str("NetworkInterfaceId"), Ipv6AddressCount: f.int32("Ipv6AddressCount"),
		AssociateCarrierIpAddress: f.boolPtr("AssociateCarrierIpAddress"), InterfaceType: f.str("InterfaceType"),
		NetworkCardIndex: f.int32("NetworkCardIndex"), Ipv4PrefixCount: f.int32("Ipv4PrefixCount"),
		Ipv6PrefixCount: f.int32("Ipv6PrefixCount")}
	err := errors.Join(
		eachStruct(f, "PrivateIpAddresses", "PrivateIpAddressSpecification", func(g *fields) {
			primary := g.boolPtr("Primary")
			s.PrivateIpAddresses = append(s.PrivateIpAddresses, &pb.PrivateIpAddressSpecification{
				PrivateIpAddress: g.str("PrivateIpAddress"), Primary: primary != nil && *primary})
		}, "Primary", "PrivateIpAddress"),
		eachStruct(f, "Ipv6Addresses", "InstanceIpv6Address", func(g *fields) {
			s.Ipv6Addresses = append(s.Ipv6Addresses, &pb.InstanceIpv6Address{Ipv6Address: g.str("Ipv6Address")})
		}, "Ipv6Address"),
		eachStruct(f, "Ipv4Prefixes", "Ipv4PrefixSpecificationRequest", func(g *fields) {
			s.Ipv4Prefixes = append(s.Ipv4Prefixes, &pb.Ipv4PrefixSpecificationRequest{Ipv4Prefix: g.str("Ipv4Prefix")})
		}, "Ipv4Prefix"),
		eachStruct(f, "Ipv6Prefixes", "Ipv6PrefixSpecificationRequest", func(g *fields) {
			s.Ipv6Prefixes = append(s.Ipv6Prefixes, &pb.Ipv6PrefixSpecificationRequest{Ipv6Prefix: g.str("Ipv6Prefix")})
		}, "Ipv6Prefix"))
	if err != nil {
		return nil, err
	}
	return s, f.err
}

// eachStruct calls conv with the members of each structure of the list
// member key (of shape, whose members are allowed).
func eachStruct(f *fields, key, shape string, conv func(*fields), allowed ...string) error {
	for _, m := range f.structs(key) {
		g := newFields(shape, m, allowed...)
		conv(g)
		if g.err != nil {
			return g.err
		}
	}
	return nil
}
