package api

import (
	"cmp"
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// CreateVpc creates a VPC.
func (c *Compute) CreateVpc(ctx context.Context, r *v1.CreateVpcRequest) (*v1.Vpc, error) {
	if err := createVpcUnsupported(r); err != nil {
		return nil, err
	}
	v, err := c.svc.CreateVpc(ctx, r.GetCidrBlock(), specTags(r.GetTagSpecifications())["vpc"], r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return vpcOut(v), nil
}

// DescribeVpcs lists VPCs (the default VPC included).
func (c *Compute) DescribeVpcs(ctx context.Context, r *v1.DescribeVpcsRequest) (*v1.DescribeVpcsResponse, error) {
	vs, next, err := c.svc.DescribeVpcs(ctx, r.GetVpcIds(), filtersIn(r.GetFilters()), page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeVpcsResponse{NextToken: next}
	for _, v := range vs {
		out.Vpcs = append(out.Vpcs, vpcOut(v))
	}
	return out, nil
}

// DeleteVpc deletes a VPC without subnets.
func (c *Compute) DeleteVpc(ctx context.Context, r *v1.DeleteVpcRequest) (*v1.DeleteVpcResponse, error) {
	if err := c.svc.DeleteVpc(ctx, r.GetVpcId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeleteVpcResponse{}, nil
}

// CreateSubnet creates a subnet in a VPC.
func (c *Compute) CreateSubnet(ctx context.Context, r *v1.CreateSubnetRequest) (*v1.Subnet, error) {
	sn, err := c.svc.CreateSubnet(ctx, r.GetVpcId(), r.GetCidrBlock(), r.GetAvailabilityZone(),
		specTags(r.GetTagSpecifications())["subnet"], r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return subnetOut(sn), nil
}

// DescribeSubnets lists subnets.
func (c *Compute) DescribeSubnets(ctx context.Context, r *v1.DescribeSubnetsRequest) (*v1.DescribeSubnetsResponse, error) {
	subs, next, err := c.svc.DescribeSubnets(ctx, r.GetSubnetIds(), filtersIn(r.GetFilters()), page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeSubnetsResponse{NextToken: next}
	for _, sn := range subs {
		out.Subnets = append(out.Subnets, subnetOut(sn))
	}
	return out, nil
}

// DeleteSubnet deletes a subnet no instance uses.
func (c *Compute) DeleteSubnet(ctx context.Context, r *v1.DeleteSubnetRequest) (*v1.DeleteSubnetResponse, error) {
	if err := c.svc.DeleteSubnet(ctx, r.GetSubnetId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeleteSubnetResponse{}, nil
}

func vpcOut(v controller.VPC) *v1.Vpc {
	out := &v1.Vpc{VpcId: v.ID, OwnerId: v.Owner, CidrBlock: v.CIDR, State: v.State, IsDefault: v.IsDefault,
		Tags: tagsOut(v.Tags), DhcpOptionsId: cmp.Or(v.DhcpOptionsID, controller.DefaultDhcpOptions)}
	for _, a := range v.Blocks() {
		out.CidrBlockAssociations = append(out.CidrBlockAssociations, blockOut(a))
	}
	return out
}

func blockOut(a controller.CIDRAssociation) *v1.VpcCidrBlockAssociation {
	return &v1.VpcCidrBlockAssociation{AssociationId: a.ID, CidrBlock: a.CIDR, State: a.State}
}

func subnetOut(sn controller.Subnet) *v1.Subnet {
	return &v1.Subnet{SubnetId: sn.ID, VpcId: sn.VpcID, OwnerId: sn.Owner, AvailabilityZone: sn.AZ,
		CidrBlock: sn.CIDR, AvailableIpAddressCount: int32(sn.Available), DefaultForAz: sn.DefaultForAZ,
		State: sn.State, Tags: tagsOut(sn.Tags), SubnetArn: sn.ARN, AvailabilityZoneId: sn.ZoneID,
		PrivateDnsHostnameType: "ip-name", MapPublicIpOnLaunch: sn.MapPublicIPOnLaunch}
}

// networkOut fills an instance's primary interface fields; a terminated
// instance has released its address and shows none, as in EC2.
func networkOut(in controller.Instance, out *v1.Instance) {
	if in.PrivateDNSName != "" {
		out.PrivateDnsName = in.PrivateDNSName
	}
	if in.State == controller.StateTerminated {
		return
	}
	out.VpcId, out.SubnetId, out.PrivateIpAddress, out.MacAddress = in.VpcID, in.SubnetID, in.PrivateIP, in.MAC
}
