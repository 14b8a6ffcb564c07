package ec2query

import (
	"context"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// VPC attribute, secondary block and ClassicLink shapes (botocore:
// DescribeVpcAttributeResult, AssociateVpcCidrBlockResult,
// VpcClassicLink, ClassicLinkDnsSupport).

type boolValueXML struct {
	Value bool `xml:"value"`
}

type vpcAttributeBody struct {
	meta
	VpcID               string        `xml:"vpcId"`
	EnableDNSSupport    *boolValueXML `xml:"enableDnsSupport,omitempty"`
	EnableDNSHostnames  *boolValueXML `xml:"enableDnsHostnames,omitempty"`
	AddressUsageMetrics *boolValueXML `xml:"enableNetworkAddressUsageMetrics,omitempty"`
}

// describeVpcAttribute answers the one attribute asked for, under its own
// element as EC2 does.
func describeVpcAttribute(ctx context.Context, s compute, r *ec2labv1.DescribeVpcAttributeRequest) (body, error) {
	resp, err := s.DescribeVpcAttribute(ctx, r)
	if err != nil {
		return nil, err
	}
	b := &vpcAttributeBody{VpcID: resp.GetVpcId()}
	v := &boolValueXML{resp.GetValue()}
	switch resp.GetAttribute() {
	case "enableDnsSupport":
		b.EnableDNSSupport = v
	case "enableDnsHostnames":
		b.EnableDNSHostnames = v
	default:
		b.AddressUsageMetrics = v
	}
	return b, nil
}

type vpcCidrBlockBody struct {
	meta
	VpcID       string          `xml:"vpcId"`
	Association vpcCidrBlockXML `xml:"cidrBlockAssociation"`
}

func cidrBlockAssociationXML(r *ec2labv1.VpcCidrBlockResponse) body {
	return &vpcCidrBlockBody{VpcID: r.GetVpcId(), Association: vpcCidrBlock(r.GetCidrBlockAssociation())}
}

type vpcClassicLinkXML struct {
	VpcID   string     `xml:"vpcId"`
	Enabled bool       `xml:"classicLinkEnabled"`
	TagSet  *tagSetXML `xml:"tagSet,omitempty"`
}

type describeVpcClassicLinkBody struct {
	meta
	Vpcs []vpcClassicLinkXML `xml:"vpcSet>item"`
}

func describeVpcClassicLinkXML(r *ec2labv1.DescribeVpcClassicLinkResponse) body {
	b := &describeVpcClassicLinkBody{}
	for _, v := range r.GetVpcs() {
		b.Vpcs = append(b.Vpcs, vpcClassicLinkXML{v.GetVpcId(), v.GetClassicLinkEnabled(), tagsXML(v.GetTags())})
	}
	return b
}

type classicLinkDNSXML struct {
	VpcID     string `xml:"vpcId"`
	Supported bool   `xml:"classicLinkDnsSupported"`
}

type describeClassicLinkDNSBody struct {
	meta
	Vpcs      []classicLinkDNSXML `xml:"vpcs>item"`
	NextToken string              `xml:"nextToken,omitempty"`
}

func describeClassicLinkDNSXML(r *ec2labv1.DescribeVpcClassicLinkDnsSupportResponse) body {
	b := &describeClassicLinkDNSBody{NextToken: r.GetNextToken()}
	for _, v := range r.GetVpcs() {
		b.Vpcs = append(b.Vpcs, classicLinkDNSXML{v.GetVpcId(), v.GetClassicLinkDnsSupported()})
	}
	return b
}
