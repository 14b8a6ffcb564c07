package ec2query

import (
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// VPC and subnet shapes (botocore: Vpc, Subnet).

type vpcXML struct {
	VpcID           string   `xml:"vpcId"`
	OwnerID         string   `xml:"ownerId"`
	State           string   `xml:"state"`
	CidrBlock       string   `xml:"cidrBlock"`
	DhcpOptionsID   string   `xml:"dhcpOptionsId"`
	InstanceTenancy string   `xml:"instanceTenancy"`
	IsDefault       bool     `xml:"isDefault"`
	TagSet          []tagXML `xml:"tagSet>item"`
}

func vpc(v *ec2labv1.Vpc) vpcXML {
	return vpcXML{VpcID: v.GetVpcId(), OwnerID: v.GetOwnerId(), State: v.GetState(), CidrBlock: v.GetCidrBlock(),
		DhcpOptionsID: "default", InstanceTenancy: "default", IsDefault: v.GetIsDefault(), TagSet: tagsXML(v.GetTags())}
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
	SubnetID                string   `xml:"subnetId"`
	State                   string   `xml:"state"`
	VpcID                   string   `xml:"vpcId"`
	OwnerID                 string   `xml:"ownerId"`
	CidrBlock               string   `xml:"cidrBlock"`
	AvailableIPAddressCount int32    `xml:"availableIpAddressCount"`
	AvailabilityZone        string   `xml:"availabilityZone"`
	DefaultForAz            bool     `xml:"defaultForAz"`
	MapPublicIPOnLaunch     bool     `xml:"mapPublicIpOnLaunch"`
	TagSet                  []tagXML `xml:"tagSet>item"`
}

func subnet(s *ec2labv1.Subnet) subnetXML {
	return subnetXML{SubnetID: s.GetSubnetId(), State: s.GetState(), VpcID: s.GetVpcId(), OwnerID: s.GetOwnerId(),
		CidrBlock: s.GetCidrBlock(), AvailableIPAddressCount: s.GetAvailableIpAddressCount(),
		AvailabilityZone: s.GetAvailabilityZone(), DefaultForAz: s.GetDefaultForAz(), TagSet: tagsXML(s.GetTags())}
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
