package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// GetSerialConsoleAccessStatus answers the caller's serial console access.
func (c *Compute) GetSerialConsoleAccessStatus(ctx context.Context, r *v1.SerialConsoleAccessRequest) (*v1.SerialConsoleAccessStatus, error) {
	on, err := c.svc.SerialConsoleAccess(ctx, r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.SerialConsoleAccessStatus{SerialConsoleAccessEnabled: on, ManagedBy: "account"}, nil
}

// EnableSerialConsoleAccess lets the caller open its instances' consoles.
func (c *Compute) EnableSerialConsoleAccess(ctx context.Context, r *v1.SerialConsoleAccessRequest) (*v1.SerialConsoleAccessStatus, error) {
	return c.setSerialConsoleAccess(ctx, true, r.GetDryRun())
}

// DisableSerialConsoleAccess refuses the caller's new console sessions.
func (c *Compute) DisableSerialConsoleAccess(ctx context.Context, r *v1.SerialConsoleAccessRequest) (*v1.SerialConsoleAccessStatus, error) {
	return c.setSerialConsoleAccess(ctx, false, r.GetDryRun())
}

func (c *Compute) setSerialConsoleAccess(ctx context.Context, on, dryRun bool) (*v1.SerialConsoleAccessStatus, error) {
	got, err := c.svc.SetSerialConsoleAccess(ctx, on, dryRun)
	if err != nil {
		return nil, err
	}
	return &v1.SerialConsoleAccessStatus{SerialConsoleAccessEnabled: got}, nil
}

// GetInstanceMetadataDefaults answers the caller's metadata defaults.
func (c *Compute) GetInstanceMetadataDefaults(ctx context.Context, r *v1.GetInstanceMetadataDefaultsRequest) (*v1.GetInstanceMetadataDefaultsResponse, error) {
	d, err := c.svc.InstanceMetadataDefaults(ctx, r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.GetInstanceMetadataDefaultsResponse{AccountLevel: &v1.InstanceMetadataDefaults{HttpTokens: d.HTTPTokens,
		HttpPutResponseHopLimit: d.HopLimit, HttpEndpoint: d.HTTPEndpoint, InstanceMetadataTags: d.InstanceMetadataTags,
		ManagedBy: "account"}}, nil
}

// ModifyInstanceMetadataDefaults changes the caller's metadata defaults.
func (c *Compute) ModifyInstanceMetadataDefaults(ctx context.Context, r *v1.ModifyInstanceMetadataDefaultsRequest) (*v1.ModifyInstanceMetadataDefaultsResponse, error) {
	err := c.svc.ModifyInstanceMetadataDefaults(ctx, controller.MetadataDefaultsChange{HTTPTokens: r.GetHttpTokens(),
		HTTPEndpoint: r.GetHttpEndpoint(), InstanceMetadataTags: r.GetInstanceMetadataTags(),
		HTTPTokensEnforced: r.GetHttpTokensEnforced(), HopLimit: r.HttpPutResponseHopLimit}, r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.ModifyInstanceMetadataDefaultsResponse{Return: true}, nil
}

// GetDefaultCreditSpecification answers a burstable family's default.
func (c *Compute) GetDefaultCreditSpecification(ctx context.Context, r *v1.GetDefaultCreditSpecificationRequest) (*v1.DefaultCreditSpecificationResponse, error) {
	credits, err := c.svc.DefaultCreditSpecification(ctx, r.GetInstanceFamily(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.DefaultCreditSpecificationResponse{InstanceFamily: r.GetInstanceFamily(), CpuCredits: credits}, nil
}

// ModifyDefaultCreditSpecification sets a burstable family's default.
func (c *Compute) ModifyDefaultCreditSpecification(ctx context.Context, r *v1.DefaultCreditSpecificationRequest) (*v1.DefaultCreditSpecificationResponse, error) {
	credits, err := c.svc.ModifyDefaultCreditSpecification(ctx, r.GetInstanceFamily(), r.GetCpuCredits(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.DefaultCreditSpecificationResponse{InstanceFamily: r.GetInstanceFamily(), CpuCredits: credits}, nil
}

// DescribeIdFormat answers the ID format of each resource type (all long).
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (c *Compute) DescribeIdFormat(ctx context.Context, r *v1.DescribeIdFormatRequest) (*v1.IdFormatResponse, error) {
	f, err := c.svc.IDFormats(ctx, r.GetResource())
	if err != nil {
		return nil, err
	}
	return idFormatsOut(f, false), nil
}

// DescribeIdentityIdFormat answers the ID formats a principal sees.
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (c *Compute) DescribeIdentityIdFormat(ctx context.Context, r *v1.DescribeIdentityIdFormatRequest) (*v1.IdFormatResponse, error) {
	f, err := c.svc.IdentityIDFormats(ctx, r.GetResource(), r.GetPrincipalArn())
	if err != nil {
		return nil, err
	}
	return idFormatsOut(f, false), nil
}

// DescribeAggregateIdFormat answers every resource type's ID format and
// whether all are long.
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (c *Compute) DescribeAggregateIdFormat(ctx context.Context, r *v1.DescribeAggregateIdFormatRequest) (*v1.IdFormatResponse, error) {
	f, all, err := c.svc.AggregateIDFormats(ctx, r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return idFormatsOut(f, all), nil
}

func idFormatsOut(f []controller.IDFormat, all bool) *v1.IdFormatResponse {
	out := &v1.IdFormatResponse{UseLongIdsAggregated: all}
	for _, s := range f {
		out.Statuses = append(out.Statuses, &v1.IdFormat{Resource: s.Resource, UseLongIds: s.UseLongIDs})
	}
	return out
}
