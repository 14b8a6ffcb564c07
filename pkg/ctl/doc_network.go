package ctl

import (
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// VPC and subnet documents, members in the EC2 model's order (the order
// the AWS CLI prints them in).

// docVpc is an EC2 Vpc. ec2lab has no IPv6 blocks: the AWS CLI prints the
// Query API's empty ipv6CidrBlockAssociationSet as [].
func docVpc(v *pb.Vpc) any {
	o := NewObject().Set("OwnerId", v.GetOwnerId()).
		Set("InstanceTenancy", "default").
		Set("Ipv6CidrBlockAssociationSet", []any{})
	if blocks := v.GetCidrBlockAssociations(); len(blocks) > 0 {
		o.Set("CidrBlockAssociationSet", list(blocks, docVpcCidrBlockAssociation))
	}
	o.Set("IsDefault", v.GetIsDefault())
	if len(v.GetTags()) > 0 {
		o.Set("Tags", docTags(v.GetTags()))
	}
	return o.Set("VpcId", v.GetVpcId()).
		Set("State", v.GetState()).
		Set("CidrBlock", v.GetCidrBlock()).
		Set("DhcpOptionsId", orDefault(v.GetDhcpOptionsId(), "default"))
}

// docVpcCidrBlockAssociation is an EC2 VpcCidrBlockAssociation.
func docVpcCidrBlockAssociation(a *pb.VpcCidrBlockAssociation) any {
	return NewObject().Set("AssociationId", a.GetAssociationId()).
		Set("CidrBlock", a.GetCidrBlock()).
		Set("CidrBlockState", NewObject().Set("State", a.GetState()))
}

// docSubnet is an EC2 Subnet. ec2lab has no IPv6, customer-owned
// addresses or resource-name DNS records: those members are false or [].
func docSubnet(s *pb.Subnet) any {
	o := NewObject().Str("AvailabilityZoneId", s.GetAvailabilityZoneId()).
		Set("MapCustomerOwnedIpOnLaunch", false).
		Set("OwnerId", s.GetOwnerId()).
		Set("AssignIpv6AddressOnCreation", s.GetAssignIpv6AddressOnCreation()).
		Set("Ipv6CidrBlockAssociationSet", []any{})
	if len(s.GetTags()) > 0 {
		o.Set("Tags", docTags(s.GetTags()))
	}
	return o.Str("SubnetArn", s.GetSubnetArn()).
		Set("EnableDns64", s.GetEnableDns64()).
		Set("Ipv6Native", false).
		Set("PrivateDnsNameOptionsOnLaunch", NewObject().Set("HostnameType", s.GetPrivateDnsHostnameType()).
			Set("EnableResourceNameDnsARecord", false).
			Set("EnableResourceNameDnsAAAARecord", false)).
		Set("SubnetId", s.GetSubnetId()).
		Set("State", s.GetState()).
		Set("VpcId", s.GetVpcId()).
		Set("CidrBlock", s.GetCidrBlock()).
		Set("AvailableIpAddressCount", int64(s.GetAvailableIpAddressCount())).
		Set("AvailabilityZone", s.GetAvailabilityZone()).
		Set("DefaultForAz", s.GetDefaultForAz()).
		Set("MapPublicIpOnLaunch", s.GetMapPublicIpOnLaunch())
}
