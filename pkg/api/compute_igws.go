package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// CreateInternetGateway creates a detached internet gateway.
func (c *Compute) CreateInternetGateway(ctx context.Context, r *v1.CreateInternetGatewayRequest) (*v1.CreateInternetGatewayResponse, error) {
	g, err := c.svc.CreateInternetGateway(ctx, specTags(r.GetTagSpecifications())["internet-gateway"], r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.CreateInternetGatewayResponse{InternetGateway: internetGatewayOut(g)}, nil
}

// AttachInternetGateway attaches a gateway to a VPC.
func (c *Compute) AttachInternetGateway(ctx context.Context, r *v1.AttachInternetGatewayRequest) (*v1.AttachInternetGatewayResponse, error) {
	if err := c.svc.AttachInternetGateway(ctx, r.GetInternetGatewayId(), r.GetVpcId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.AttachInternetGatewayResponse{}, nil
}

// DetachInternetGateway detaches a gateway from its VPC.
func (c *Compute) DetachInternetGateway(ctx context.Context, r *v1.DetachInternetGatewayRequest) (*v1.DetachInternetGatewayResponse, error) {
	if err := c.svc.DetachInternetGateway(ctx, r.GetInternetGatewayId(), r.GetVpcId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DetachInternetGatewayResponse{}, nil
}

// DeleteInternetGateway deletes a detached gateway.
func (c *Compute) DeleteInternetGateway(ctx context.Context, r *v1.DeleteInternetGatewayRequest) (*v1.DeleteInternetGatewayResponse, error) {
	if err := c.svc.DeleteInternetGateway(ctx, r.GetInternetGatewayId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeleteInternetGatewayResponse{}, nil
}

// DescribeInternetGateways lists internet gateways; a DryRun answers
// DryRunOperation once the gateways named are found.
func (c *Compute) DescribeInternetGateways(ctx context.Context, r *v1.DescribeInternetGatewaysRequest) (*v1.DescribeInternetGatewaysResponse, error) {
	gs, next, err := c.svc.DescribeInternetGateways(ctx, r.GetInternetGatewayIds(), filtersIn(r.GetFilters()),
		page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	if r.GetDryRun() {
		return nil, controller.DryRun()
	}
	out := &v1.DescribeInternetGatewaysResponse{NextToken: next}
	for _, g := range gs {
		out.InternetGateways = append(out.InternetGateways, internetGatewayOut(g))
	}
	return out, nil
}

func internetGatewayOut(g controller.InternetGateway) *v1.InternetGateway {
	out := &v1.InternetGateway{InternetGatewayId: g.ID, OwnerId: g.Owner, Tags: tagsOut(g.Tags)}
	if g.VpcID != "" {
		out.Attachments = []*v1.InternetGatewayAttachment{{VpcId: g.VpcID, State: controller.GatewayAttachmentAvailable}}
	}
	return out
}
