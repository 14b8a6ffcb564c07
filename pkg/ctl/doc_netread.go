package ctl

import (
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Network interfaces, route tables and network ACLs as the AWS CLI prints
// them (members in botocore's order).

func docENIPrivateIP(p *pb.NetworkInterfacePrivateIpAddress) any {
	o := NewObject()
	if a := p.GetAssociation(); a != nil {
		o.Set("Association", docENIAssociation(a, true))
	}
	return o.Set("Primary", p.GetPrimary()).
		Str("PrivateDnsName", p.GetPrivateDnsName()).
		Set("PrivateIpAddress", p.GetPrivateIpAddress())
}

// docInstanceENIPrivateIP is an instance interface's private address
// (InstancePrivateIpAddress: its association has no IDs).
func docInstanceENIPrivateIP(p *pb.NetworkInterfacePrivateIpAddress) any {
	o := NewObject()
	if a := p.GetAssociation(); a != nil {
		o.Set("Association", docENIAssociation(a, false))
	}
	return o.Set("Primary", p.GetPrimary()).
		Str("PrivateDnsName", p.GetPrivateDnsName()).
		Set("PrivateIpAddress", p.GetPrivateIpAddress())
}

// docENIAssociation is an interface address's Elastic IP: EC2's
// NetworkInterfaceAssociation, or without its IDs an instance's
// InstanceNetworkInterfaceAssociation.
func docENIAssociation(a *pb.NetworkInterfaceAssociation, withIDs bool) any {
	o := NewObject()
	if withIDs {
		o.Set("AllocationId", a.GetAllocationId()).Set("AssociationId", a.GetAssociationId())
	}
	return o.Set("IpOwnerId", a.GetIpOwnerId()).
		Set("PublicDnsName", a.GetPublicDnsName()).
		Set("PublicIp", a.GetPublicIp())
}

// docNetworkInterface is an EC2 NetworkInterface.
func docNetworkInterface(ni *pb.NetworkInterface) any {
	o := NewObject()
	if a := ni.GetAssociation(); a != nil {
		o.Set("Association", docENIAssociation(a, true))
	}
	if a := ni.GetAttachment(); a != nil {
		o.Set("Attachment", NewObject().Time("AttachTime", a.GetAttachTime()).
			Set("AttachmentId", a.GetAttachmentId()).
			Set("DeleteOnTermination", a.GetDeleteOnTermination()).
			Set("DeviceIndex", int64(a.GetDeviceIndex())).
			Set("NetworkCardIndex", int64(a.GetNetworkCardIndex())).
			Str("InstanceId", a.GetInstanceId()).
			Str("InstanceOwnerId", a.GetInstanceOwnerId()).
			Set("Status", a.GetStatus()))
	}
	o.Set("AvailabilityZone", ni.GetAvailabilityZone()).
		Set("Description", ni.GetDescription()).
		Set("Groups", list(ni.GetGroups(), docGroupIdentifier)).
		Set("InterfaceType", ni.GetInterfaceType()).
		Set("Ipv6Addresses", []any{}).
		Str("MacAddress", ni.GetMacAddress()).
		Set("NetworkInterfaceId", ni.GetNetworkInterfaceId()).
		Set("OwnerId", ni.GetOwnerId()).
		Str("PrivateDnsName", ni.GetPrivateDnsName()).
		Str("PrivateIpAddress", ni.GetPrivateIpAddress()).
		Set("PrivateIpAddresses", list(ni.GetPrivateIpAddresses(), docENIPrivateIP)).
		Set("RequesterManaged", ni.GetRequesterManaged()).
		Set("SourceDestCheck", ni.GetSourceDestCheck()).
		Set("Status", ni.GetStatus()).
		Set("SubnetId", ni.GetSubnetId()).
		Set("TagSet", docTags(ni.GetTags())).
		Set("VpcId", ni.GetVpcId())
	return o
}

// docInstanceNetworkInterface is an EC2 InstanceNetworkInterface (the
// interface as DescribeInstances shows it).
func docInstanceNetworkInterface(ni *pb.NetworkInterface) any {
	o := NewObject()
	if a := ni.GetAssociation(); a != nil {
		o.Set("Association", docENIAssociation(a, false))
	}
	if a := ni.GetAttachment(); a != nil {
		o.Set("Attachment", NewObject().Time("AttachTime", a.GetAttachTime()).
			Set("AttachmentId", a.GetAttachmentId()).
			Set("DeleteOnTermination", a.GetDeleteOnTermination()).
			Set("DeviceIndex", int64(a.GetDeviceIndex())).
			Set("Status", a.GetStatus()).
			Set("NetworkCardIndex", int64(a.GetNetworkCardIndex())))
	}
	return o.Set("Description", ni.GetDescription()).
		Set("Groups", list(ni.GetGroups(), docGroupIdentifier)).
		Set("Ipv6Addresses", []any{}).
		Str("MacAddress", ni.GetMacAddress()).
		Set("NetworkInterfaceId", ni.GetNetworkInterfaceId()).
		Set("OwnerId", ni.GetOwnerId()).
		Str("PrivateDnsName", ni.GetPrivateDnsName()).
		Str("PrivateIpAddress", ni.GetPrivateIpAddress()).
		Set("PrivateIpAddresses", list(ni.GetPrivateIpAddresses(), docInstanceENIPrivateIP)).
		Set("SourceDestCheck", ni.GetSourceDestCheck()).
		Set("Status", ni.GetStatus()).
		Set("SubnetId", ni.GetSubnetId()).
		Set("VpcId", ni.GetVpcId()).
		Set("InterfaceType", ni.GetInterfaceType())
}

// docRouteTable is an EC2 RouteTable.
func docRouteTable(rt *pb.RouteTable) any {
	assoc := func(a *pb.RouteTableAssociation) any {
		return NewObject().Set("Main", a.GetMain()).
			Set("RouteTableAssociationId", a.GetRouteTableAssociationId()).
			Set("RouteTableId", a.GetRouteTableId()).
			Str("SubnetId", a.GetSubnetId()).
			Set("AssociationState", NewObject().Set("State", a.GetState()))
	}
	route := func(r *pb.Route) any {
		return NewObject().Set("DestinationCidrBlock", r.GetDestinationCidrBlock()).
			Str("GatewayId", r.GetGatewayId()).
			Str("NatGatewayId", r.GetNatGatewayId()).
			Set("Origin", r.GetOrigin()).
			Set("State", r.GetState())
	}
	return NewObject().Set("Associations", list(rt.GetAssociations(), assoc)).
		Set("PropagatingVgws", []any{}).
		Set("RouteTableId", rt.GetRouteTableId()).
		Set("Routes", list(rt.GetRoutes(), route)).
		Set("Tags", docTags(rt.GetTags())).
		Set("VpcId", rt.GetVpcId()).
		Set("OwnerId", rt.GetOwnerId())
}

// docNetworkACL is an EC2 NetworkAcl.
func docNetworkACL(acl *pb.NetworkAcl) any {
	assoc := func(a *pb.NetworkAclAssociation) any {
		return NewObject().Set("NetworkAclAssociationId", a.GetNetworkAclAssociationId()).
			Set("NetworkAclId", a.GetNetworkAclId()).
			Set("SubnetId", a.GetSubnetId())
	}
	entry := func(e *pb.NetworkAclEntry) any {
		o := NewObject().Set("CidrBlock", e.GetCidrBlock()).
			Set("Egress", e.GetEgress())
		if i := e.GetIcmpTypeCode(); i != nil {
			o.Set("IcmpTypeCode", NewObject().Set("Code", int64(i.GetCode())).Set("Type", int64(i.GetType())))
		}
		if p := e.GetPortRange(); p != nil {
			o.Set("PortRange", NewObject().Set("From", int64(p.GetFrom())).Set("To", int64(p.GetTo())))
		}
		return o.Set("Protocol", e.GetProtocol()).
			Set("RuleAction", e.GetRuleAction()).
			Set("RuleNumber", int64(e.GetRuleNumber()))
	}
	return NewObject().Set("Associations", list(acl.GetAssociations(), assoc)).
		Set("Entries", list(acl.GetEntries(), entry)).
		Set("IsDefault", acl.GetIsDefault()).
		Set("NetworkAclId", acl.GetNetworkAclId()).
		Set("Tags", docTags(acl.GetTags())).
		Set("VpcId", acl.GetVpcId()).
		Set("OwnerId", acl.GetOwnerId())
}
