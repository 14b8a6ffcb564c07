package ec2query

import (
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// VPC and subnet shapes (botocore: Vpc, Subnet).

type vpcXML struct {
	VpcID           string     `xml:"vpcId"`
	OwnerID         string     `xml:"ownerId"`
	State           string     `xml:"state"`
	CidrBlock       string     `xml:"cidrBlock"`
	DhcpOptionsID   string     `xml:"dhcpOptionsId"`
	InstanceTenancy string     `xml:"instanceTenancy"`
	IsDefault       bool       `xml:"isDefault"`
	TagSet          *tagSetXML `xml:"tagSet,omitempty"`
	// Every IPv4 block, the primary first; the IPv6 set is always empty.
	CidrBlockAssociationSet   []vpcCidrBlockXML `xml:"cidrBlockAssociationSet>item"`
	Ipv6CidrBlockAssociations *struct{}         `xml:"ipv6CidrBlockAssociationSet"`
}

type vpcCidrBlockXML struct {
	AssociationID  string `xml:"associationId"`
	CidrBlock      string `xml:"cidrBlock"`
	CidrBlockState struct {
		State string `xml:"state"`
	} `xml:"cidrBlockState"`
}

func vpcCidrBlock(a *ec2labv1.VpcCidrBlockAssociation) vpcCidrBlockXML {
	x := vpcCidrBlockXML{AssociationID: a.GetAssociationId(), CidrBlock: a.GetCidrBlock()}
	x.CidrBlockState.State = a.GetState()
	return x
}

func vpc(v *ec2labv1.Vpc) vpcXML {
	x := vpcXML{VpcID: v.GetVpcId(), OwnerID: v.GetOwnerId(), State: v.GetState(), CidrBlock: v.GetCidrBlock(),
		DhcpOptionsID: orDefault(v.GetDhcpOptionsId()), InstanceTenancy: "default", IsDefault: v.GetIsDefault(), TagSet: tagsXML(v.GetTags()),
		Ipv6CidrBlockAssociations: &struct{}{}}
	for _, a := range v.GetCidrBlockAssociations() {
		x.CidrBlockAssociationSet = append(x.CidrBlockAssociationSet, vpcCidrBlock(a))
	}
	return x
}

type vpcBody struct {
	meta
	Vpc vpcXML `xml:"vpc"`
}

func vpcBodyXML(v *ec2labv1.Vpc) body { return &vpcBody{Vpc: vpc(v)} }

type describeVpcsBody struct {
	meta
	VpcSet struct {
		Items []vpcXML `xml:"item"`
	} `xml:"vpcSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeVpcsXML(r *ec2labv1.DescribeVpcsResponse) body {
	b := &describeVpcsBody{NextToken: r.GetNextToken()}
	for _, v := range r.GetVpcs() {
		b.VpcSet.Items = append(b.VpcSet.Items, vpc(v))
	}
	return b
}

type subnetXML struct {
	SubnetID                string     `xml:"subnetId"`
	State                   string     `xml:"state"`
	VpcID                   string     `xml:"vpcId"`
	OwnerID                 string     `xml:"ownerId"`
	CidrBlock               string     `xml:"cidrBlock"`
	AvailableIPAddressCount int32      `xml:"availableIpAddressCount"`
	AvailabilityZone        string     `xml:"availabilityZone"`
	DefaultForAz            bool       `xml:"defaultForAz"`
	MapPublicIPOnLaunch     bool       `xml:"mapPublicIpOnLaunch"`
	TagSet                  *tagSetXML `xml:"tagSet,omitempty"`
	AvailabilityZoneID      string     `xml:"availabilityZoneId,omitempty"`
	SubnetArn               string     `xml:"subnetArn,omitempty"`
	AssignIpv6OnCreation    bool       `xml:"assignIpv6AddressOnCreation"`
	Ipv6CidrBlocks          *struct{}  `xml:"ipv6CidrBlockAssociationSet"`
	MapCustomerOwnedIP      bool       `xml:"mapCustomerOwnedIpOnLaunch"`
	EnableDNS64             bool       `xml:"enableDns64"`
	Ipv6Native              bool       `xml:"ipv6Native"`
	PrivateDNSNameOptions   struct {
		HostnameType string `xml:"hostnameType"`
		ARecord      bool   `xml:"enableResourceNameDnsARecord"`
		AAAARecord   bool   `xml:"enableResourceNameDnsAAAARecord"`
	} `xml:"privateDnsNameOptionsOnLaunch"`
}

func subnet(s *ec2labv1.Subnet) subnetXML {
	x := subnetXML{SubnetID: s.GetSubnetId(), State: s.GetState(), VpcID: s.GetVpcId(), OwnerID: s.GetOwnerId(),
		CidrBlock: s.GetCidrBlock(), AvailableIPAddressCount: s.GetAvailableIpAddressCount(),
		AvailabilityZone: s.GetAvailabilityZone(), DefaultForAz: s.GetDefaultForAz(), TagSet: tagsXML(s.GetTags()),
		AvailabilityZoneID: s.GetAvailabilityZoneId(), SubnetArn: s.GetSubnetArn(),
		MapPublicIPOnLaunch: s.GetMapPublicIpOnLaunch(), AssignIpv6OnCreation: s.GetAssignIpv6AddressOnCreation(),
		EnableDNS64: s.GetEnableDns64(), Ipv6CidrBlocks: &struct{}{}}
	x.PrivateDNSNameOptions.HostnameType = s.GetPrivateDnsHostnameType()
	return x
}

type subnetBody struct {
	meta
	Subnet subnetXML `xml:"subnet"`
}

func subnetBodyXML(s *ec2labv1.Subnet) body { return &subnetBody{Subnet: subnet(s)} }

type describeSubnetsBody struct {
	meta
	SubnetSet struct {
		Items []subnetXML `xml:"item"`
	} `xml:"subnetSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeSubnetsXML(r *ec2labv1.DescribeSubnetsResponse) body {
	b := &describeSubnetsBody{NextToken: r.GetNextToken()}
	for _, s := range r.GetSubnets() {
		b.SubnetSet.Items = append(b.SubnetSet.Items, subnet(s))
	}
	return b
}

// orDefault is EC2's "default" for a VPC without a DHCP option set.
func orDefault(dopt string) string {
	if dopt == "" {
		return "default"
	}
	return dopt
}
