package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// ModifyImageAttribute changes an image's launch permissions or description.
func (c *Compute) ModifyImageAttribute(ctx context.Context, r *v1.ModifyImageAttributeRequest) (*v1.ModifyImageAttributeResponse, error) {
	if err := c.svc.ModifyImageAttribute(ctx, imageAttributeChange(r)); err != nil {
		return nil, err
	}
	return &v1.ModifyImageAttributeResponse{}, nil
}

func imageAttributeChange(r *v1.ModifyImageAttributeRequest) controller.ImageAttributeChange {
	ch := controller.ImageAttributeChange{ImageID: r.GetImageId(), Attribute: r.GetAttribute(),
		OperationType: r.GetOperationType(), Value: r.GetValue(),
		Add: launchPermissionsIn(r.GetLaunchPermission().GetAdd()), Remove: launchPermissionsIn(r.GetLaunchPermission().GetRemove()),
		UserIDs: r.GetUserIds(), UserGroups: r.GetUserGroups(), DryRun: r.GetDryRun()}
	if r.Description != nil {
		d := r.GetDescription().GetValue()
		ch.Description = &d
	}
	return ch
}

// DescribeImageAttribute answers one attribute of the caller's image.
func (c *Compute) DescribeImageAttribute(ctx context.Context, r *v1.DescribeImageAttributeRequest) (*v1.ImageAttribute, error) {
	a, err := c.svc.DescribeImageAttribute(ctx, r.GetImageId(), r.GetAttribute(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.ImageAttribute{ImageId: a.ImageID, Attribute: a.Attribute,
		LaunchPermissions: launchPermissionsOut(a.LaunchPermissions), Value: a.Value}, nil
}

// ResetImageAttribute makes an image private again.
func (c *Compute) ResetImageAttribute(ctx context.Context, r *v1.ResetImageAttributeRequest) (*v1.ResetImageAttributeResponse, error) {
	if err := c.svc.ResetImageAttribute(ctx, r.GetImageId(), r.GetAttribute(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.ResetImageAttributeResponse{}, nil
}
