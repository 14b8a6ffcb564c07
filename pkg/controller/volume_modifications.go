package controller

import (
	"context"
	"strconv"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// Modification states (EC2's VolumeModificationState). ec2lab resizes and
// retunes a volume before ModifyVolume returns, so a recorded modification
// is completed or failed: it never stays modifying or optimizing.
const (
	ModificationCompleted = "completed"
	ModificationFailed    = "failed"
)

// Modification is a volume's latest ModifyVolume, as ModifyVolume answers
// it and DescribeVolumesModifications reports it; the volume record keeps
// it. Message says why a failed one failed.
type Modification struct {
	VolumeID         string    `json:"volume_id"`
	State            string    `json:"state"`
	Message          string    `json:"message,omitempty"`
	OrigSize         int32     `json:"orig_size"`
	TargetSize       int32     `json:"target_size"`
	OrigType         string    `json:"orig_type"`
	TargetType       string    `json:"target_type"`
	OrigIOPS         int32     `json:"orig_iops"`
	TargetIOPS       int32     `json:"target_iops"`
	OrigThroughput   int32     `json:"orig_throughput"`
	TargetThroughput int32     `json:"target_throughput"`
	Progress         int64     `json:"progress"`
	StartTime        time.Time `json:"start_time"`
	EndTime          time.Time `json:"end_time,omitzero"`
}

// newModification is the change from v to nv, started at now.
func newModification(v, nv Volume, now time.Time) Modification {
	return Modification{VolumeID: v.ID, OrigSize: v.SizeGiB, OrigType: v.Type, OrigIOPS: v.IOPS,
		OrigThroughput: v.Throughput, TargetSize: nv.SizeGiB, TargetType: nv.Type, TargetIOPS: nv.IOPS,
		TargetThroughput: nv.Throughput, StartTime: now}
}

// modificationTimeLayout is how the start-time filter reads a time.
const modificationTimeLayout = "2006-01-02T15:04:05.000Z"

// DescribeVolumesModifications reports the latest modification of each of
// the caller's volumes, by volume ID. A named volume of the caller's that
// was never modified is InvalidVolumeModification.NotFound, as on EC2.
func (s *Service) DescribeVolumesModifications(ctx context.Context, idList []string, filters []Filter, p Page, dryRun bool) ([]Modification, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if p.MaxResults < 0 || p.MaxResults > 500 {
		return nil, "", ec2err.New(ec2err.InvalidParameterValue,
			"Value ( %d ) for parameter maxResults is invalid. Expecting a value up to 500.", p.MaxResults)
	}
	for _, id := range idList {
		v, err := s.ownedVolume(ctx, acct, id)
		if err != nil {
			return nil, "", err
		}
		if v.Modification == nil {
			return nil, "", ec2err.New(ec2err.InvalidVolumeModificationNotFound, "Modification for volume '%s' does not exist.", id)
		}
	}
	if dryRun {
		return nil, "", DryRun()
	}
	vols, err := s.volumesOf(ctx, acct)
	if err != nil {
		return nil, "", err
	}
	var mods []Modification
	for _, v := range vols {
		if v.Modification != nil {
			mods = append(mods, *v.Modification)
		}
	}
	return selectPage(mods, selection[Modification]{IDs: idList, Filters: filters, Page: p,
		ID: func(m Modification) string { return m.VolumeID }, Field: modificationField,
		NotFound: func(id string) error {
			return ec2err.New(ec2err.InvalidVolumeModificationNotFound, "Modification for volume '%s' does not exist.", id)
		}})
}

// modificationField answers DescribeVolumesModifications' filters.
// ec2lab has no Multi-Attach: those filters read false.
func modificationField(m Modification, name string) ([]string, bool) {
	itoa := func(n int32) []string { return []string{strconv.Itoa(int(n))} }
	switch name {
	case "volume-id":
		return []string{m.VolumeID}, true
	case "modification-state":
		return []string{m.State}, true
	case "original-size":
		return itoa(m.OrigSize), true
	case "target-size":
		return itoa(m.TargetSize), true
	case "original-iops":
		return itoa(m.OrigIOPS), true
	case "target-iops":
		return itoa(m.TargetIOPS), true
	case "original-volume-type":
		return []string{m.OrigType}, true
	case "target-volume-type":
		return []string{m.TargetType}, true
	case "original-multi-attach-enabled", "target-multi-attach-enabled":
		return []string{"false"}, true
	case "start-time":
		return []string{m.StartTime.UTC().Format(modificationTimeLayout)}, true
	}
	return nil, false
}
