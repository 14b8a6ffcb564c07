package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeVpcAttribute answers one VPC attribute.
func (c *Compute) DescribeVpcAttribute(ctx context.Context, r *v1.DescribeVpcAttributeRequest) (*v1.VpcAttribute, error) {
	val, err := c.svc.DescribeVpcAttribute(ctx, r.GetVpcId(), r.GetAttribute())
	if err != nil {
		return nil, err
	}
	return &v1.VpcAttribute{VpcId: r.GetVpcId(), Attribute: r.GetAttribute(), Value: val}, nil
}

// ModifyVpcAttribute changes one VPC attribute.
func (c *Compute) ModifyVpcAttribute(ctx context.Context, r *v1.ModifyVpcAttributeRequest) (*v1.ModifyVpcAttributeResponse, error) {
	err := c.svc.ModifyVpcAttribute(ctx, r.GetVpcId(), controller.VPCAttributeChange{
		DNSSupport: boolOf(r.GetEnableDnsSupport()), DNSHostnames: boolOf(r.GetEnableDnsHostnames()),
		AddressUsageMetrics: boolOf(r.GetEnableNetworkAddressUsageMetrics())})
	if err != nil {
		return nil, err
	}
	return &v1.ModifyVpcAttributeResponse{}, nil
}

// boolOf is an AttributeBooleanValue's value, nil when the request did not
// name the attribute.
func boolOf(v *v1.AttributeBooleanValue) *bool {
	if v == nil {
		return nil
	}
	b := v.GetValue()
	return &b
}

// AssociateVpcCidrBlock adds a secondary IPv4 block to a VPC.
func (c *Compute) AssociateVpcCidrBlock(ctx context.Context, r *v1.AssociateVpcCidrBlockRequest) (*v1.VpcCidrBlockResponse, error) {
	vpcID, a, err := c.svc.AssociateVpcCidrBlock(ctx, controller.CIDRBlockRequest{VpcID: r.GetVpcId(),
		CIDR: r.GetCidrBlock(), Unsupported: unsupportedBlockParam(r)})
	if err != nil {
		return nil, err
	}
	return &v1.VpcCidrBlockResponse{VpcId: vpcID, CidrBlockAssociation: blockOut(a)}, nil
}

// unsupportedBlockParam names the first IPv6 or IPAM parameter r carries.
func unsupportedBlockParam(r *v1.AssociateVpcCidrBlockRequest) string {
	switch {
	case r.GetAmazonProvidedIpv6CidrBlock():
		return "AmazonProvidedIpv6CidrBlock"
	case r.GetIpv6CidrBlock() != "":
		return "Ipv6CidrBlock"
	case r.GetIpv6Pool() != "":
		return "Ipv6Pool"
	case r.GetIpv4IpamPoolId() != "":
		return "Ipv4IpamPoolId"
	case r.GetIpv4NetmaskLength() != 0:
		return "Ipv4NetmaskLength"
	case r.GetIpv6IpamPoolId() != "":
		return "Ipv6IpamPoolId"
	case r.GetIpv6NetmaskLength() != 0:
		return "Ipv6NetmaskLength"
	case r.GetIpv6CidrBlockNetworkBorderGroup() != "":
		return "Ipv6CidrBlockNetworkBorderGroup"
	}
	return ""
}

// DisassociateVpcCidrBlock removes a secondary IPv4 block from a VPC.
func (c *Compute) DisassociateVpcCidrBlock(ctx context.Context, r *v1.DisassociateVpcCidrBlockRequest) (*v1.VpcCidrBlockResponse, error) {
	vpcID, a, err := c.svc.DisassociateVpcCidrBlock(ctx, r.GetAssociationId())
	if err != nil {
		return nil, err
	}
	return &v1.VpcCidrBlockResponse{VpcId: vpcID, CidrBlockAssociation: blockOut(a)}, nil
}

// DescribeVpcClassicLink answers, for the caller's VPCs, that none links
// to EC2-Classic (which no longer exists).
func (c *Compute) DescribeVpcClassicLink(ctx context.Context, r *v1.DescribeVpcClassicLinkRequest) (*v1.DescribeVpcClassicLinkResponse, error) {
	vs, _, err := c.svc.DescribeVpcs(ctx, r.GetVpcIds(), filtersIn(r.GetFilters()), controller.Page{})
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeVpcClassicLinkResponse{}
	for _, v := range vs {
		out.Vpcs = append(out.Vpcs, &v1.VpcClassicLink{VpcId: v.ID, Tags: tagsOut(v.Tags)})
	}
	return out, nil
}

// DescribeVpcClassicLinkDnsSupport answers, for the caller's VPCs, that
// none resolves EC2-Classic names.
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (c *Compute) DescribeVpcClassicLinkDnsSupport(ctx context.Context, r *v1.DescribeVpcClassicLinkDnsSupportRequest) (*v1.DescribeVpcClassicLinkDnsSupportResponse, error) {
	vs, next, err := c.svc.DescribeVpcs(ctx, r.GetVpcIds(), nil, page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeVpcClassicLinkDnsSupportResponse{NextToken: next}
	for _, v := range vs {
		out.Vpcs = append(out.Vpcs, &v1.ClassicLinkDnsSupport{VpcId: v.ID})
	}
	return out, nil
}

// ModifySubnetAttribute changes one subnet attribute.
func (c *Compute) ModifySubnetAttribute(ctx context.Context, r *v1.ModifySubnetAttributeRequest) (*v1.ModifySubnetAttributeResponse, error) {
	ch := controller.SubnetAttributeChange{Flags: map[string]bool{}, HostnameType: r.GetPrivateDnsHostnameTypeOnLaunch()}
	for name, v := range map[string]*v1.AttributeBooleanValue{
		"MapPublicIpOnLaunch":                     r.GetMapPublicIpOnLaunch(),
		"AssignIpv6AddressOnCreation":             r.GetAssignIpv6AddressOnCreation(),
		"EnableDns64":                             r.GetEnableDns64(),
		"MapCustomerOwnedIpOnLaunch":              r.GetMapCustomerOwnedIpOnLaunch(),
		"EnableResourceNameDnsARecordOnLaunch":    r.GetEnableResourceNameDnsARecordOnLaunch(),
		"EnableResourceNameDnsAAAARecordOnLaunch": r.GetEnableResourceNameDnsAaaaRecordOnLaunch(),
		"DisableLniAtDeviceIndex":                 r.GetDisableLniAtDeviceIndex(),
	} {
		if v != nil {
			ch.Flags[name] = v.GetValue()
		}
	}
	switch {
	case r.GetCustomerOwnedIpv4Pool() != "":
		ch.Unsupported = "CustomerOwnedIpv4Pool"
	case r.GetEnableLniAtDeviceIndex() != 0:
		ch.Unsupported = "EnableLniAtDeviceIndex"
	}
	if err := c.svc.ModifySubnetAttribute(ctx, r.GetSubnetId(), ch); err != nil {
		return nil, err
	}
	return &v1.ModifySubnetAttributeResponse{}, nil
}
