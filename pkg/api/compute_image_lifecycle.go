package api

import (
	"context"
	"time"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// EnableImageDeregistrationProtection protects an image from
// DeregisterImage and answers its new setting.
func (c *Compute) EnableImageDeregistrationProtection(ctx context.Context, r *v1.EnableImageDeregistrationProtectionRequest) (*v1.ImageDeregistrationProtectionResponse, error) {
	v, err := c.svc.EnableImageDeregistrationProtection(ctx, r.GetImageId(), r.GetWithCooldown(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.ImageDeregistrationProtectionResponse{Return: v}, nil
}

// DisableImageDeregistrationProtection lifts an image's protection (after
// its cooldown, if any) and answers its new setting.
func (c *Compute) DisableImageDeregistrationProtection(ctx context.Context, r *v1.DisableImageDeregistrationProtectionRequest) (*v1.ImageDeregistrationProtectionResponse, error) {
	v, err := c.svc.DisableImageDeregistrationProtection(ctx, r.GetImageId(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.ImageDeregistrationProtectionResponse{Return: v}, nil
}

// EnableImageDeprecation deprecates an image at a time.
func (c *Compute) EnableImageDeprecation(ctx context.Context, r *v1.EnableImageDeprecationRequest) (*v1.EnableImageDeprecationResponse, error) {
	var at time.Time
	if v := r.GetDeprecateAt(); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter DeprecateAt is invalid. Expected an ISO 8601 time", v)
		}
		at = t
	}
	if err := c.svc.EnableImageDeprecation(ctx, r.GetImageId(), at, r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.EnableImageDeprecationResponse{}, nil
}

// DisableImageDeprecation cancels an image's deprecation.
func (c *Compute) DisableImageDeprecation(ctx context.Context, r *v1.DisableImageDeprecationRequest) (*v1.DisableImageDeprecationResponse, error) {
	if err := c.svc.DisableImageDeprecation(ctx, r.GetImageId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DisableImageDeprecationResponse{}, nil
}

// CancelImageLaunchPermission removes the caller's launch permission from
// an image shared with it.
func (c *Compute) CancelImageLaunchPermission(ctx context.Context, r *v1.CancelImageLaunchPermissionRequest) (*v1.CancelImageLaunchPermissionResponse, error) {
	if err := c.svc.CancelImageLaunchPermission(ctx, r.GetImageId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.CancelImageLaunchPermissionResponse{}, nil
}

// DescribeInstanceImageMetadata describes the images instances were
// launched from.
func (c *Compute) DescribeInstanceImageMetadata(ctx context.Context, r *v1.DescribeInstanceImageMetadataRequest) (*v1.DescribeInstanceImageMetadataResponse, error) {
	ms, next, err := c.svc.DescribeInstanceImageMetadata(ctx, r.GetInstanceIds(), filtersIn(r.GetFilters()),
		page(r.GetMaxResults(), r.GetNextToken()), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeInstanceImageMetadataResponse{NextToken: next}
	for _, m := range ms {
		out.InstanceImageMetadata = append(out.InstanceImageMetadata, instanceImageMetadataOut(m))
	}
	return out, nil
}

func instanceImageMetadataOut(m controller.InstanceImageMetadata) *v1.InstanceImageMetadata {
	in := m.Instance
	out := &v1.InstanceImageMetadata{InstanceId: in.ID, InstanceType: in.Type, LaunchTime: ts(in.LaunchTime),
		AvailabilityZone: in.AZ, ZoneId: m.ZoneID, State: state(in.State), OwnerId: in.Owner, Tags: tagsOut(in.Tags),
		ImageMetadata: &v1.ImageMetadata{ImageId: in.ImageID}}
	if img := m.Image; img != nil {
		allowed := true
		out.ImageMetadata = &v1.ImageMetadata{ImageId: img.ID, Name: img.Name, OwnerId: img.Owner, State: img.State,
			CreationDate: ts(img.CreationDate), DeprecationTime: ts(img.DeprecationTime), IsPublic: &img.Public,
			ImageAllowed: &allowed}
	}
	return out
}
