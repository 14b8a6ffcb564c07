package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeVolumesModifications reports the latest modification of volumes.
func (c *Compute) DescribeVolumesModifications(ctx context.Context, r *v1.DescribeVolumesModificationsRequest) (*v1.DescribeVolumesModificationsResponse, error) {
	mods, next, err := c.svc.DescribeVolumesModifications(ctx, r.GetVolumeIds(), filtersIn(r.GetFilters()),
		page(r.GetMaxResults(), r.GetNextToken()), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeVolumesModificationsResponse{NextToken: next}
	for _, m := range mods {
		out.VolumesModifications = append(out.VolumesModifications, modificationOut(m))
	}
	return out, nil
}

func modificationOut(m controller.Modification) *v1.VolumeModification {
	return &v1.VolumeModification{VolumeId: m.VolumeID, ModificationState: m.State, StatusMessage: m.Message,
		TargetSize: m.TargetSize, TargetVolumeType: m.TargetType, TargetIops: m.TargetIOPS, TargetThroughput: m.TargetThroughput,
		OriginalSize: m.OrigSize, OriginalVolumeType: m.OrigType, OriginalIops: m.OrigIOPS,
		OriginalThroughput: m.OrigThroughput, Progress: m.Progress, StartTime: ts(m.StartTime), EndTime: ts(m.EndTime)}
}

// DescribeVolumeStatus reports the status checks of volumes.
func (c *Compute) DescribeVolumeStatus(ctx context.Context, r *v1.DescribeVolumeStatusRequest) (*v1.DescribeVolumeStatusResponse, error) {
	list, next, err := c.svc.DescribeVolumeStatus(ctx, controller.VolumeStatusQuery{IDs: r.GetVolumeIds(),
		Filters: filtersIn(r.GetFilters()), Page: page(r.GetMaxResults(), r.GetNextToken()), DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeVolumeStatusResponse{NextToken: next}
	for _, st := range list {
		out.VolumeStatuses = append(out.VolumeStatuses, volumeStatusOut(st))
	}
	return out, nil
}

func volumeStatusOut(st controller.VolumeStatus) *v1.VolumeStatusItem {
	out := &v1.VolumeStatusItem{VolumeId: st.VolumeID, AvailabilityZone: st.AZ, Status: st.Status,
		Details: []*v1.VolumeStatusDetail{{Name: "io-enabled", Status: st.IOEnabled}}}
	if st.IOPerformance != "" {
		out.Details = append(out.Details, &v1.VolumeStatusDetail{Name: "io-performance", Status: st.IOPerformance})
		if st.InstanceID != "" {
			out.AttachmentStatuses = []*v1.VolumeStatusAttachmentStatus{{InstanceId: st.InstanceID, IoPerformance: st.IOPerformance}}
		}
	}
	return out
}

// DescribeVolumeAttribute answers one attribute of a volume.
func (c *Compute) DescribeVolumeAttribute(ctx context.Context, r *v1.DescribeVolumeAttributeRequest) (*v1.VolumeAttribute, error) {
	a, err := c.svc.DescribeVolumeAttribute(ctx, r.GetVolumeId(), r.GetAttribute(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	out := &v1.VolumeAttribute{VolumeId: a.VolumeID, Attribute: a.Attribute}
	if a.Attribute == "autoEnableIO" {
		out.AutoEnableIo = &v1.AttributeBooleanValue{Value: a.AutoEnableIO}
	}
	return out, nil
}

// ModifyVolumeAttribute sets a volume's autoEnableIO.
func (c *Compute) ModifyVolumeAttribute(ctx context.Context, r *v1.ModifyVolumeAttributeRequest) (*v1.ModifyVolumeAttributeResponse, error) {
	var auto *bool
	if r.AutoEnableIo != nil {
		v := r.GetAutoEnableIo().GetValue()
		auto = &v
	}
	if err := c.svc.ModifyVolumeAttribute(ctx, r.GetVolumeId(), auto, r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.ModifyVolumeAttributeResponse{}, nil
}
