package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// ModifySnapshotAttribute changes who may create volumes from a snapshot.
func (c *Compute) ModifySnapshotAttribute(ctx context.Context, r *v1.ModifySnapshotAttributeRequest) (*v1.ModifySnapshotAttributeResponse, error) {
	err := c.svc.ModifySnapshotAttribute(ctx, controller.SnapshotAttributeChange{SnapshotID: r.GetSnapshotId(),
		Attribute: r.GetAttribute(), OperationType: r.GetOperationType(),
		Add:     volumePermissionsIn(r.GetCreateVolumePermission().GetAdd()),
		Remove:  volumePermissionsIn(r.GetCreateVolumePermission().GetRemove()),
		UserIDs: r.GetUserIds(), Groups: r.GetGroupNames(), DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	return &v1.ModifySnapshotAttributeResponse{}, nil
}

// DescribeSnapshotAttribute answers one attribute of the caller's snapshot.
func (c *Compute) DescribeSnapshotAttribute(ctx context.Context, r *v1.DescribeSnapshotAttributeRequest) (*v1.SnapshotAttribute, error) {
	a, err := c.svc.DescribeSnapshotAttribute(ctx, r.GetSnapshotId(), r.GetAttribute(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	out := &v1.SnapshotAttribute{SnapshotId: a.SnapshotID, Attribute: a.Attribute}
	for _, p := range a.Permissions {
		out.CreateVolumePermissions = append(out.CreateVolumePermissions, &v1.CreateVolumePermission{UserId: p.UserID, Group: p.Group})
	}
	return out, nil
}

// ResetSnapshotAttribute makes a snapshot private again.
func (c *Compute) ResetSnapshotAttribute(ctx context.Context, r *v1.ResetSnapshotAttributeRequest) (*v1.ResetSnapshotAttributeResponse, error) {
	if err := c.svc.ResetSnapshotAttribute(ctx, r.GetSnapshotId(), r.GetAttribute(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.ResetSnapshotAttributeResponse{}, nil
}

func volumePermissionsIn(ps []*v1.CreateVolumePermission) []controller.VolumePermission {
	var out []controller.VolumePermission
	for _, p := range ps {
		out = append(out, controller.VolumePermission{UserID: p.GetUserId(), Group: p.GetGroup()})
	}
	return out
}
