package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// CreateRouteTable creates a route table in a VPC; a retry with its client
// token answers the first call's table.
func (c *Compute) CreateRouteTable(ctx context.Context, r *v1.CreateRouteTableRequest) (*v1.CreateRouteTableResponse, error) {
	rt, err := c.svc.CreateRouteTable(ctx, controller.CreateInVPC{VpcID: r.GetVpcId(),
		Tags: specTags(r.GetTagSpecifications())["route-table"], ClientToken: r.GetClientToken(), DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	return &v1.CreateRouteTableResponse{RouteTable: routeTableOut(rt), ClientToken: r.GetClientToken()}, nil
}

// DeleteRouteTable deletes a route table that is neither main nor associated.
func (c *Compute) DeleteRouteTable(ctx context.Context, r *v1.DeleteRouteTableRequest) (*v1.DeleteRouteTableResponse, error) {
	if err := c.svc.DeleteRouteTable(ctx, r.GetRouteTableId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeleteRouteTableResponse{}, nil
}

// CreateRoute adds a route through an internet gateway.
func (c *Compute) CreateRoute(ctx context.Context, r *v1.CreateRouteRequest) (*v1.CreateRouteResponse, error) {
	if err := routeUnsupported(r); err != nil {
		return nil, err
	}
	if err := c.svc.CreateRoute(ctx, routeSpecIn(r), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.CreateRouteResponse{}, nil
}

// ReplaceRoute points a route at another internet gateway.
func (c *Compute) ReplaceRoute(ctx context.Context, r *v1.ReplaceRouteRequest) (*v1.ReplaceRouteResponse, error) {
	if err := routeUnsupported(r); err != nil {
		return nil, err
	}
	if err := refuse(unsupportedParam{"LocalTarget", r.GetLocalTarget(), "the local routes cannot change"}); err != nil {
		return nil, err
	}
	if err := c.svc.ReplaceRoute(ctx, routeSpecIn(r), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.ReplaceRouteResponse{}, nil
}

// DeleteRoute removes a route.
func (c *Compute) DeleteRoute(ctx context.Context, r *v1.DeleteRouteRequest) (*v1.DeleteRouteResponse, error) {
	const ipv4 = "ec2lab routes have IPv4 destinations only"
	if err := refuse(
		unsupportedParam{"DestinationIpv6CidrBlock", r.GetDestinationIpv6CidrBlock() != "", ipv4},
		unsupportedParam{"DestinationPrefixListId", r.GetDestinationPrefixListId() != "", ipv4},
	); err != nil {
		return nil, err
	}
	if err := c.svc.DeleteRoute(ctx, r.GetRouteTableId(), r.GetDestinationCidrBlock(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeleteRouteResponse{}, nil
}

// AssociateRouteTable associates a subnet with a route table.
func (c *Compute) AssociateRouteTable(ctx context.Context, r *v1.AssociateRouteTableRequest) (*v1.AssociateRouteTableResponse, error) {
	if err := refuse(
		unsupportedParam{"GatewayId", r.GetGatewayId() != "", "ec2lab route tables have no gateway (edge) associations"},
		unsupportedParam{"PublicIpv4Pool", r.GetPublicIpv4Pool() != "", "ec2lab has no public IPv4 pools"},
	); err != nil {
		return nil, err
	}
	id, err := c.svc.AssociateRouteTable(ctx, r.GetRouteTableId(), r.GetSubnetId(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.AssociateRouteTableResponse{AssociationId: id, AssociationState: associatedState()}, nil
}

// DisassociateRouteTable removes a subnet's association.
func (c *Compute) DisassociateRouteTable(ctx context.Context, r *v1.DisassociateRouteTableRequest) (*v1.DisassociateRouteTableResponse, error) {
	if err := c.svc.DisassociateRouteTable(ctx, r.GetAssociationId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DisassociateRouteTableResponse{}, nil
}

// ReplaceRouteTableAssociation points an association at another table.
func (c *Compute) ReplaceRouteTableAssociation(ctx context.Context, r *v1.ReplaceRouteTableAssociationRequest) (*v1.ReplaceRouteTableAssociationResponse, error) {
	id, err := c.svc.ReplaceRouteTableAssociation(ctx, r.GetAssociationId(), r.GetRouteTableId(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.ReplaceRouteTableAssociationResponse{NewAssociationId: id, AssociationState: associatedState()}, nil
}

func associatedState() *v1.RouteTableAssociationState {
	return &v1.RouteTableAssociationState{State: controller.AssociationAssociated}
}

// routeRequest is what CreateRoute's and ReplaceRoute's requests share.
type routeRequest interface {
	GetRouteTableId() string
	GetDestinationCidrBlock() string
	GetGatewayId() string
	GetDestinationIpv6CidrBlock() string
	GetDestinationPrefixListId() string
	GetNatGatewayId() string
	GetNetworkInterfaceId() string
	GetInstanceId() string
	GetVpcPeeringConnectionId() string
	GetTransitGatewayId() string
	GetEgressOnlyInternetGatewayId() string
	GetLocalGatewayId() string
	GetCarrierGatewayId() string
	GetVpcEndpointId() string
	GetCoreNetworkArn() string
	GetOdbNetworkArn() string
}

func routeSpecIn(r routeRequest) controller.RouteSpec {
	return controller.RouteSpec{RouteTableID: r.GetRouteTableId(), DestinationCIDR: r.GetDestinationCidrBlock(),
		GatewayID: r.GetGatewayId(), NatGatewayID: r.GetNatGatewayId()}
}

// routeUnsupported are the route targets and destinations ec2lab does not
// have: its routes go to internet and NAT gateways, for IPv4 blocks.
func routeUnsupported(r routeRequest) error {
	const (
		target = "ec2lab routes target internet gateways (GatewayId) and NAT gateways (NatGatewayId) only"
		ipv4   = "ec2lab routes have IPv4 destinations (DestinationCidrBlock) only"
	)
	return refuse(
		unsupportedParam{"DestinationIpv6CidrBlock", r.GetDestinationIpv6CidrBlock() != "", ipv4},
		unsupportedParam{"DestinationPrefixListId", r.GetDestinationPrefixListId() != "", ipv4},
		unsupportedParam{"NetworkInterfaceId", r.GetNetworkInterfaceId() != "", target},
		unsupportedParam{"InstanceId", r.GetInstanceId() != "", target},
		unsupportedParam{"VpcPeeringConnectionId", r.GetVpcPeeringConnectionId() != "", target},
		unsupportedParam{"TransitGatewayId", r.GetTransitGatewayId() != "", target},
		unsupportedParam{"EgressOnlyInternetGatewayId", r.GetEgressOnlyInternetGatewayId() != "", target},
		unsupportedParam{"LocalGatewayId", r.GetLocalGatewayId() != "", target},
		unsupportedParam{"CarrierGatewayId", r.GetCarrierGatewayId() != "", target},
		unsupportedParam{"VpcEndpointId", r.GetVpcEndpointId() != "", target},
		unsupportedParam{"CoreNetworkArn", r.GetCoreNetworkArn() != "", target},
		unsupportedParam{"OdbNetworkArn", r.GetOdbNetworkArn() != "", target},
	)
}
