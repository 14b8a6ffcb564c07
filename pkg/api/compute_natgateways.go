package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// CreateNatGateway creates a public NAT gateway in a subnet with an
// Elastic IP.
func (c *Compute) CreateNatGateway(ctx context.Context, r *v1.CreateNatGatewayRequest) (*v1.CreateNatGatewayResponse, error) {
	const one = "ec2lab NAT gateways have one address: their Elastic IP (AllocationId)"
	if err := refuse(
		unsupportedParam{"SecondaryAllocationIds", len(r.GetSecondaryAllocationIds()) > 0, one},
		unsupportedParam{"SecondaryPrivateIpAddresses", len(r.GetSecondaryPrivateIpAddresses()) > 0, one},
		unsupportedParam{"SecondaryPrivateIpAddressCount", r.GetSecondaryPrivateIpAddressCount() > 0, one},
		unsupportedParam{"AvailabilityMode", r.GetAvailabilityMode() != "" && r.GetAvailabilityMode() != "zonal",
			"ec2lab NAT gateways are zonal: each runs in its subnet's zone (SubnetId)"},
		unsupportedParam{"VpcId", r.GetVpcId() != "", "ec2lab NAT gateways are zonal: give their SubnetId"},
	); err != nil {
		return nil, err
	}
	g, err := c.svc.CreateNatGateway(ctx, controller.NatGatewayRequest{SubnetID: r.GetSubnetId(), AllocationID: r.GetAllocationId(),
		ConnectivityType: r.GetConnectivityType(), PrivateIP: r.GetPrivateIpAddress(), ClientToken: r.GetClientToken(),
		Tags: specTags(r.GetTagSpecifications())["natgateway"], DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	return &v1.CreateNatGatewayResponse{NatGateway: natGatewayOut(g), ClientToken: r.GetClientToken()}, nil
}

// DescribeNatGateways lists NAT gateways.
func (c *Compute) DescribeNatGateways(ctx context.Context, r *v1.DescribeNatGatewaysRequest) (*v1.DescribeNatGatewaysResponse, error) {
	gs, next, err := c.svc.DescribeNatGateways(ctx, r.GetNatGatewayIds(), filtersIn(r.GetFilters()),
		page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	if r.GetDryRun() {
		return nil, controller.DryRun()
	}
	out := &v1.DescribeNatGatewaysResponse{NextToken: next}
	for _, g := range gs {
		out.NatGateways = append(out.NatGateways, natGatewayOut(g))
	}
	return out, nil
}

// DeleteNatGateway starts deleting a NAT gateway.
func (c *Compute) DeleteNatGateway(ctx context.Context, r *v1.DeleteNatGatewayRequest) (*v1.DeleteNatGatewayResponse, error) {
	id, err := c.svc.DeleteNatGateway(ctx, r.GetNatGatewayId(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.DeleteNatGatewayResponse{NatGatewayId: id}, nil
}

func natGatewayOut(g controller.NatGateway) *v1.NatGateway {
	out := &v1.NatGateway{NatGatewayId: g.ID, VpcId: g.VpcID, SubnetId: g.SubnetID, State: g.State,
		ConnectivityType: controller.NatConnectivityPublic, CreateTime: ts(g.CreateTime), FailureCode: g.FailureCode,
		FailureMessage: g.FailureMessage, Tags: tagsOut(g.Tags)}
	if !g.DeleteTime.IsZero() {
		out.DeleteTime = ts(g.DeleteTime)
	}
	status := "succeeded"
	switch g.State {
	case controller.NatGatewayPending:
		status = "associating"
	case controller.NatGatewayDeleting:
		status = "disassociating"
	case controller.NatGatewayDeleted:
		status = "disassociated"
	}
	out.NatGatewayAddresses = []*v1.NatGatewayAddress{{AllocationId: g.AllocationID, NetworkInterfaceId: g.NetworkInterfaceID(),
		PrivateIp: g.PrivateIP, PublicIp: g.PublicIP, AssociationId: g.AssociationID, IsPrimary: true, Status: status}}
	return out
}
