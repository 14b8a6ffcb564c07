package ec2query

import (
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Network interface, route table and network ACL shapes (botocore:
// NetworkInterface, RouteTable, NetworkAcl).

type networkInterfaceAttachmentXML struct {
	AttachTime          string `xml:"attachTime,omitempty"`
	AttachmentID        string `xml:"attachmentId"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
	DeviceIndex         int32  `xml:"deviceIndex"`
	NetworkCardIndex    int32  `xml:"networkCardIndex"`
	InstanceID          string `xml:"instanceId,omitempty"`
	InstanceOwnerID     string `xml:"instanceOwnerId,omitempty"`
	Status              string `xml:"status"`
}

type networkInterfaceXML struct {
	NetworkInterfaceID string                         `xml:"networkInterfaceId"`
	SubnetID           string                         `xml:"subnetId"`
	VpcID              string                         `xml:"vpcId"`
	AvailabilityZone   string                         `xml:"availabilityZone"`
	Description        string                         `xml:"description"`
	OwnerID            string                         `xml:"ownerId"`
	RequesterManaged   bool                           `xml:"requesterManaged"`
	Status             string                         `xml:"status"`
	MacAddress         string                         `xml:"macAddress,omitempty"`
	PrivateIPAddress   string                         `xml:"privateIpAddress,omitempty"`
	PrivateDNSName     string                         `xml:"privateDnsName,omitempty"`
	SourceDestCheck    bool                           `xml:"sourceDestCheck"`
	GroupSet           groupSetXML                    `xml:"groupSet"`
	Attachment         *networkInterfaceAttachmentXML `xml:"attachment,omitempty"`
	TagSet             *tagSetXML                     `xml:"tagSet,omitempty"`
	PrivateIPAddresses []eniPrivateIPXML              `xml:"privateIpAddressesSet>item"`
	Ipv6Addresses      emptySet                       `xml:"ipv6AddressesSet"`
	InterfaceType      string                         `xml:"interfaceType"`
	Association        *eniAssociationXML             `xml:"association,omitempty"`
}

func networkInterface(ni *ec2labv1.NetworkInterface) networkInterfaceXML {
	x := networkInterfaceXML{NetworkInterfaceID: ni.GetNetworkInterfaceId(), SubnetID: ni.GetSubnetId(), VpcID: ni.GetVpcId(),
		AvailabilityZone: ni.GetAvailabilityZone(), Description: ni.GetDescription(), OwnerID: ni.GetOwnerId(),
		RequesterManaged: ni.GetRequesterManaged(), Status: ni.GetStatus(), MacAddress: ni.GetMacAddress(),
		PrivateIPAddress: ni.GetPrivateIpAddress(), PrivateDNSName: ni.GetPrivateDnsName(),
		SourceDestCheck: ni.GetSourceDestCheck(), GroupSet: groupSet(ni.GetGroups()), TagSet: tagsXML(ni.GetTags()),
		PrivateIPAddresses: eniPrivateIPs(ni, true), InterfaceType: ni.GetInterfaceType(),
		Association: eniAssociation(ni.GetAssociation(), true)}
	if a := ni.GetAttachment(); a != nil {
		x.Attachment = &networkInterfaceAttachmentXML{AttachTime: xmlTime(a.GetAttachTime()), AttachmentID: a.GetAttachmentId(),
			DeleteOnTermination: a.GetDeleteOnTermination(), DeviceIndex: a.GetDeviceIndex(),
			NetworkCardIndex: a.GetNetworkCardIndex(), InstanceID: a.GetInstanceId(),
			InstanceOwnerID: a.GetInstanceOwnerId(), Status: a.GetStatus()}
	}
	return x
}

type describeNetworkInterfacesBody struct {
	meta
	NetworkInterfaceSet struct {
		Items []networkInterfaceXML `xml:"item"`
	} `xml:"networkInterfaceSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeNetworkInterfacesXML(r *ec2labv1.DescribeNetworkInterfacesResponse) body {
	b := &describeNetworkInterfacesBody{NextToken: r.GetNextToken()}
	for _, ni := range r.GetNetworkInterfaces() {
		b.NetworkInterfaceSet.Items = append(b.NetworkInterfaceSet.Items, networkInterface(ni))
	}
	return b
}

type routeXML struct {
	DestinationCidrBlock string `xml:"destinationCidrBlock"`
	GatewayID            string `xml:"gatewayId,omitempty"`
	NatGatewayID         string `xml:"natGatewayId,omitempty"`
	State                string `xml:"state"`
	Origin               string `xml:"origin"`
}

type associationStateXML struct {
	State string `xml:"state"`
}

type routeTableAssociationXML struct {
	RouteTableAssociationID string              `xml:"routeTableAssociationId"`
	RouteTableID            string              `xml:"routeTableId"`
	SubnetID                string              `xml:"subnetId,omitempty"`
	Main                    bool                `xml:"main"`
	AssociationState        associationStateXML `xml:"associationState"`
}

type routeTableXML struct {
	RouteTableID      string                     `xml:"routeTableId"`
	VpcID             string                     `xml:"vpcId"`
	OwnerID           string                     `xml:"ownerId"`
	RouteSet          []routeXML                 `xml:"routeSet>item"`
	AssociationSet    []routeTableAssociationXML `xml:"associationSet>item"`
	PropagatingVgwSet emptySet                   `xml:"propagatingVgwSet"`
	TagSet            *tagSetXML                 `xml:"tagSet,omitempty"`
}

func routeTable(rt *ec2labv1.RouteTable) routeTableXML {
	x := routeTableXML{RouteTableID: rt.GetRouteTableId(), VpcID: rt.GetVpcId(), OwnerID: rt.GetOwnerId(),
		TagSet: tagsXML(rt.GetTags())}
	for _, r := range rt.GetRoutes() {
		x.RouteSet = append(x.RouteSet, routeXML{r.GetDestinationCidrBlock(), r.GetGatewayId(), r.GetNatGatewayId(), r.GetState(), r.GetOrigin()})
	}
	for _, a := range rt.GetAssociations() {
		x.AssociationSet = append(x.AssociationSet, routeTableAssociationXML{a.GetRouteTableAssociationId(),
			a.GetRouteTableId(), a.GetSubnetId(), a.GetMain(), associationStateXML{a.GetState()}})
	}
	return x
}

type describeRouteTablesBody struct {
	meta
	RouteTableSet struct {
		Items []routeTableXML `xml:"item"`
	} `xml:"routeTableSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeRouteTablesXML(r *ec2labv1.DescribeRouteTablesResponse) body {
	b := &describeRouteTablesBody{NextToken: r.GetNextToken()}
	for _, rt := range r.GetRouteTables() {
		b.RouteTableSet.Items = append(b.RouteTableSet.Items, routeTable(rt))
	}
	return b
}

type networkACLEntryXML struct {
	RuleNumber   int32            `xml:"ruleNumber"`
	Protocol     string           `xml:"protocol"`
	RuleAction   string           `xml:"ruleAction"`
	Egress       bool             `xml:"egress"`
	CidrBlock    string           `xml:"cidrBlock"`
	IcmpTypeCode *icmpTypeCodeXML `xml:"icmpTypeCode,omitempty"`
	PortRange    *portRangeXML    `xml:"portRange,omitempty"`
}

type networkACLAssociationXML struct {
	NetworkACLAssociationID string `xml:"networkAclAssociationId"`
	NetworkACLID            string `xml:"networkAclId"`
	SubnetID                string `xml:"subnetId"`
}

type networkACLXML struct {
	NetworkACLID   string                     `xml:"networkAclId"`
	VpcID          string                     `xml:"vpcId"`
	Default        bool                       `xml:"default"`
	EntrySet       []networkACLEntryXML       `xml:"entrySet>item"`
	AssociationSet []networkACLAssociationXML `xml:"associationSet>item"`
	TagSet         *tagSetXML                 `xml:"tagSet,omitempty"`
	OwnerID        string                     `xml:"ownerId"`
}

func networkACL(acl *ec2labv1.NetworkAcl) networkACLXML {
	x := networkACLXML{NetworkACLID: acl.GetNetworkAclId(), VpcID: acl.GetVpcId(), Default: acl.GetIsDefault(),
		TagSet: tagsXML(acl.GetTags()), OwnerID: acl.GetOwnerId()}
	for _, e := range acl.GetEntries() {
		x.EntrySet = append(x.EntrySet, networkACLEntry(e))
	}
	for _, a := range acl.GetAssociations() {
		x.AssociationSet = append(x.AssociationSet, networkACLAssociationXML{a.GetNetworkAclAssociationId(),
			a.GetNetworkAclId(), a.GetSubnetId()})
	}
	return x
}

type describeNetworkAclsBody struct {
	meta
	NetworkACLSet struct {
		Items []networkACLXML `xml:"item"`
	} `xml:"networkAclSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeNetworkAclsXML(r *ec2labv1.DescribeNetworkAclsResponse) body {
	b := &describeNetworkAclsBody{NextToken: r.GetNextToken()}
	for _, acl := range r.GetNetworkAcls() {
		b.NetworkACLSet.Items = append(b.NetworkACLSet.Items, networkACL(acl))
	}
	return b
}
