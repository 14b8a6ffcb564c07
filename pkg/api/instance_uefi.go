package api

import (
	"context"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// GetInstanceUefiData answers a UEFI instance's variable store.
func (c *Compute) GetInstanceUefiData(ctx context.Context, r *v1.GetInstanceUefiDataRequest) (*v1.GetInstanceUefiDataResponse, error) {
	data, err := c.svc.GetInstanceUefiData(ctx, r.GetInstanceId(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.GetInstanceUefiDataResponse{InstanceId: r.GetInstanceId(), UefiData: data}, nil
}
