package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// ModifyInstanceMetadataOptions changes an instance's metadata options.
func (c *Compute) ModifyInstanceMetadataOptions(ctx context.Context, r *v1.ModifyInstanceMetadataOptionsRequest) (*v1.ModifyInstanceMetadataOptionsResponse, error) {
	req := controller.MetadataOptionsRequest{HTTPTokens: r.GetHttpTokens(), HTTPEndpoint: r.GetHttpEndpoint(),
		HopLimit: r.HttpPutResponseHopLimit}
	o, err := c.svc.ModifyInstanceMetadataOptions(ctx, r.GetInstanceId(), req, r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.ModifyInstanceMetadataOptionsResponse{InstanceId: r.GetInstanceId(),
		InstanceMetadataOptions: metadataOptionsOut(o)}, nil
}

// metadataOptionsIn is RunInstances' MetadataOptions.
func metadataOptionsIn(r *v1.InstanceMetadataOptionsRequest) controller.MetadataOptionsRequest {
	if r == nil {
		return controller.MetadataOptionsRequest{}
	}
	return controller.MetadataOptionsRequest{HTTPTokens: r.GetHttpTokens(), HTTPEndpoint: r.GetHttpEndpoint(),
		HopLimit: r.HttpPutResponseHopLimit}
}

// metadataOptionsOut is EC2's InstanceMetadataOptionsResponse: the options
// apply synchronously here, so their state is always "applied".
func metadataOptionsOut(o controller.MetadataOptions) *v1.InstanceMetadataOptions {
	o = o.WithDefaults()
	return &v1.InstanceMetadataOptions{State: "applied", HttpTokens: o.HTTPTokens,
		HttpPutResponseHopLimit: o.HopLimit, HttpEndpoint: o.HTTPEndpoint}
}
