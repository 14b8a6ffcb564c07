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
