package ec2query

import (
	"context"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// cannedMetadataOptions are the canned instance's (testdata/roundtrip.py
// METADATA_OPTIONS).
func cannedMetadataOptions() *ec2labv1.InstanceMetadataOptions {
	return &ec2labv1.InstanceMetadataOptions{State: "applied", HttpTokens: "required", HttpPutResponseHopLimit: 2,
		HttpEndpoint: "enabled"}
}

// ModifyInstanceMetadataOptions applies the request to the canned options.
func (f *fakeCompute) ModifyInstanceMetadataOptions(ctx context.Context, r *ec2labv1.ModifyInstanceMetadataOptionsRequest) (*ec2labv1.ModifyInstanceMetadataOptionsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	if r.GetInstanceId() == missingID {
		return nil, notFound(r.GetInstanceId())
	}
	o := cannedMetadataOptions()
	if r.GetHttpTokens() != "" {
		o.HttpTokens = r.GetHttpTokens()
	}
	if r.GetHttpEndpoint() != "" {
		o.HttpEndpoint = r.GetHttpEndpoint()
	}
	if r.HttpPutResponseHopLimit != nil {
		o.HttpPutResponseHopLimit = r.GetHttpPutResponseHopLimit()
	}
	return &ec2labv1.ModifyInstanceMetadataOptionsResponse{InstanceId: r.GetInstanceId(), InstanceMetadataOptions: o}, nil
}
