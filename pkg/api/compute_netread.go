package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeNetworkInterfaces lists network interfaces (those of instances).
func (c *Compute) DescribeNetworkInterfaces(ctx context.Context, r *v1.DescribeNetworkInterfacesRequest) (*v1.DescribeNetworkInterfacesResponse, error) {
	nis, next, err := c.svc.DescribeNetworkInterfaces(ctx, r.GetNetworkInterfaceIds(), filtersIn(r.GetFilters()),
		page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeNetworkInterfacesResponse{NextToken: next}
	for _, ni := range nis {
		out.NetworkInterfaces = append(out.NetworkInterfaces, networkInterfaceOut(ni))
	}
	return out, nil
}

// DescribeRouteTables lists route tables (each VPC's main table).
func (c *Compute) DescribeRouteTables(ctx context.Context, r *v1.DescribeRouteTablesRequest) (*v1.DescribeRouteTablesResponse, error) {
	rts, next, err := c.svc.DescribeRouteTables(ctx, r.GetRouteTableIds(), filtersIn(r.GetFilters()),
		page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeRouteTablesResponse{NextToken: next}
	for _, rt := range rts {
		out.RouteTables = append(out.RouteTables, routeTableOut(rt))
	}
	return out, nil
}

// DescribeNetworkAcls lists network ACLs with their entries and subnets.
func (c *Compute) DescribeNetworkAcls(ctx context.Context, r *v1.DescribeNetworkAclsRequest) (*v1.DescribeNetworkAclsResponse, error) {
	acls, next, err := c.svc.DescribeNetworkAcls(ctx, r.GetNetworkAclIds(), filtersIn(r.GetFilters()),
		page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeNetworkAclsResponse{NextToken: next}
	for _, acl := range acls {
		out.NetworkAcls = append(out.NetworkAcls, networkACLOut(acl))
	}
	return out, nil
}

func networkInterfaceOut(ni controller.NetworkInterface) *v1.NetworkInterface {
	out := &v1.NetworkInterface{NetworkInterfaceId: ni.ID, SubnetId: ni.SubnetID, VpcId: ni.VpcID, AvailabilityZone: ni.AZ,
		Description: ni.Description, OwnerId: ni.Owner, RequesterManaged: ni.RequesterManaged, Status: ni.Status,
		MacAddress: ni.MAC, PrivateIpAddress: ni.PrivateIP, PrivateDnsName: ni.PrivateDNS, Groups: groupRefsOut(ni.Groups),
		SourceDestCheck: ni.SourceDestCheck, InterfaceType: ni.InterfaceType, Tags: tagsOut(ni.Tags),
		Association: eniAssociationOut(ni.Association)}
	if ni.PrivateIP != "" {
		out.PrivateIpAddresses = []*v1.NetworkInterfacePrivateIpAddress{{PrivateIpAddress: ni.PrivateIP,
			PrivateDnsName: ni.PrivateDNS, Primary: true, Association: eniAssociationOut(ni.Association)}}
	}
	if a := ni.Attachment; a != nil {
		out.Attachment = &v1.NetworkInterfaceAttachment{AttachmentId: a.ID, InstanceId: a.InstanceID,
			InstanceOwnerId: a.InstanceOwner, DeviceIndex: int32(a.DeviceIndex), Status: a.Status,
			DeleteOnTermination: a.DeleteOnTermination, AttachTime: ts(a.AttachTime)}
	}
	return out
}

func routeTableOut(rt controller.RouteTable) *v1.RouteTable {
	out := &v1.RouteTable{RouteTableId: rt.ID, VpcId: rt.VpcID, OwnerId: rt.Owner, Tags: tagsOut(rt.Tags)}
	for _, r := range rt.Routes {
		out.Routes = append(out.Routes, &v1.Route{DestinationCidrBlock: r.DestinationCIDR, GatewayId: r.GatewayID, NatGatewayId: r.NatGatewayID,
			State: r.State, Origin: r.Origin})
	}
	for _, a := range rt.Associations {
		out.Associations = append(out.Associations, &v1.RouteTableAssociation{RouteTableAssociationId: a.ID,
			RouteTableId: a.RouteTableID, SubnetId: a.SubnetID, Main: a.Main, State: a.State})
	}
	return out
}

func networkACLOut(acl controller.NetworkACL) *v1.NetworkAcl {
	out := &v1.NetworkAcl{NetworkAclId: acl.ID, VpcId: acl.VpcID, OwnerId: acl.Owner, IsDefault: acl.IsDefault,
		Tags: tagsOut(acl.Tags)}
	for _, e := range acl.Entries {
		out.Entries = append(out.Entries, aclEntryOut(e))
	}
	for _, a := range acl.Associations {
		out.Associations = append(out.Associations, &v1.NetworkAclAssociation{NetworkAclAssociationId: a.ID,
			NetworkAclId: a.NetworkACLID, SubnetId: a.SubnetID})
	}
	return out
}

// interfaceSpecsIn converts RunInstances' NetworkInterface.N.
func interfaceSpecsIn(specs []*v1.InstanceNetworkInterfaceSpecification) []controller.InterfaceSpec {
	var out []controller.InterfaceSpec
	for _, s := range specs {
		c := controller.InterfaceSpec{NetworkInterfaceID: s.GetNetworkInterfaceId(), SubnetID: s.GetSubnetId(),
			GroupIDs: s.GetGroups(), PrivateIP: s.GetPrivateIpAddress(), Description: s.GetDescription(),
			SecondaryIPCount: int(s.GetSecondaryPrivateIpAddressCount()), DeleteOnTermination: s.DeleteOnTermination,
			AssociatePublicIP: s.AssociatePublicIpAddress, AssociateCarrierIP: s.AssociateCarrierIpAddress,
			IPv6AddressCount: int(s.GetIpv6AddressCount()), InterfaceType: s.GetInterfaceType(),
			NetworkCardIndex: int(s.GetNetworkCardIndex()), IPv4PrefixCount: int(s.GetIpv4PrefixCount()),
			IPv6PrefixCount: int(s.GetIpv6PrefixCount())}
		if s.DeviceIndex != nil {
			i := int(s.GetDeviceIndex())
			c.DeviceIndex = &i
		}
		for _, p := range s.GetPrivateIpAddresses() {
			c.PrivateIPs = append(c.PrivateIPs, controller.PrivateIPSpec{Address: p.GetPrivateIpAddress(), Primary: p.GetPrimary()})
		}
		for _, a := range s.GetIpv6Addresses() {
			c.IPv6Addresses = append(c.IPv6Addresses, a.GetIpv6Address())
		}
		for _, p := range s.GetIpv4Prefixes() {
			c.IPv4Prefixes = append(c.IPv4Prefixes, p.GetIpv4Prefix())
		}
		for _, p := range s.GetIpv6Prefixes() {
			c.IPv6Prefixes = append(c.IPv6Prefixes, p.GetIpv6Prefix())
		}
		out = append(out, c)
	}
	return out
}
